"""Every email is recorded with its decision, sent once, retried, never lost.

These run in the test's own process, with the task backend as the test sets
it; ``test_mail_delivery.py`` runs a real worker against a real SMTP server.
"""

import datetime
import logging
import smtplib
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models.signals import post_save, pre_save
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from django_tasks_db.signal_handlers import set_run_after

from registrations import emails, services
from registrations.mail import outbox, recovery
from registrations.models import OutgoingEmail, Registration
from tests.factories import (
    EventFactory,
    OutgoingEmailFactory,
    RegistrationFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db
Status = Registration.Status
State = OutgoingEmail.State
Kind = OutgoingEmail.Kind

# As in production (settings.TASKS).
DATABASE_QUEUE = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "mail"],
    }
}
SEND = "django.core.mail.EmailMultiAlternatives.send"


@pytest.fixture
def reviewer(db):
    return StaffUserFactory(username="reviewer")


def deliver(email: OutgoingEmail) -> str:
    """Run the delivery task for ``email`` as the worker would."""
    return outbox.deliver_email.call(email.pk)


def refused(*args, **kwargs):
    raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


# Recorded with the decision


def test_a_decision_records_its_email_in_its_own_transaction(reviewer):
    registration = RegistrationFactory(email="Hanako@Example.jp", language="ja")
    services.registration_approve(registration=registration, by=reviewer)
    # The test's transaction has not committed: nothing left, all recorded.
    assert mail.outbox == []
    email = registration.emails.get()
    assert (email.kind, email.recipient, email.language, email.state) == (
        Kind.APPROVED,
        "Hanako@Example.jp",
        "ja",
        State.QUEUED,
    )
    assert (email.attempts, email.last_error, email.sent_at) == (0, "", None)


def test_no_email_is_recorded_when_the_decision_rolls_back(
    reviewer, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.registration_approve(registration=registration, by=reviewer)
            raise RuntimeError("the database went away before the commit")
    assert callbacks == []
    assert not OutgoingEmail.objects.exists()
    assert mail.outbox == []
    registration.refresh_from_db()
    assert registration.status == Status.PENDING


def test_a_refused_decision_records_no_email(reviewer):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event, status=Status.APPROVED)
    registration = RegistrationFactory(event=event)
    with pytest.raises(services.RegistrationError):
        services.registration_approve(registration=registration, by=reviewer)
    assert not registration.emails.exists()


def test_a_submission_records_its_confirmation_and_a_later_repeat_its_link(event):
    details = {
        "given_name": "Hanako",
        "family_name": "Yamada",
        "organisation_other": "Asia Foundation",
        "position": "Counsellor",
        "country": "JP",
        "category": Registration.Category.GOVERNMENT,
    }
    submitted_at = timezone.now()
    # A repeat sends a new link only once the last one is some minutes old.
    for moment in (submitted_at, submitted_at + services.LINK_RESEND_INTERVAL * 2):
        with time_machine.travel(moment, tick=False):
            services.registration_submit(
                event=event,
                email="hanako@example.jp",
                sessions=[],
                language="en",
                **details,
            )
    registration = Registration.objects.get()
    assert list(registration.emails.order_by("pk").values_list("kind", flat=True)) == [
        Kind.CONFIRMATION,
        Kind.LINK_RESENT,
    ]


def test_with_the_database_queue_the_task_commits_or_rolls_back_with_the_decision(
    reviewer,
):
    first, second = RegistrationFactory.create_batch(2)
    with override_settings(TASKS=DATABASE_QUEUE):
        services.registration_approve(registration=first, by=reviewer)
        with pytest.raises(RuntimeError), transaction.atomic():
            services.registration_approve(registration=second, by=reviewer)
            raise RuntimeError("rolled back")
    email = first.emails.get()
    task = DBTaskResult.objects.get()
    assert str(task.id) == email.delivery_task
    assert task.args_kwargs == {"args": [email.pk], "kwargs": {}}
    assert task.queue_name == "mail"
    assert not second.emails.exists()


def test_with_the_database_queue_an_email_names_its_task_as_it_is_inserted():
    registration = RegistrationFactory()
    with override_settings(TASKS=DATABASE_QUEUE):
        with CaptureQueriesContext(connection) as queries:
            email = outbox.email_record(
                registration=registration, kind=Kind.CONFIRMATION
            )
        task = DBTaskResult.objects.get()
    assert str(task.id) == email.delivery_task
    assert OutgoingEmail.objects.get().delivery_task == email.delivery_task
    written = [query["sql"].split()[0] for query in queries.captured_queries]
    assert written == ["INSERT", "INSERT"], written


def queued(task: DBTaskResult) -> dict:
    """Return what the worker reads of a task's row: all but its id and time."""
    row = {
        field.attname: getattr(task, field.attname)
        for field in DBTaskResult._meta.concrete_fields
    }
    del row["id"], row["enqueued_at"]
    return row


@pytest.mark.parametrize("due_in", [None, datetime.timedelta(minutes=10)])
def test_an_emails_task_row_is_the_one_the_queues_own_enqueue_writes(due_in):
    email = OutgoingEmailFactory(
        state=State.RETRYING if due_in else State.QUEUED,
        next_attempt_at=timezone.now() + (due_in or datetime.timedelta(0)),
    )
    with override_settings(TASKS=DATABASE_QUEUE):
        outbox.schedule(email)
        email.refresh_from_db()
        ours = DBTaskResult.objects.get(pk=email.delivery_task)
        delivery = outbox.deliver_email
        if due_in:
            delivery = delivery.using(run_after=email.next_attempt_at)
        theirs = DBTaskResult.objects.get(pk=delivery.enqueue(email.pk).id)
        # The task the worker makes of each row.
        assert ours.task == theirs.task == delivery
    assert queued(ours) == queued(theirs)
    assert abs(ours.enqueued_at - theirs.enqueued_at) < datetime.timedelta(minutes=1)


def test_the_queues_only_receiver_is_the_one_the_task_row_does_the_work_of():
    # outbox.task_row fills in run_after as this receiver would, and the row
    # is written without it: a receiver the library adds must be looked at.
    assert pre_save.disconnect(set_run_after, sender=DBTaskResult)
    try:
        assert not pre_save.has_listeners(DBTaskResult)
        assert not post_save.has_listeners(DBTaskResult)
    finally:
        pre_save.connect(set_run_after, sender=DBTaskResult)


def test_every_kind_of_email_has_its_subject_and_template():
    assert set(Kind.values) == set(emails.SUBJECTS)


# Sent, once


def test_the_email_leaves_after_the_commit_and_is_marked_sent(
    reviewer, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_approve(registration=registration, by=reviewer)
    email = registration.emails.get()
    [message] = mail.outbox
    assert message.to == [registration.email]
    assert message.extra_headers["Message-ID"] == f"<outbox-{email.pk}@127.0.0.1>"
    assert email.state == State.SENT and email.attempts == 1
    assert email.sent_at is not None


def test_a_second_task_for_an_email_sent_sends_nothing():
    email = OutgoingEmailFactory()
    assert deliver(email) == State.SENT
    assert deliver(email) == "skipped"
    assert len(mail.outbox) == 1


def test_the_email_goes_to_the_address_and_language_recorded():
    registration = RegistrationFactory(language="en")
    email = OutgoingEmailFactory(
        registration=registration, language="ja", recipient="other@example.org"
    )
    deliver(email)
    [message] = mail.outbox
    assert message.to == ["other@example.org"]
    assert message.subject.startswith("参加登録承認のお知らせ")


# Retried


def test_a_failed_attempt_is_logged_and_tried_again_after_a_minute(caplog):
    email = OutgoingEmailFactory()
    with (
        time_machine.travel(timezone.now(), tick=False),
        mock.patch(SEND, side_effect=refused),
        caplog.at_level(logging.WARNING),
    ):
        assert deliver(email) == State.RETRYING
    email.refresh_from_db()
    assert email.attempts == 1
    assert email.last_error == (
        "SMTPServerDisconnected: Connection unexpectedly closed"
    )
    assert email.next_attempt_at - email.last_attempt_at == datetime.timedelta(
        seconds=60
    )
    assert (
        f"Registration {email.registration_id}: approved email not sent "
        f"(email {email.pk}, attempt 1)"
    ) in caplog.text

    # Too early: the task scheduled for that minute is the one that sends it.
    assert deliver(email) == "skipped"
    with time_machine.travel(email.next_attempt_at, tick=False):
        assert deliver(email) == State.SENT
    email.refresh_from_db()
    assert (email.state, email.attempts) == (State.SENT, 2)
    assert len(mail.outbox) == 1


def test_the_wait_doubles_from_a_minute_to_an_hour():
    waits = [outbox.retry_delay(n).total_seconds() for n in range(1, 10)]
    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]


def test_retries_go_on_for_a_day_then_the_email_is_failed(caplog):
    email = OutgoingEmailFactory()
    with mock.patch(SEND, side_effect=refused), caplog.at_level(logging.ERROR):
        state = deliver(email)
        while state == State.RETRYING:
            email.refresh_from_db()
            with time_machine.travel(email.next_attempt_at, tick=False):
                state = deliver(email)
    email.refresh_from_db()
    assert email.state == State.FAILED and email.next_attempt_at is None
    assert email.last_attempt_at - email.queued_at >= datetime.timedelta(hours=24)
    assert email.attempts == 30
    assert (
        f"Registration {email.registration_id}: approved email failed for good "
        f"after 30 attempts (email {email.pk})"
    ) in caplog.text
    assert mail.outbox == []


def test_an_address_the_server_refuses_for_good_fails_at_once():
    email = OutgoingEmailFactory()
    refusal = smtplib.SMTPRecipientsRefused(
        {email.recipient: (550, b"5.1.1 No such user")}
    )
    with mock.patch(SEND, side_effect=refusal):
        assert deliver(email) == State.FAILED
    email.refresh_from_db()
    assert email.attempts == 1
    assert email.last_error == "SMTPRecipientsRefused: 550 5.1.1 No such user"


def test_an_address_refused_for_now_is_tried_again():
    email = OutgoingEmailFactory()
    refusal = smtplib.SMTPRecipientsRefused({email.recipient: (451, b"Try later")})
    with mock.patch(SEND, side_effect=refusal):
        assert deliver(email) == State.RETRYING


def test_with_the_database_queue_the_retry_is_a_task_for_its_time():
    email = OutgoingEmailFactory()
    with override_settings(TASKS=DATABASE_QUEUE), mock.patch(SEND, side_effect=refused):
        deliver(email)
    email.refresh_from_db()
    task = DBTaskResult.objects.get(pk=email.delivery_task)
    assert task.run_after == email.next_attempt_at
    assert task.args_kwargs["args"] == [email.pk]


# Recovered


def test_an_attempt_whose_worker_died_is_made_again(caplog):
    email = OutgoingEmailFactory(
        state=State.SENDING,
        attempts=1,
        last_attempt_at=timezone.now() - datetime.timedelta(hours=1),
    )
    with caplog.at_level(logging.WARNING):
        outcome = recovery.emails_recover()
    assert outcome.restarted == [email]
    email.refresh_from_db()
    assert email.state == State.RETRYING
    assert "the worker stopped during it" in email.last_error
    assert f"Registration {email.registration_id}: approved email's" in caplog.text
    assert deliver(email) == State.SENT


def test_an_attempt_under_way_is_left_alone():
    email = OutgoingEmailFactory(
        state=State.SENDING, attempts=1, last_attempt_at=timezone.now()
    )
    assert recovery.emails_recover().restarted == []
    email.refresh_from_db()
    assert email.state == State.SENDING


def test_an_email_whose_task_waits_is_not_handed_over_twice():
    with override_settings(TASKS=DATABASE_QUEUE):
        email = outbox.email_record(
            registration=RegistrationFactory(), kind=Kind.APPROVED
        )
        later = timezone.now() + datetime.timedelta(minutes=30)
        with time_machine.travel(later, tick=False):
            # The worker is stopped: the task still waits for it.
            assert recovery.emails_recover().handed_over == []
            DBTaskResult.objects.all().delete()
            assert recovery.emails_recover().handed_over == [email]
        assert DBTaskResult.objects.count() == 1


def test_without_a_queue_that_waits_the_recovery_sends_the_retries_due(
    django_capture_on_commit_callbacks,
):
    email = OutgoingEmailFactory(
        state=State.RETRYING,
        attempts=1,
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_queued_emails", stdout=mock.Mock())
    email.refresh_from_db()
    assert email.state == State.SENT
    assert len(mail.outbox) == 1


# Sent again by staff


def test_staff_send_failed_emails_again_with_a_new_day_of_retries(
    reviewer, django_capture_on_commit_callbacks
):
    failed = OutgoingEmailFactory(
        state=State.FAILED,
        attempts=29,
        queued_at=timezone.now() - datetime.timedelta(days=2),
        next_attempt_at=None,
    )
    sent = OutgoingEmailFactory(state=State.SENT, sent_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        outcome = outbox.emails_send_again(emails=[failed, sent], by=reviewer)
    assert (outcome.queued, outcome.skipped) == ([failed], [sent])
    failed.refresh_from_db()
    assert failed.state == State.SENT and failed.attempts == 30
    assert timezone.now() - failed.queued_at < datetime.timedelta(minutes=1)
    assert len(mail.outbox) == 1
