"""The reviewer's decisions and the delegate's cancellation.

Each goes through ``transitions.move``, which saves the new status, records
the step in the history and records the delegate's email. Locks are taken in
one order everywhere: the event, then registrations, then sessions, so that
two transactions never wait for each other in a circle.
"""

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from registrations import emails
from registrations.errors import RegistrationError
from registrations.models import Registration, RegistrationChange
from registrations.services.capacity import (
    BatchSeats,
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
        approve_locked(
            locked,
            by=by,
            note=note,
            waitlist_if_full=waitlist_if_full,
            refuse_if_full=refuse_if_full,
        )
    return locked


def approve_locked(
    locked: Registration,
    *,
    by: AbstractBaseUser,
    note: str,
    waitlist_if_full: bool,
    refuse_if_full: Callable[[Registration], None],
) -> str:
    """Approve a registration whose event and own row are locked; return its status.

    ``refuse_if_full`` counts the seats: ``capacity.refuse_if_full`` for one
    approval, a ``BatchSeats``'s for a batch.
    """
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
        return Status.WAITLISTED
    move(locked, Status.APPROVED, actor=Actor.STAFF, by=by, note=note)
    return Status.APPROVED


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


# Approvals of one review are made this many at a time, each batch in one
# transaction under the event's lock, so that the seats are counted once a
# batch rather than once a registration; small enough that a delegate's own
# change waits for one batch, not for the whole review.
APPROVAL_BATCH = 100


def registrations_review(
    *,
    registrations: Iterable[Registration],
    decision: str,
    by: AbstractBaseUser,
    note: str = "",
    waitlist_if_full: bool = False,
    time_limit: float | None = None,
) -> ReviewOutcome:
    """Apply one decision to several registrations.

    The waiting list comes first, in its order, then the others oldest first:
    when seats run out, those who have waited longest have been served.
    Approvals go in batches of one event's registrations (``APPROVAL_BATCH``),
    each in one transaction with the locks a single approval takes; the other
    decisions, one transaction each.

    With ``time_limit`` (seconds), no registration is started after that time:
    the rest are returned as ``not_reached``, so that a web request ends, and
    says what it did, before the server's own timeout would cut it off.
    """
    outcome = ReviewOutcome()
    ordered = sorted(
        registrations,
        key=lambda r: (r.status != Status.WAITLISTED, r.status_changed_at, r.pk),
    )
    deadline = None if time_limit is None else time.monotonic() + time_limit
    position = 0
    while position < len(ordered):
        if _past(deadline):
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
        if decision == Status.APPROVED:
            position += _approve_batch(
                _batch_from(ordered, position),
                outcome,
                by=by,
                note=note,
                waitlist_if_full=waitlist_if_full,
                deadline=deadline,
            )
            continue
        registration = ordered[position]
        position += 1
        try:
            outcome.changed.append(
                REVIEW_DECISIONS[decision](registration=registration, by=by, note=note)
            )
        except RegistrationError as error:
            outcome.refused.append((registration, str(error.message)))
    return outcome


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


def _batch_from(ordered: Sequence[Registration], start: int) -> list[Registration]:
    """Return the registrations from ``start`` on of the same event, up to a batch."""
    event_id = ordered[start].event_id
    batch = []
    for registration in ordered[start : start + APPROVAL_BATCH]:
        if registration.event_id != event_id:
            break
        batch.append(registration)
    return batch


def _approve_batch(
    batch: Sequence[Registration],
    outcome: ReviewOutcome,
    *,
    by: AbstractBaseUser,
    note: str,
    waitlist_if_full: bool,
    deadline: float | None,
) -> int:
    """Approve one event's ``batch`` in one transaction; return how many were reached.

    The locks are a single approval's, in the same order: the event, the
    registrations (by id), then their limited sessions. The seats are counted
    once and each approval taken off in memory (``BatchSeats``). A batch
    stops early, and commits what it did, when the deadline has passed.
    """
    with transaction.atomic():
        event = lock_event(batch[0].event_id)
        locked = {
            registration.pk: registration
            for registration in Registration.objects.select_for_update()
            .filter(pk__in=[registration.pk for registration in batch])
            .order_by("pk")
            .prefetch_related("session_choices")
        }
        seats = BatchSeats(event, list(locked.values()))
        for reached, registration in enumerate(batch):
            if reached and _past(deadline):
                return reached
            current = locked.get(registration.pk)
            if current is None:
                outcome.refused.append(
                    (registration, str(_("The registration no longer exists.")))
                )
                continue
            current.event = event
            try:
                status = approve_locked(
                    current,
                    by=by,
                    note=note,
                    waitlist_if_full=waitlist_if_full,
                    refuse_if_full=seats.refuse_if_full,
                )
            except RegistrationError as error:
                outcome.refused.append((registration, str(error.message)))
                continue
            if status == Status.APPROVED:
                seats.approved(current)
            outcome.changed.append(current)
    return len(batch)
