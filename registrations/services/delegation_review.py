"""Delegations followed by staff: reminders, new portal links, confirmation.

A reminder goes only to a focal point who was invited and has not submitted;
a portal link replaced stops working at once and the focal point is emailed a
new one; confirming a submitted delegation approves its waiting members
together, each under the quota and capacity locks, and tells the focal point.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations import emails
from registrations.errors import RegistrationError
from registrations.models import Delegation, DelegationChange, Registration
from registrations.services.capacity import lock_delegation
from registrations.services.delegations import (
    AWAITING_SUBMISSION,
    BulkOutcome,
    move_state,
    replace_portal_token,
)
from registrations.services.history import record_delegation_change
from registrations.services.notifications import notify_focal_point
from registrations.services.workflow import ReviewOutcome, registrations_review

State = Delegation.State
Actor = DelegationChange.Actor
Action = DelegationChange.Action
Status = Registration.Status


def delegation_remind(*, delegation: Delegation, by: AbstractBaseUser) -> Delegation:
    """Remind a focal point who was invited and has not submitted the delegation."""
    with transaction.atomic():
        locked = lock_delegation(delegation.pk)
        if locked.invited_at is None or locked.state not in AWAITING_SUBMISSION:
            raise RegistrationError(
                _("%(delegation)s is not waiting to be submitted."),
                code="not_awaiting",
                params={"delegation": locked},
            )
        locked.reminded_at = timezone.now()
        locked.save(update_fields=["reminded_at"])
        record_delegation_change(
            locked, actor=Actor.STAFF, by=by, action=Action.REMINDED
        )
        notify_focal_point(locked, emails.DELEGATION_REMINDER)
    return locked


def for_each(
    delegations: Iterable[Delegation], step, *, by: AbstractBaseUser
) -> BulkOutcome:
    """Apply ``step`` to each delegation in its own transaction; say what it refused."""
    outcome = BulkOutcome()
    for delegation in delegations:
        try:
            outcome.done.append(step(delegation=delegation, by=by))
        except RegistrationError as refusal:
            outcome.refused.append((str(delegation), refusal.message))
    return outcome


def delegation_replace_portal_link(
    *, delegation: Delegation, by: AbstractBaseUser, note: str = ""
) -> Delegation:
    """Revoke the focal point's portal link and, once invited, email a new one."""
    with transaction.atomic():
        locked = lock_delegation(delegation.pk)
        replace_portal_token(locked)
        record_delegation_change(
            locked, actor=Actor.STAFF, by=by, action=Action.LINK_REPLACED, note=note
        )
        if locked.invited_at is not None and not locked.focal_point_is_placeholder:
            notify_focal_point(locked, emails.PORTAL_LINK_REPLACED)
    return locked


@dataclass
class ConfirmOutcome:
    """What confirming a delegation did: its members' review, and the state."""

    review: ReviewOutcome
    confirmed: bool


def delegation_confirm(
    *, delegation: Delegation, by: AbstractBaseUser, note: str = "", time_limit=None
) -> ConfirmOutcome:
    """Approve a submitted delegation's members together, then confirm it.

    Each member is approved in a transaction of its own, under the quota and
    capacity locks, as a reviewer's approval is. When none is left waiting,
    the delegation is confirmed and the focal point told.
    """
    if delegation.state not in (State.SUBMITTED, State.CONFIRMED):
        raise RegistrationError(
            _("%(delegation)s has not been submitted by its focal point yet."),
            code="not_submitted",
            params={"delegation": delegation},
        )
    waiting = delegation.members.filter(status__in=[Status.PENDING, Status.WAITLISTED])
    review = registrations_review(
        registrations=waiting.select_related("event"),
        decision=Status.APPROVED,
        by=by,
        note=note,
        time_limit=time_limit,
    )
    with transaction.atomic():
        locked = lock_delegation(delegation.pk)
        still_waiting = locked.members.filter(
            status__in=[Status.PENDING, Status.WAITLISTED]
        ).exists()
        confirmed = locked.state == State.SUBMITTED and not still_waiting
        if confirmed:
            move_state(
                locked,
                State.CONFIRMED,
                actor=Actor.STAFF,
                action=Action.CONFIRMED,
                by=by,
                note=note,
            )
            notify_focal_point(locked, emails.DELEGATION_CONFIRMED)
    return ConfirmOutcome(review=review, confirmed=confirmed)
