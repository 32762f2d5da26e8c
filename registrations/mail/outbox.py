"""The outbox: record each email with its decision, send it from the worker, retry.

Recording. ``email_record`` writes the ``OutgoingEmail`` row inside the
transaction of the decision that causes it (the services call it), so that the
email exists exactly when the decision does. Its delivery is handed to
django-tasks:

- with django-tasks-db (production) the task's row is written in that same
  transaction: the worker sees it when, and only if, the decision commits, and
  a process killed just after the commit loses nothing. The email's row names
  its task as it is inserted, and the task's row is the one the library's
  ``enqueue`` writes, written as the email's is (``task_row``);
- with any other backend (the immediate one in development) the task is
  enqueued once the transaction has committed.

Sending. ``deliver_email``, the task, claims the row, renders the email in the
delegate's language, sends it outside any transaction (the SMTP call is
bounded by ``EMAIL_TIMEOUT``) and records the outcome. A failed attempt is
tried again after a delay that doubles from ``EMAIL_RETRY_FIRST_SECONDS`` up to
``EMAIL_RETRY_MAX_SECONDS``, for ``EMAIL_RETRY_HOURS``; the retry is a task
scheduled with the queue's own ``run_after``. An address the server refuses
for good (a 5xx answer to it) fails at once. A task that finds its email
already sent, failed, claimed by another worker or not yet due does nothing,
so a second task for one email never sends it twice.

What a worker leaves behind when it dies is taken back by ``recovery``.
"""

import datetime
import logging
import smtplib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from registrations.emails import (
    build_delegation_email,
    build_invitation_email,
    build_message_email,
    build_registration_email,
)
from registrations.inserts import Key, insert
from registrations.mail.models import OutgoingEmail
from registrations.models import (
    DelegateMessage,
    Delegation,
    Invitation,
    Registration,
)

logger = logging.getLogger(__name__)

State = OutgoingEmail.State
MAIL_QUEUE = "mail"
# An email still undelivered this long after it was due is overdue: the worker
# is stopped or behind, or its task was lost.
OVERDUE = datetime.timedelta(minutes=5)
# A task may start a moment before the time it was scheduled for.
CLOCK_SLACK = datetime.timedelta(seconds=2)


def retry_delay(attempts: int) -> datetime.timedelta:
    """Return how long to wait after the ``attempts``-th failed attempt."""
    seconds = settings.EMAIL_RETRY_FIRST_SECONDS * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(seconds, settings.EMAIL_RETRY_MAX_SECONDS))


def retry_period() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.EMAIL_RETRY_HOURS)


def stalled_after() -> datetime.timedelta:
    """Return after how long an attempt still under way must have died.

    Each step of an SMTP conversation (connect, greeting, login, each command)
    may take ``EMAIL_TIMEOUT``; ten of them and then some is more than any
    attempt takes.
    """
    return datetime.timedelta(seconds=10 * settings.EMAIL_TIMEOUT) + OVERDUE


def message_id(email: OutgoingEmail) -> str:
    """Return the email's Message-ID, the same on every attempt.

    A mail server or client that sees the same message twice can tell.
    """
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<outbox-{email.pk}@{domain}>"


# Recording


def email_record(
    *,
    kind: str,
    registration: Registration | None = None,
    delegation: Delegation | None = None,
    invitation: Invitation | None = None,
    visa_letter=None,
    message: DelegateMessage | None = None,
    due: datetime.datetime | None = None,
) -> OutgoingEmail:
    """Record the ``kind`` email to its one owner and hand it to the task queue.

    ``visa_letter`` (a delegate's email only) is attached as its PDF when the
    email is sent.

    The owner is a registration (to the delegate), a delegation (to its focal
    point) or a personal invitation (to the invitee). Call it inside the
    transaction of the decision that causes the email: when that rolls back,
    the email is gone with it. ``message``: the staff message it carries;
    ``due``: when it may leave, if later than now (a message's rate).
    """
    if registration is not None:
        recipient, language = registration.email, registration.language
    elif delegation is not None:
        recipient = delegation.focal_point_email
        language = delegation.focal_point_language
    else:
        recipient, language = invitation.email, invitation.language
    # With a queue in the database, the email names its task as it is
    # inserted, rather than in an UPDATE once the task is.
    task_id = uuid.uuid4() if _tasks_in_database() else None
    with transaction.atomic(savepoint=False):
        now = timezone.now()
        email = OutgoingEmail(
            registration=registration,
            delegation=delegation,
            invitation=invitation,
            visa_letter=visa_letter,
            message=message,
            recipient=recipient,
            kind=kind,
            language=language,
            created_at=now,
            queued_at=due or now,
            next_attempt_at=due or now,
            delivery_task=str(task_id or ""),
        )
        insert([email])
        schedule(email, task_id=task_id)
    return email


def _tasks_in_database() -> bool:
    return isinstance(deliver_email.get_backend(), DatabaseBackend)


def schedule(email: OutgoingEmail, *, task_id: uuid.UUID | None = None) -> None:
    """Hand ``email`` to the task queue for its next attempt.

    Called in the transaction that saved the email's new state, with the id
    of the task its row names already, if any.
    """
    backend = deliver_email.get_backend()
    due = email.next_attempt_at
    later = due is not None and due > timezone.now()
    if later and not backend.supports_defer:
        # This backend cannot wait: recovery.emails_recover sends it when due.
        return
    delivery = deliver_email.using(run_after=due) if later else deliver_email
    if isinstance(backend, DatabaseBackend):
        # The task's row commits, or rolls back, with the email's.
        task_id = task_id or uuid.uuid4()
        insert([task_row(delivery, Key(email), task_id)], without_signals=True)
        if str(task_id) != email.delivery_task:  # a new attempt's task
            email.delivery_task = str(task_id)
            OutgoingEmail.objects.filter(pk=email.pk).update(
                delivery_task=email.delivery_task
            )
    else:
        transaction.on_commit(lambda: delivery.enqueue(email.pk), robust=True)


def task_row(delivery: Task, email_id: int | Key, task_id: uuid.UUID) -> DBTaskResult:
    """Return the row that ``delivery.enqueue(email_id)`` writes in django-tasks-db.

    ``insert`` writes it as it writes the email, cheaper than the ORM's
    ``create()`` in ``enqueue``. The backend checked the task when it was
    made, ``run_after`` is filled in as the library's ``pre_save`` does, and
    only the debug line of its ``task_enqueued`` signal is lost.
    """
    return DBTaskResult(
        id=task_id,
        args_kwargs={"args": [email_id], "kwargs": {}},
        priority=delivery.priority,
        task_path=delivery.module_path,
        queue_name=delivery.queue_name,
        run_after=delivery.run_after or get_date_max(),
        backend_name=delivery.backend,
    )


# Sending


@task(queue_name=MAIL_QUEUE)
def deliver_email(email_id: int) -> str:
    """Send one outbox email if it is still due; return the state it is left in."""
    return email_deliver(email_id=email_id)


def email_deliver(*, email_id: int) -> str:
    """Make one attempt at sending the email, and record how it went."""
    email = _claim(email_id)
    if email is None:
        return "skipped"
    try:
        _render(email).send()
    except Exception as error:  # noqa: BLE001 - every failure is recorded and retried
        return _record_failure(email, error)
    OutgoingEmail.objects.filter(pk=email.pk).exclude(state=State.SENT).update(
        state=State.SENT, sent_at=timezone.now(), next_attempt_at=None
    )
    logger.info(
        "%s: %s email sent (email %s, attempt %s)",
        email.owner_label,
        email.kind,
        email.pk,
        email.attempts,
    )
    return State.SENT


def _claim(email_id: int) -> OutgoingEmail | None:
    """Mark the email as being sent, if it is due and nobody else has it."""
    now = timezone.now()
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id)
            .first()
        )
        if email is None or email.state not in (State.QUEUED, State.RETRYING):
            return None
        if email.next_attempt_at and email.next_attempt_at > now + CLOCK_SLACK:
            # An early task: the one scheduled for that time will send it.
            return None
        email.state = State.SENDING
        email.attempts += 1
        email.last_attempt_at = now
        email.save(update_fields=["state", "attempts", "last_attempt_at"])
    return email


def _render(email: OutgoingEmail):
    """Return the message to send: rendered now, to the address recorded.

    In the language recorded with the decision.
    """
    if email.registration_id:
        registration = Registration.objects.select_related(
            "event", "organisation", "delegation__organisation"
        ).get(pk=email.registration_id)
        registration.language = email.language
        if email.message_id:
            message = build_message_email(registration, email.message)
        else:
            message = build_registration_email(
                registration, email.kind, visa_letter=email.visa_letter
            )
    elif email.delegation_id:
        delegation = Delegation.objects.select_related("event", "organisation").get(
            pk=email.delegation_id
        )
        delegation.focal_point_language = email.language
        message = build_delegation_email(delegation, email.kind)
    else:
        invitation = Invitation.objects.select_related("event").get(
            pk=email.invitation_id
        )
        invitation.language = email.language
        message = build_invitation_email(invitation, email.kind)
    message.to = [email.recipient]
    message.extra_headers["Message-ID"] = message_id(email)
    return message


def as_text(answer: bytes | str) -> str:
    return answer.decode(errors="replace") if isinstance(answer, bytes) else answer


def describe(error: BaseException) -> str:
    """Return what went wrong, as a line for staff and the log."""
    if isinstance(error, smtplib.SMTPResponseException):
        detail = f"{error.smtp_code} {as_text(error.smtp_error)}"
    elif isinstance(error, smtplib.SMTPRecipientsRefused):
        detail = "; ".join(
            f"{code} {as_text(text)}" for code, text in error.recipients.values()
        )
    else:
        detail = str(error) or repr(error)
    return f"{type(error).__name__}: {detail}"[:1000]


def is_permanent(error: BaseException) -> bool:
    """Return whether the server refused the address itself, for good (5xx)."""
    return (
        isinstance(error, smtplib.SMTPRecipientsRefused)
        and bool(error.recipients)
        and all(500 <= code < 600 for code, _text in error.recipients.values())
    )


def _record_failure(email: OutgoingEmail, error: BaseException) -> str:
    """Schedule the next attempt, or give up after the retry period."""
    now = timezone.now()
    reason = describe(error)
    with transaction.atomic():
        current = OutgoingEmail.objects.select_for_update().filter(pk=email.pk).first()
        if current is None or current.state != State.SENDING:
            # Deleted with its owner, or taken back by emails_recover.
            return current.state if current else "gone"
        current.last_error = reason
        if is_permanent(error) or now >= current.queued_at + retry_period():
            current.state = State.FAILED
            current.next_attempt_at = None
        else:
            current.state = State.RETRYING
            current.next_attempt_at = now + retry_delay(current.attempts)
        current.save(update_fields=["state", "last_error", "next_attempt_at"])
        if current.state == State.RETRYING:
            schedule(current)
    if current.state == State.FAILED:
        logger.error(
            "%s: %s email failed for good after %s attempts "
            "(email %s): %s. Staff can send it again from the admin's emails.",
            current.owner_label,
            current.kind,
            current.attempts,
            current.pk,
            reason,
        )
    else:
        logger.warning(
            "%s: %s email not sent (email %s, attempt %s): %s. Next attempt at %s.",
            current.owner_label,
            current.kind,
            current.pk,
            current.attempts,
            reason,
            timezone.localtime(current.next_attempt_at).isoformat(timespec="seconds"),
        )
    return current.state


# Staff


@dataclass
class SendAgainOutcome:
    """What ``emails_send_again`` did: which it queued, which it left alone."""

    queued: list[OutgoingEmail] = field(default_factory=list)
    skipped: list[OutgoingEmail] = field(default_factory=list)


def emails_send_again(
    *, emails: Iterable[OutgoingEmail], by: AbstractBaseUser
) -> SendAgainOutcome:
    """Queue failed emails, and those waiting to retry, for an attempt now.

    Each gets a new retry period. Emails sent, or on their way, are skipped:
    sending them again would give the delegate a second copy.
    """
    outcome = SendAgainOutcome()
    with transaction.atomic():
        now = timezone.now()
        chosen = OutgoingEmail.objects.select_for_update().filter(
            pk__in=[email.pk for email in emails]
        )
        for email in chosen.order_by("pk"):
            if email.state not in (State.FAILED, State.RETRYING):
                outcome.skipped.append(email)
                continue
            email.state = State.QUEUED
            email.queued_at = email.next_attempt_at = now
            email.save(update_fields=["state", "queued_at", "next_attempt_at"])
            schedule(email)
            outcome.queued.append(email)
            logger.info(
                "%s: %s email queued again by %s (email %s)",
                email.owner_label,
                email.kind,
                by.get_username(),
                email.pk,
            )
    return outcome
