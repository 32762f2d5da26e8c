"""The status workflow: which transitions exist, and the reviewer's decisions.

Every change of status goes through ``move``: it saves the new status, records
the step in the history and schedules the delegate's email.
"""

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from registrations import signals
from registrations.errors import RegistrationError, lower_label
from registrations.models import ATTENDING, Registration, RegistrationChange
from registrations.services.capacity import lock_registration, refuse_if_full
from registrations.services.history import record_change
from registrations.services.notifications import notify_delegate

logger = logging.getLogger(__name__)

Status = Registration.Status
Actor = RegistrationChange.Actor

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PENDING: frozenset(
        {
            Status.APPROVED,
            Status.REJECTED,
            Status.WAITLISTED,
            Status.CANCELLED,
        }
    ),
    Status.WAITLISTED: frozenset({Status.APPROVED, Status.REJECTED, Status.CANCELLED}),
    Status.APPROVED: frozenset({Status.CANCELLED}),
    Status.REJECTED: frozenset(),
    Status.CANCELLED: frozenset(),
}


@dataclass
class ReviewOutcome:
    """The result of reviewing several registrations at once.

    ``not_reached``: those left as they were because the time limit ran out.
    """

    changed: list[Registration] = field(default_factory=list)
    refused: list[tuple[Registration, str]] = field(default_factory=list)
    not_reached: list[Registration] = field(default_factory=list)


def can_transition(*, registration: Registration, to_status: str) -> bool:
    """Return whether the workflow allows ``registration`` to reach ``to_status``."""
    return to_status in ALLOWED_TRANSITIONS[registration.status]


def delegate_can_edit(*, registration: Registration, at=None) -> bool:
    """Return whether the delegate may still correct their registration.

    Only while it is pending, and only until the event starts.
    """
    at = at or timezone.now()
    return registration.status == Status.PENDING and at < registration.event.starts_at


def delegate_can_cancel(*, registration: Registration, at=None) -> bool:
    """Return whether the delegate may cancel: any live status, until the event."""
    at = at or timezone.now()
    return (
        can_transition(registration=registration, to_status=Status.CANCELLED)
        and at < registration.event.starts_at
    )


def check_transition(registration: Registration, to_status: str) -> None:
    """Raise, saying why, unless the workflow allows this step."""
    if can_transition(registration=registration, to_status=to_status):
        return
    if registration.status == to_status:
        message = _("The registration is already %(status)s.")
    else:
        message = _("A registration that is %(status)s cannot become %(target)s.")
    raise RegistrationError(
        message,
        code="illegal_transition",
        params={
            "status": lower_label(Status(registration.status)),
            "target": lower_label(Status(to_status)),
        },
    )


def move(
    registration: Registration,
    to_status: str,
    *,
    actor: str,
    by: AbstractBaseUser | None,
    note: str,
) -> None:
    """Change the status of a locked registration, record it, and tell the delegate."""
    from_status = registration.status
    now = timezone.now()
    registration.status = to_status
    registration.status_changed_at = now
    update_fields = ["status", "status_changed_at"]
    if actor == Actor.STAFF and to_status != Status.CANCELLED:
        registration.reviewed_by = by
        registration.reviewed_at = now
        registration.review_note = note
        update_fields += ["reviewed_by", "reviewed_at", "review_note"]
    registration.save(update_fields=update_fields)
    if ATTENDING in (from_status, to_status):
        # The seats left on the public pages change.
        signals.seats_changed.send(sender=Registration)
    record_change(
        registration,
        actor=actor,
        by=by,
        from_status=from_status,
        to_status=to_status,
        note=note,
        at=now,
    )
    notify_delegate(registration, to_status)


def registration_cancel(
    *,
    registration: Registration,
    by: AbstractBaseUser | None = None,
    note: str = "",
) -> Registration:
    """Cancel a registration; ``by`` is the staff member, or None for the delegate.

    A delegate may cancel until the event starts; staff at any time. An approved
    delegate's seat is free again as soon as this commits.
    """
    with transaction.atomic():
        locked = lock_registration(registration)
        check_transition(locked, Status.CANCELLED)
        if by is None and not delegate_can_cancel(registration=locked):
            raise RegistrationError(
                _("The event has started; please write to the secretariat."),
                code="event_started",
            )
        actor = Actor.DELEGATE if by is None else Actor.STAFF
        move(locked, Status.CANCELLED, actor=actor, by=by, note=note)
    return locked


# The reviewer's side


def registration_approve(
    *,
    registration: Registration,
    by: AbstractBaseUser,
    note: str = "",
    waitlist_if_full: bool = False,
) -> Registration:
    """Approve a pending or waitlisted registration if its seats are free.

    When the event or a chosen session is full the approval is refused, or,
    with ``waitlist_if_full``, a pending registration goes to the waiting list.
    """
    with transaction.atomic():
        locked = lock_registration(registration)
        check_transition(locked, Status.APPROVED)
        try:
            refuse_if_full(locked)
        except RegistrationError as full:
            if not (
                waitlist_if_full
                and can_transition(registration=locked, to_status=Status.WAITLISTED)
            ):
                raise
            if not note:
                # The note goes to the delegate: say why in their language.
                with translation.override(locked.language):
                    note = full.message
            move(locked, Status.WAITLISTED, actor=Actor.STAFF, by=by, note=note)
            return locked
        move(locked, Status.APPROVED, actor=Actor.STAFF, by=by, note=note)
    return locked


def _decide(
    registration: Registration, to_status: str, *, by: AbstractBaseUser, note: str
) -> Registration:
    with transaction.atomic():
        locked = lock_registration(registration)
        check_transition(locked, to_status)
        move(locked, to_status, actor=Actor.STAFF, by=by, note=note)
    return locked


def registration_reject(
    *, registration: Registration, by: AbstractBaseUser, note: str = ""
) -> Registration:
    """Reject a pending or waitlisted registration; the note goes to the delegate."""
    return _decide(registration, Status.REJECTED, by=by, note=note)


def registration_waitlist(
    *, registration: Registration, by: AbstractBaseUser, note: str = ""
) -> Registration:
    """Put a pending registration on the waiting list, at its end."""
    return _decide(registration, Status.WAITLISTED, by=by, note=note)


REVIEW_DECISIONS = {
    Status.APPROVED: registration_approve,
    Status.REJECTED: registration_reject,
    Status.WAITLISTED: registration_waitlist,
    # Staff cancel for a delegate in the admin, recorded as staff, rather
    # than through the delegate's private link.
    Status.CANCELLED: registration_cancel,
}


def registrations_review(
    *,
    registrations: Iterable[Registration],
    decision: str,
    by: AbstractBaseUser,
    note: str = "",
    waitlist_if_full: bool = False,
    time_limit: float | None = None,
) -> ReviewOutcome:
    """Apply one decision to several registrations, each in its own transaction.

    The waiting list comes first, in its order, then the others oldest first:
    when seats run out, those who have waited longest have been served.

    With ``time_limit`` (seconds), no registration is started after that time:
    the rest are returned as ``not_reached``, so that a web request ends, and
    says what it did, before the server's own timeout would cut it off.
    """
    review = REVIEW_DECISIONS[decision]
    options = (
        {"waitlist_if_full": waitlist_if_full} if decision == Status.APPROVED else {}
    )
    outcome = ReviewOutcome()
    ordered = sorted(
        registrations,
        key=lambda r: (r.status != Status.WAITLISTED, r.status_changed_at, r.pk),
    )
    deadline = None if time_limit is None else time.monotonic() + time_limit
    for position, registration in enumerate(ordered):
        if deadline is not None and time.monotonic() >= deadline:
            outcome.not_reached = ordered[position:]
            logger.warning(
                "Review (%s) stopped at its time limit of %s s: %s done, %s not "
                "reached",
                decision,
                time_limit,
                position,
                len(outcome.not_reached),
            )
            break
        try:
            outcome.changed.append(
                review(registration=registration, by=by, note=note, **options)
            )
        except RegistrationError as error:
            outcome.refused.append((registration, str(error.message)))
    return outcome
