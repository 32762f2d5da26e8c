"""What a dead worker leaves behind, taken back; and how the outbox stands.

``emails_recover`` (the ``send_queued_emails`` command, run every few minutes)
takes back an attempt whose worker died in the middle of it, and hands over
again an email whose delivery task is gone. The first may send an email twice
(the server may have taken it just before the worker died), never zero times.
With a backend that cannot schedule (the immediate one) it also sends the
retries that have come due.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch

from registrations.mail.models import OutgoingEmail
from registrations.mail.outbox import OVERDUE, deliver_email, schedule, stalled_after

logger = logging.getLogger(__name__)

State = OutgoingEmail.State


@dataclass
class RecoverOutcome:
    """What ``emails_recover`` did."""

    restarted: list[OutgoingEmail] = field(default_factory=list)
    handed_over: list[OutgoingEmail] = field(default_factory=list)


def _delivery_waiting(email: OutgoingEmail, *, now, stalled: datetime.timedelta):
    """Return whether the email's last delivery task is still to run, or running."""
    backend = deliver_email.get_backend()
    if not email.delivery_task or not backend.supports_get_result:
        return False
    try:
        result = deliver_email.get_result(email.delivery_task)
    except (TaskResultDoesNotExist, TaskResultMismatch):
        return False
    if result.status == TaskResultStatus.READY:
        return True
    if result.status == TaskResultStatus.RUNNING:
        return bool(result.started_at and result.started_at > now - stalled)
    return False


def emails_recover(*, stalled: datetime.timedelta | None = None) -> RecoverOutcome:
    """Take back attempts whose worker died, and hand over emails left without a task.

    ``stalled``: after how long an attempt under way is taken to have died
    (``stalled_after()`` unless given).
    """
    stalled = stalled or stalled_after()
    backend = deliver_email.get_backend()
    outcome = RecoverOutcome()
    with transaction.atomic():
        now = timezone.now()
        dead = OutgoingEmail.objects.select_for_update(skip_locked=True).filter(
            state=State.SENDING, last_attempt_at__lt=now - stalled
        )
        for email in dead.order_by("pk"):
            email.state = State.RETRYING
            email.next_attempt_at = now
            email.last_error = (
                "The attempt did not finish: the worker stopped during it. The "
                "server may or may not have taken the email; it is sent again."
            )
            email.save(update_fields=["state", "next_attempt_at", "last_error"])
            schedule(email)
            outcome.restarted.append(email)
            logger.warning(
                "%s: %s email's attempt %s did not finish (email %s); "
                "sending it again.",
                email.owner_label,
                email.kind,
                email.attempts,
                email.pk,
            )
        # A backend that can schedule has a task waiting for every retry; only
        # an overdue email may have lost its task. One that cannot schedule
        # leaves every due retry to this function.
        due_before = now - OVERDUE if backend.supports_defer else now
        waiting = OutgoingEmail.objects.select_for_update(skip_locked=True).filter(
            state__in=[State.QUEUED, State.RETRYING], next_attempt_at__lte=due_before
        )
        for email in waiting.order_by("next_attempt_at", "pk"):
            if _delivery_waiting(email, now=now, stalled=stalled):
                continue
            email.next_attempt_at = now
            email.save(update_fields=["next_attempt_at"])
            schedule(email)
            outcome.handed_over.append(email)
    return outcome


# Health


@dataclass
class MailHealth:
    """How the outbox stands, for /healthz."""

    waiting: int
    retrying: int
    overdue: int
    oldest_overdue: datetime.datetime | None
    failed: int

    @property
    def troubled(self) -> bool:
        """Whether mail is delayed: the server refuses, or the worker is behind."""
        return bool(self.retrying or self.overdue)


def mail_health() -> MailHealth:
    """Count the undelivered emails by what they wait for; two indexed queries."""
    now = timezone.now()
    late = Q(next_attempt_at__lt=now - OVERDUE)
    counts = OutgoingEmail.objects.undelivered().aggregate(
        waiting=Count("pk", filter=~Q(state=State.RETRYING)),
        retrying=Count("pk", filter=Q(state=State.RETRYING)),
        overdue=Count("pk", filter=late),
        oldest_overdue=Min("next_attempt_at", filter=late),
    )
    return MailHealth(
        **counts, failed=OutgoingEmail.objects.filter(state=State.FAILED).count()
    )
