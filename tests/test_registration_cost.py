"""What a submission of the registration form costs the database.

The form checks its choices without counting seats (the services count them
under their locks); a form refused and shown again still marks full sessions.
Timings are measured by ``benchmarks/paths_benchmark.py``.
"""

import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from registrations.models import Registration
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    RegistrationFactory,
    SessionFactory,
)
from tests.test_mail_outbox import DATABASE_QUEUE
from tests.test_registration_views import form_data, register_url

pytestmark = pytest.mark.django_db
Status = Registration.Status
# The registration (inserted first: the constraint finds an address already
# registered), its sessions, its history and the email's record (the tests'
# immediate task backend sends it after the commit; in production the
# email's task is one more row): one statement on PostgreSQL, four inserts
# elsewhere; and the savepoint around them, in the test's own transaction.
# Nothing is read: the event, its sessions and the organisations are those the
# blank form shows (``caching.form_choices``), and the done page reads a signed
# cookie rather than a session kept in the database.
ONE_STATEMENT = connection.vendor == "postgresql"
QUERIES_PER_SUBMISSION = 2 + (1 if ONE_STATEMENT else 4)


def queries_of_a_submission(client, event, number: int, sessions, organisation):
    data = form_data(
        event,
        email=f"submitted{number}@example.org",
        email_confirmation=f"submitted{number}@example.org",
        sessions=[session.pk for session in sessions],
        organisation=organisation,
    )
    with CaptureQueriesContext(connection) as queries:
        response = client.post(register_url(event), data)
    assert response.status_code == 302
    return [query["sql"] for query in queries.captured_queries]


def test_a_submission_costs_the_same_queries_whatever_was_chosen_or_registered(
    client,
):
    event = EventFactory(capacity=20_000)
    sessions = SessionFactory.create_batch(6, event=event, capacity=10_000)
    organisation, *_ = OrganisationFactory.create_batch(3)
    RegistrationFactory.create_batch(10, event=event, sessions=sessions[:2])
    client.get(register_url(event))  # The visitor's session, as a browser's.
    first = queries_of_a_submission(client, event, 1, sessions[:1], organisation)
    one_session = queries_of_a_submission(client, event, 2, sessions[1:2], organisation)
    four_sessions = queries_of_a_submission(
        client, event, 3, sessions[1:5], organisation
    )
    Registration.objects.bulk_create(
        RegistrationFactory.build_batch(
            5_000, event=event, organisation=None, organisation_other="NGO"
        ),
        batch_size=1000,
    )
    after_thousands = queries_of_a_submission(
        client, event, 4, sessions[2:5], organisation
    )
    # The first reads the event, its sessions and the organisations once.
    assert len(first) == QUERIES_PER_SUBMISSION + 3
    assert len(one_session) == len(four_sessions) == len(after_thousands)
    assert len(one_session) == QUERIES_PER_SUBMISSION, one_session
    assert not [sql for sql in after_thousands if sql.startswith("SELECT")]
    assert Registration.objects.filter(email__startswith="submitted").count() == 4


def test_a_refused_form_shown_again_still_marks_the_full_sessions(client, event):
    full = SessionFactory(event=event, capacity=1, title="Small room")
    SessionFactory(event=event, capacity=None, title="Plenary hall")
    RegistrationFactory(event=event, status=Status.APPROVED, sessions=[full])
    response = client.post(
        register_url(event), form_data(event, family_name="", sessions=[full.pk])
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Small room" in page and "Plenary hall" in page
    assert page.count("Full: choosing it puts your registration") == 1
    assert not Registration.objects.filter(family_name="").exists()


def test_a_refused_form_is_shown_again_with_its_choices_without_reading_them(
    client, event
):
    sessions = SessionFactory.create_batch(3, event=event)
    organisations = OrganisationFactory.create_batch(2)
    data = form_data(
        event,
        family_name="",
        sessions=[sessions[1].pk],
        organisation=organisations[1],
    )
    client.post(register_url(event), data)  # Reads the form's choices.
    with CaptureQueriesContext(connection) as queries:
        response = client.post(register_url(event), data)
    page = response.content.decode()
    assert response.status_code == 200
    for session in sessions:
        assert session.title in page
    for organisation in organisations:
        assert organisation.name in page
    assert re.search(rf'value="{sessions[1].pk}"[^>]*checked', page)
    assert re.search(rf'value="{organisations[1].pk}"[^>]*selected', page)
    assert "My organisation is not listed" in page
    read = [query["sql"] for query in queries.captured_queries]
    assert not [sql for sql in read if "registrations_session" in sql], read
    assert not [sql for sql in read if "registrations_organisation" in sql], read


@pytest.mark.django_db(transaction=True)
def test_a_submission_is_one_transaction_without_a_savepoint(client, event):
    organisation = OrganisationFactory()
    queries_of_a_submission(client, event, 1, [], organisation)
    statements = queries_of_a_submission(client, event, 2, [], organisation)
    assert not [sql for sql in statements if "SAVEPOINT" in sql], statements
    assert Registration.objects.filter(email__startswith="submitted").count() == 2


@pytest.mark.skipif(
    not ONE_STATEMENT, reason="a statement of several INSERTs needs PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_a_submission_is_one_statement_that_is_its_own_transaction(client, event):
    sessions = SessionFactory.create_batch(2, event=event)
    organisation = OrganisationFactory()
    queries_of_a_submission(client, event, 1, [], organisation)
    ran = []

    def note(execute, sql, params, many, context):
        # Autocommit: the driver sends no BEGIN before it, nor COMMIT after.
        ran.append((sql.split()[0], context["connection"].connection.autocommit))
        return execute(sql, params, many, context)

    # As in production: the email's task is one more row of the statement.
    with override_settings(TASKS=DATABASE_QUEUE), connection.execute_wrapper(note):
        queries_of_a_submission(client, event, 2, sessions, organisation)
    # The statement prepared by the first submission on this connection.
    assert ran == [("EXECUTE", True)]
    registration = Registration.objects.get(email="submitted2@example.org")
    assert list(registration.sessions.order_by("pk")) == sessions
    assert registration.changes.get().to_status == Status.PENDING
    email = registration.emails.get()
    assert email.kind == "confirmation"
    task = DBTaskResult.objects.get(pk=email.delivery_task)
    assert task.args_kwargs == {"args": [email.pk], "kwargs": {}}
    assert not connection.in_atomic_block and connection.get_autocommit()
