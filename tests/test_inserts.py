"""Rows written by ``inserts.insert`` are the rows ``save()`` would write.

The open form writes its registration, sessions, history and email with it;
whatever only the ORM can do (a receiver, a value the database computes, an
unsaved related object) is still done, or refused, as ``save()`` does.
"""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Now
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from registrations.inserts import insert
from registrations.mail.models import OutgoingEmail
from registrations.models import Registration, RegistrationChange, RegistrationSession
from tests.factories import OrganisationFactory, SessionFactory

pytestmark = pytest.mark.django_db


def stored(instance) -> dict:
    """Return what the instance holds in each of its columns."""
    return {
        field.attname: getattr(instance, field.attname)
        for field in type(instance)._meta.concrete_fields
    }


def new_registration(event, **overrides) -> Registration:
    values = dict(
        event=event,
        honorific="dr",
        given_name="Maria",
        family_name="Santos",
        name_ja="サントス マリア",
        email="maria.santos@example.ph",
        organisation=OrganisationFactory(),
        position="Director",
        country="PH",
        category=Registration.Category.GOVERNMENT,
        dietary_needs="Halal",
        accessibility_needs="Hearing loop",
        interpretation=Registration.Interpretation.INTO_JAPANESE,
        visa_needed=True,
        language="ja",
        consent_given_at=timezone.now(),
    )
    return Registration(**{**values, **overrides})


def test_a_registration_is_stored_with_every_value_it_was_given(event, monkeypatch):
    registration = new_registration(event)

    def refuse(*args, **kwargs):
        raise AssertionError("stored by save(), not by its own statement")

    monkeypatch.setattr(Registration, "save", refuse)
    with CaptureQueriesContext(connection) as queries:
        insert([registration])
    monkeypatch.undo()
    assert len(queries) == 1
    assert registration.pk is not None
    assert not registration._state.adding
    assert registration._state.db == "default"
    given = stored(registration)
    registration.refresh_from_db()
    assert stored(registration) == given
    assert Registration.objects.get(pk=registration.pk).token == given["token"]


def test_the_sessions_of_a_registration_are_stored_in_one_statement(event):
    registration = new_registration(event)
    insert([registration])
    sessions = SessionFactory.create_batch(3, event=event)
    chosen = [
        RegistrationSession(registration=registration, session=session)
        for session in sessions
    ]
    with CaptureQueriesContext(connection) as queries:
        insert(chosen)
    assert len(queries) == 1
    assert [choice.session_id for choice in chosen] == [s.pk for s in sessions]
    assert len({choice.pk for choice in chosen}) == 3
    for choice in chosen:
        assert RegistrationSession.objects.get(pk=choice.pk).session == choice.session
    assert list(registration.sessions.order_by("pk")) == sessions


def test_a_row_inserted_can_be_what_the_next_rows_point_to(event):
    registration = new_registration(event)
    insert([registration])
    change = RegistrationChange(
        registration=registration,
        changed_at=timezone.now(),
        actor="delegate",
        to_status=Registration.Status.PENDING,
        fields=["email"],
    )
    email = OutgoingEmail(
        registration=registration,
        recipient=registration.email,
        kind=OutgoingEmail.Kind.CONFIRMATION,
        language=registration.language,
    )
    insert([change])
    insert([email])
    assert registration.changes.get().fields == ["email"]
    assert OutgoingEmail.objects.get(registration=registration).pk == email.pk


def test_nothing_is_written_for_no_instances(event):
    with CaptureQueriesContext(connection) as queries:
        insert([])
    assert len(queries) == 0


def test_the_address_constraint_refuses_a_second_registration_and_keeps_the_first(
    event,
):
    insert([new_registration(event)])
    with pytest.raises(IntegrityError), transaction.atomic():
        insert([new_registration(event, email="Maria.Santos@example.ph")])
    assert Registration.objects.filter(event=event).count() == 1


def test_an_unsaved_related_object_is_refused_as_save_refuses_it(event):
    unsaved = new_registration(event)
    session = SessionFactory(event=event)
    with pytest.raises(ValueError, match="unsaved related object"):
        insert([RegistrationSession(registration=unsaved, session=session)])
    assert not RegistrationSession.objects.exists()


def test_a_model_with_a_receiver_is_saved_by_the_orm_so_the_receiver_runs(event):
    heard = []

    def receiver(sender, instance, created, **kwargs):
        heard.append((instance.pk, created))

    post_save.connect(receiver, sender=Registration)
    try:
        registration = new_registration(event)
        insert([registration])
    finally:
        post_save.disconnect(receiver, sender=Registration)
    assert heard == [(registration.pk, True)]
    assert Registration.objects.filter(pk=registration.pk).exists()


def test_a_model_with_a_pre_save_receiver_is_saved_by_the_orm(event):
    def receiver(sender, instance, **kwargs):
        instance.note = "Seen before saving"

    pre_save.connect(receiver, sender=RegistrationChange)
    try:
        registration = new_registration(event)
        insert([registration])
        change = RegistrationChange(
            registration=registration, changed_at=timezone.now(), actor="delegate"
        )
        insert([change])
    finally:
        pre_save.disconnect(receiver, sender=RegistrationChange)
    assert RegistrationChange.objects.get(pk=change.pk).note == "Seen before saving"


def test_instances_of_two_models_are_refused(event):
    registration = new_registration(event)
    insert([registration])
    change = RegistrationChange(
        registration=registration, changed_at=timezone.now(), actor="delegate"
    )
    with pytest.raises(TypeError, match="one model"):
        insert([change, new_registration(event, email="other@example.org")])
    assert not RegistrationChange.objects.exists()


def test_a_value_the_database_computes_is_left_to_the_orm(event):
    registration = new_registration(event)
    insert([registration])
    change = RegistrationChange(
        registration=registration, changed_at=Now(), actor="delegate"
    )
    insert([change])
    change.refresh_from_db()
    assert change.changed_at is not None
    assert abs(change.changed_at - timezone.now()).total_seconds() < 60


def test_an_instance_with_its_key_is_stored_under_that_key(event):
    registration = new_registration(event, pk=4242)
    insert([registration])
    assert Registration.objects.get(pk=4242).email == "maria.santos@example.ph"


def new_task() -> DBTaskResult:
    # django-tasks-db's queue row: a UUID key from its field's default.
    return DBTaskResult(
        args_kwargs={"args": [1], "kwargs": {}},
        task_path="registrations.mail.outbox.deliver_email",
        queue_name="mail",
        backend_name="default",
        run_after=timezone.now(),
    )


def test_a_model_whose_key_python_gives_is_stored_in_one_statement_under_it(event):
    task = new_task()
    given = task.pk
    with CaptureQueriesContext(connection) as queries:
        insert([task], without_signals=True)
    assert [query["sql"].split()[0] for query in queries.captured_queries] == ["INSERT"]
    assert task.pk == given and not task._state.adding
    assert stored(DBTaskResult.objects.get(pk=given)) == stored(task)


def test_without_signals_the_rows_are_written_without_the_models_receivers(event):
    heard = []

    def receiver(sender, instance, **kwargs):
        heard.append(instance)

    pre_save.connect(receiver, sender=Registration)
    post_save.connect(receiver, sender=Registration)
    try:
        registration = new_registration(event)
        insert([registration], without_signals=True)
    finally:
        pre_save.disconnect(receiver, sender=Registration)
        post_save.disconnect(receiver, sender=Registration)
    assert heard == []
    assert stored(Registration.objects.get(pk=registration.pk)) == stored(registration)


def test_an_instance_whose_given_key_was_cleared_gets_one_as_save_gives_it(event):
    task = new_task()
    task.pk = None
    insert([task], without_signals=True)
    assert task.pk is not None
    assert DBTaskResult.objects.get().pk == task.pk
