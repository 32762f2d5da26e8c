"""Migrations keep the data they reshape."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("registrations", "0003_reviewers_group")]
AFTER = [("registrations", "0004_registration_session_and_sectors")]


def migrate(targets):
    """Migrate the test database to ``targets``; return the models as they were."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest():
    """Leave the database migrated to the end, whatever the test did."""
    yield
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_sessions_delegates_chose_survive_their_new_model(back_to_latest):
    old = migrate(BEFORE)
    Event = old.get_model("registrations", "Event")
    Session = old.get_model("registrations", "Session")
    Registration = old.get_model("registrations", "Registration")
    start = datetime.datetime(2027, 1, 20, 0, 30, tzinfo=datetime.UTC)
    event = Event.objects.create(
        title="Symposium",
        slug="symposium",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=8),
        venue="Tokyo",
        host="MOFA",
        contact_email="s@example.org",
        registration_opens_at=start - datetime.timedelta(days=60),
        registration_closes_at=start - datetime.timedelta(days=1),
        capacity=300,
    )
    opening, panel = (
        Session.objects.create(
            event=event,
            title=title,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
        )
        for title in ("Opening", "Panel")
    )
    submitted = start - datetime.timedelta(days=20)
    registration = Registration.objects.create(
        event=event,
        given_name="Hanako",
        family_name="Yamada",
        email="hanako@example.jp",
        organisation_other="Kyodo News",
        position="Reporter",
        country="JP",
        category="press",
        consent_given_at=submitted,
        submitted_at=submitted,
    )
    registration.sessions.set([opening, panel])

    new = migrate(AFTER)
    RegistrationSession = new.get_model("registrations", "RegistrationSession")
    chosen = RegistrationSession.objects.filter(registration_id=registration.pk)
    assert sorted(chosen.values_list("session__title", flat=True)) == [
        "Opening",
        "Panel",
    ]
    assert {choice.chosen_at for choice in chosen} == {submitted}
