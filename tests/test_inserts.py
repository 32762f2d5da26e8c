"""Rows written by ``inserts.insert`` are the rows ``save()`` would write.

The open form writes its registration, sessions, history and email with it,
in one statement (``in_one_statement``); whatever only the ORM can do (a
receiver, a value the database computes, an unsaved related object) is still
done, or refused, as ``save()`` does.
"""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Now
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_tasks_db.models import DBTaskResult

from registrations.inserts import Key, in_one_statement, insert
from registrations.inserts.together import execute_prepared
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
    if "organisation" not in overrides:
        values["organisation"] = OrganisationFactory()
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


def test_a_value_of_another_type_is_stored_as_save_would_store_it(event):
    registration = new_registration(
        event, position=gettext_lazy("Director"), listed_in_participants=1
    )
    insert([registration])
    registration.refresh_from_db()
    assert registration.position == "Director"
    assert registration.listed_in_participants is True


def new_email(registration) -> OutgoingEmail:
    return OutgoingEmail(
        registration=registration,
        recipient=registration.email,
        kind=OutgoingEmail.Kind.CONFIRMATION,
        language=registration.language,
    )


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
    email = new_email(registration)
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


# Rows that belong together, in one statement

ONE_STATEMENT = connection.vendor == "postgresql"


def rows_of_a_registration(event, sessions, **details) -> list:
    """Give ``insert`` a registration and the rows that point to it, as a form does."""
    registration = new_registration(
        event, organisation=None, organisation_other="Asia Foundation", **details
    )
    insert([registration])
    choices = [
        RegistrationSession(registration=registration, session=session)
        for session in sessions
    ]
    insert(choices)
    change = RegistrationChange(
        registration=registration, changed_at=timezone.now(), actor="delegate"
    )
    insert([change])
    email = new_email(registration)
    insert([email])
    task = new_task()
    task.args_kwargs = {"args": [Key(email)], "kwargs": {}}
    insert([task], without_signals=True)
    return [registration, *choices, change, email, task]


def test_the_rows_of_a_block_are_written_at_its_end_each_pointing_to_the_last(event):
    sessions = SessionFactory.create_batch(2, event=event)
    with CaptureQueriesContext(connection) as queries:
        with in_one_statement():
            rows = rows_of_a_registration(event, sessions)
            assert [row.pk for row in rows[:-1]] == [None] * 5
            assert not Registration.objects.exists()
    registration, *choices, change, email, task = rows
    inserts = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith(("INSERT", "WITH"))
    ]
    assert len(inserts) == (1 if ONE_STATEMENT else 5), inserts
    assert all(not row._state.adding for row in rows)
    for row in rows:
        assert stored(type(row).objects.get(pk=row.pk)) == stored(row)
    assert [choice.registration_id for choice in choices] == [registration.pk] * 2
    assert list(registration.sessions.order_by("pk")) == sessions
    assert change.registration_id == email.registration_id == registration.pk
    assert DBTaskResult.objects.get().args_kwargs == {"args": [email.pk], "kwargs": {}}
    assert task.args_kwargs == {"args": [email.pk], "kwargs": {}}


def test_a_key_in_a_json_value_is_the_instances_once_it_has_one(event):
    registration = new_registration(event)
    insert([registration])
    email = new_email(registration)
    task = new_task()
    task.args_kwargs = {"args": [Key(email)], "kwargs": {}}
    with pytest.raises(ValueError, match="unsaved OutgoingEmail"):
        insert([task], without_signals=True)
    insert([email])
    insert([task], without_signals=True)
    assert DBTaskResult.objects.get().args_kwargs == {"args": [email.pk], "kwargs": {}}


def test_a_block_that_fails_writes_nothing_and_the_callers_transaction_goes_on(
    event,
):
    insert([new_registration(event)])
    with transaction.atomic():
        with pytest.raises(IntegrityError), in_one_statement():
            rows_of_a_registration(event, [], email="Maria.Santos@example.ph")
        with pytest.raises(RuntimeError), in_one_statement():
            rows_of_a_registration(event, [], email="other@example.org")
            raise RuntimeError("the caller changed its mind")
        insert([new_registration(event, email="third@example.org")])
    assert Registration.objects.count() == 2
    assert not OutgoingEmail.objects.exists() and not DBTaskResult.objects.exists()


def test_rows_only_save_can_write_are_written_one_model_at_a_time(event):
    heard = []

    def receiver(sender, instance, created, **kwargs):
        heard.append(instance.registration_id)

    post_save.connect(receiver, sender=RegistrationChange)
    try:
        with in_one_statement():
            registration, change, *_ = rows_of_a_registration(event, [])
    finally:
        post_save.disconnect(receiver, sender=RegistrationChange)
    assert heard == [registration.pk]
    assert RegistrationChange.objects.get().registration == registration
    assert DBTaskResult.objects.get().args_kwargs["args"] == [
        OutgoingEmail.objects.get().pk
    ]


def test_after_the_block_each_row_keeps_the_instances_it_points_to(event):
    with in_one_statement():
        registration, choice, change, email, task = rows_of_a_registration(
            event, [SessionFactory(event=event)]
        )
    with CaptureQueriesContext(connection) as queries:
        assert choice.registration is change.registration is registration
        assert email.registration is registration
    assert len(queries) == 0


def test_rows_pointing_to_one_of_several_are_written_after_them(event):
    registration = new_registration(event)
    insert([registration])
    with in_one_statement():
        emails = [new_email(registration), new_email(registration)]
        insert(emails)
        task = new_task()
        task.args_kwargs = {"args": [Key(emails[1])], "kwargs": {}}
        insert([task], without_signals=True)
    assert DBTaskResult.objects.get().args_kwargs == {
        "args": [emails[1].pk],
        "kwargs": {},
    }


def test_a_json_value_that_is_a_key_is_written_after_the_row_it_names(event):
    registration = new_registration(event)
    insert([registration])
    with in_one_statement():
        email = new_email(registration)
        insert([email])
        task = new_task()
        task.return_value = Key(email)
        insert([task], without_signals=True)
    assert DBTaskResult.objects.get().return_value == email.pk == task.return_value


def test_an_empty_block_or_one_rolled_back_writes_nothing(event):
    with CaptureQueriesContext(connection) as queries, in_one_statement():
        insert([])
    assert not [query for query in queries if "SAVEPOINT" not in query["sql"]]
    with transaction.atomic():
        with in_one_statement():
            rows_of_a_registration(event, [])
            transaction.set_rollback(True)
        assert not Registration.objects.exists()


def test_blocks_do_not_nest_nor_give_rows_to_a_savepoint_inside(event):
    registration = new_registration(event)
    with pytest.raises(RuntimeError, match="do not nest"), in_one_statement():
        insert([registration])
        with in_one_statement():
            pass
    with pytest.raises(RuntimeError, match="savepoint"), in_one_statement():
        insert([registration])
        with transaction.atomic():
            insert([new_email(registration)])
    with in_one_statement():
        insert([registration])
        # Without a savepoint, its rows share the block's fate: allowed.
        with transaction.atomic(savepoint=False):
            insert([new_email(registration)])
    assert registration.emails.count() == 1


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_callbacks_run_once_the_rows_are_committed(event):
    seen = []
    with in_one_statement():
        registration, *_ = rows_of_a_registration(event, [])
        transaction.on_commit(
            lambda: seen.append(
                Registration.objects.filter(pk=registration.pk).exists()
            )
        )
    assert seen == [True]
    assert not connection.in_atomic_block and connection.get_autocommit()
    # A statement run in the block begins its transaction: the rows are
    # written in it.
    with in_one_statement():
        rows_of_a_registration(event, [], email="second@example.org")
        assert Registration.objects.count() == 1
    assert Registration.objects.count() == 2
    # A refused statement leaves the connection as it was.
    with pytest.raises(IntegrityError), in_one_statement():
        rows_of_a_registration(event, [])
    assert Registration.objects.count() == 2 and connection.get_autocommit()


def prepared_statements() -> list[str]:
    """Return the names of the statements prepared on the connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements ORDER BY name")
        return [name for (name,) in cursor.fetchall()]


def first_words(run: list):
    """An execute wrapper that keeps the first word of each statement in ``run``."""

    def note(execute, sql, params, many, context):
        run.append(sql.split()[0])
        return execute(sql, params, many, context)

    return note


@pytest.mark.skipif(
    not ONE_STATEMENT, reason="statements are prepared on PostgreSQL alone"
)
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_statement_is_prepared_once_per_connection(event):
    sessions = SessionFactory.create_batch(2, event=event)
    connection.close()
    run = []
    with connection.execute_wrapper(first_words(run)):
        for number in range(3):
            with in_one_statement():
                rows_of_a_registration(event, sessions, email=f"d{number}@example.org")
        # Another shape of rows is another statement.
        with in_one_statement():
            rows_of_a_registration(event, [], email="d3@example.org")
    assert run == ["EXECUTE"] * 4
    assert len(prepared_statements()) == 2
    assert Registration.objects.count() == 4
    assert RegistrationSession.objects.count() == 6
    assert DBTaskResult.objects.count() == 4
    # A new connection prepares its own.
    connection.close()
    assert prepared_statements() == []
    with in_one_statement():
        rows_of_a_registration(event, sessions, email="d4@example.org")
    assert len(prepared_statements()) == 1


@pytest.mark.skipif(
    not ONE_STATEMENT, reason="statements are prepared on PostgreSQL alone"
)
@pytest.mark.django_db(transaction=True)
def test_rows_are_written_when_the_prepared_statement_is_gone(event):
    sessions = SessionFactory.create_batch(2, event=event)
    with in_one_statement():
        rows_of_a_registration(event, sessions, email="e1@example.org")
    # As a connection pooler's DISCARD ALL would.
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    with in_one_statement():
        registration, *_ = rows_of_a_registration(
            event, sessions, email="e2@example.org"
        )
    assert list(registration.sessions.order_by("pk")) == sessions
    assert connection.get_autocommit()
    run = []
    with connection.execute_wrapper(first_words(run)), in_one_statement():
        rows_of_a_registration(event, sessions, email="e3@example.org")
    assert run == ["EXECUTE"]
    assert len(prepared_statements()) == 1
    assert Registration.objects.count() == 3
    # Prepared by another client of a pooler's server connection, which only
    # this statement's text names so.
    del connection.prepared_statements
    with connection.execute_wrapper(first_words(run)), in_one_statement():
        rows_of_a_registration(event, sessions, email="e4@example.org")
    assert run == ["EXECUTE", "EXECUTE"]
    assert len(prepared_statements()) == 1
    assert Registration.objects.filter(email="e4@example.org").exists()


@pytest.mark.skipif(
    not ONE_STATEMENT, reason="statements are prepared on PostgreSQL alone"
)
@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_the_statement_runs_as_written(event):
    run = []
    with transaction.atomic(), connection.execute_wrapper(first_words(run)):
        with in_one_statement():
            rows_of_a_registration(event, [])
    # In a savepoint of the caller's transaction.
    assert run == ["SAVEPOINT", "WITH", "RELEASE"]
    assert prepared_statements() == []
    assert Registration.objects.count() == 1


@pytest.mark.skipif(
    not ONE_STATEMENT, reason="statements are prepared on PostgreSQL alone"
)
@pytest.mark.django_db(transaction=True)
def test_a_prepared_statement_without_values_or_whose_plan_went_stale_still_runs(
    event,
):
    with connection.cursor() as cursor:
        execute_prepared(connection, cursor, "SELECT 1", [])
        assert cursor.fetchone() == (1,)
        cursor.execute("CREATE TEMPORARY TABLE counted (number integer)")
        cursor.execute("INSERT INTO counted VALUES (7)")
        execute_prepared(connection, cursor, "SELECT number FROM counted", [])
        assert cursor.fetchone() == (7,)
        # As a migration that changes a column's type, on a connection kept open.
        cursor.execute("ALTER TABLE counted ALTER COLUMN number TYPE text")
        execute_prepared(connection, cursor, "SELECT number FROM counted", [])
        assert cursor.fetchone() == ("7",)
        execute_prepared(connection, cursor, "SELECT number FROM counted", [])
        assert cursor.fetchone() == ("7",)
    assert connection.get_autocommit()
