"""The reviewer's decisions and the delegate's cancellation.

Each goes through ``transitions.move``, which saves the new status, records
the step in the history and records the delegate's email. Locks are taken in
one order everywhere: the event, then registrations, then sessions, so that
two transactions never wait for each other in a circle.
"""

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from registrations import emails
from registrations.errors import RegistrationError
from registrations.models import Registration, RegistrationChange
from registrations.services.capacity import (
    lock_event,
    lock_registration,
    refuse_if_full,
)
from registrations.services.transitions import can_transition, check_transition, move
from registrations.services.waitlist import seats_freed_by, waitlist_promote

logger = logging.getLogger(__name__)

Status = Registration.Status
Actor = RegistrationChange.Actor


@dataclass
class ReviewOutcome:
    """The result of reviewing several registrations at once.

    ``not_reached``: those left as they were because the time limit ran out.
    """

    changed: list[Registration] = field(default_factory=list)
    refused: list[tuple[Registration, str]] = field(default_factory=list)
    not_reached: list[Registration] = field(default_factory=list)


def delegate_edit_refusal(*, registration: Registration, at=None) -> str | None:
    """Return why the delegate may no longer correct their registration, or None.

    Only while it is pending, and only until the event starts; the reason
    says which of these no longer holds.
    """
    at = at or timezone.now()
    if registration.status == Status.CANCELLED:
        return _(
            "This registration has been cancelled, so it can no longer be changed. "
            "To attend after all, please register again."
        )
    if at >= registration.event.starts_at:
        return _(
            "The symposium has begun, so registrations can no longer be changed "
            "here. Please write to the secretariat."
        )
    if registration.status != Status.PENDING:
        return _(
            "Your registration has been reviewed, so its details can no longer be "
            "changed here. Please write to the secretariat."
        )
    return None


def delegate_can_edit(*, registration: Registration, at=None) -> bool:
    """Return whether the delegate may still correct their registration."""
    return delegate_edit_refusal(registration=registration, at=at) is None


def delegate_can_cancel(*, registration: Registration, at=None) -> bool:
    """Return whether the delegate may cancel: any live status, until the event."""
    at = at or timezone.now()
    return (
        can_transition(registration=registration, to_status=Status.CANCELLED)
        and at < registration.event.starts_at
    )


def registration_cancel(
    *,
    registration: Registration,
    by: AbstractBaseUser | None = None,
    note: str = "",
) -> Registration:
    """Cancel a registration; ``by`` is the staff member, or None for the delegate.

    A delegate may cancel until the event starts; staff at any time. An approved
    delegate's seat goes, in the same transaction, to the first delegates on
    the waiting list whom it lets in (``waitlist.waitlist_promote``), unless
    the event leaves that to the reviewers.
    """
    with transaction.atomic():
        lock_event(registration.event_id)
        locked = lock_registration(registration)
        check_transition(locked, Status.CANCELLED)
        if by is None and not delegate_can_cancel(registration=locked):
            raise RegistrationError(
                _("The event has started; please write to the secretariat."),
                code="event_started",
            )
        freed = seats_freed_by(locked)
        actor = Actor.DELEGATE if by is None else Actor.STAFF
        move(locked, Status.CANCELLED, actor=actor, by=by, note=note)
        if freed:
            waitlist_promote(event=locked.event, freed=freed)
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
        lock_event(registration.event_id)
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
            move(
                locked,
                Status.WAITLISTED,
                actor=Actor.STAFF,
                by=by,
                note=note,
                email=emails.WAITLISTED_FULL,
            )
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
