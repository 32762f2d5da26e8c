"""Delegations, from the staff's side: invite, remind, revoke links, confirm.

A delegation's state moves invited → nominations open → submitted →
confirmed, or to declined; the focal point's own steps (nominating, naming
the head, submitting, declining) are in ``nominations``, the note verbale in
``notes_verbales``. Every step is recorded (``DelegationChange``) and every
email to the focal point goes through the outbox in the step's transaction.

Quotas hold the hall's seats when the event says so (``hold_delegation_seats``,
as a blocking voucher holds a ticket quota): creating a delegation, or raising
its quota, is refused when the hall could not seat every delegation in full.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations import emails, selectors, signals
from registrations.errors import RegistrationError
from registrations.models import (
    Delegation,
    DelegationChange,
    Event,
    Organisation,
    Registration,
    new_portal_token,
)
from registrations.services.capacity import (
    lock_delegation,
    lock_event,
    refuse_if_hall_cannot_hold,
)
from registrations.services.history import record_delegation_change
from registrations.services.notifications import notify_focal_point
from registrations.services.submission import normalised_email

State = Delegation.State
Actor = DelegationChange.Actor
Action = DelegationChange.Action
Status = Registration.Status

# The states in which a delegation is still expected to submit.
AWAITING_SUBMISSION = (State.INVITED, State.NOMINATIONS_OPEN)
# Said of a field a caller leaves as it is.
KEEP = object()
FOCAL_POINT_FIELDS = (
    "focal_point_name",
    "focal_point_email",
    "focal_point_phone",
    "focal_point_language",
)


@dataclass
class DelegationInvite:
    """One organisation to invite: its quota and its focal point."""

    organisation: Organisation
    seat_quota: int
    focal_point_name: str
    focal_point_email: str
    focal_point_phone: str = ""
    focal_point_language: str = "en"


@dataclass
class BulkOutcome:
    """What a step over several delegations did, and what it refused and why."""

    done: list[Delegation] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def refuse_if_quota_does_not_fit(event: Event, *, delegation, seat_quota: int):
    """Raise if the locked event's hall cannot hold this quota beside the others.

    Only when the event holds delegations' seats; ``delegation`` is the one
    whose quota changes (None for a new one).
    """
    if not event.hold_delegation_seats:
        return
    approved = 0 if delegation is None else delegation.members.attending().count()
    held = selectors.seats_held(event, exclude=delegation) + max(
        seat_quota - approved, 0
    )
    try:
        refuse_if_hall_cannot_hold(event, taken=selectors.seats_taken(event), held=held)
    except RegistrationError:
        free = event.capacity - selectors.seats_taken(event) - (held - seat_quota)
        raise RegistrationError(
            _(
                "The hall cannot hold a quota of %(quota)s: %(free)s seats are "
                "neither taken nor held for other delegations. Lower the quota or "
                "raise the event's capacity."
            ),
            code="quota_does_not_fit",
            params={"quota": seat_quota, "free": max(free + approved, 0)},
        ) from None


def delegation_create(
    *,
    event: Event,
    invite: DelegationInvite,
    by: AbstractBaseUser,
    send: bool = True,
    placeholder: bool = False,
) -> Delegation:
    """Create a delegation and, with ``send``, email its focal point the invitation."""
    email = normalised_email(invite.focal_point_email)
    with transaction.atomic():
        locked_event = lock_event(event.pk)
        refuse_if_quota_does_not_fit(
            locked_event, delegation=None, seat_quota=invite.seat_quota
        )
        try:
            with transaction.atomic():
                delegation = Delegation.objects.create(
                    event=event,
                    organisation=invite.organisation,
                    seat_quota=invite.seat_quota,
                    focal_point_name=invite.focal_point_name,
                    focal_point_email=email,
                    focal_point_phone=invite.focal_point_phone,
                    focal_point_language=invite.focal_point_language,
                    focal_point_is_placeholder=placeholder,
                )
        except IntegrityError:
            raise RegistrationError(
                _("%(organisation)s already has a delegation for this event."),
                code="delegation_exists",
                params={"organisation": invite.organisation},
            ) from None
        record_delegation_change(
            delegation,
            actor=Actor.STAFF if by else Actor.SYSTEM,
            by=by,
            action=Action.CREATED,
            to_state=State.INVITED,
        )
        if send:
            send_invitation(delegation, by=by)
    return delegation


def delegations_invite(
    *, event: Event, invites: Sequence[DelegationInvite], by: AbstractBaseUser
) -> BulkOutcome:
    """Create and invite several delegations, each in its own transaction."""
    outcome = BulkOutcome()
    for invite in invites:
        try:
            outcome.done.append(delegation_create(event=event, invite=invite, by=by))
        except RegistrationError as refusal:
            outcome.refused.append((str(invite.organisation), refusal.message))
    return outcome


def send_invitation(locked: Delegation, *, by: AbstractBaseUser | None) -> None:
    """Email the focal point the invitation and its portal link; record it."""
    if locked.focal_point_is_placeholder:
        raise RegistrationError(
            _(
                "The focal point of %(delegation)s is a placeholder: give the real "
                "focal point's name and email before sending the invitation."
            ),
            code="placeholder_focal_point",
            params={"delegation": locked},
        )
    if locked.state == State.DECLINED:
        raise RegistrationError(
            _("%(delegation)s has declined the invitation."),
            code="declined",
            params={"delegation": locked},
        )
    locked.invited_at = timezone.now()
    locked.invited_by = by
    locked.save(update_fields=["invited_at", "invited_by"])
    record_delegation_change(
        locked,
        actor=Actor.STAFF if by else Actor.SYSTEM,
        by=by,
        action=Action.INVITED,
        detail=locked.focal_point_email,
        at=locked.invited_at,
    )
    notify_focal_point(locked, emails.DELEGATION_INVITED)


def delegation_send_invitation(
    *, delegation: Delegation, by: AbstractBaseUser
) -> Delegation:
    """Send the invitation of a delegation created without sending it."""
    with transaction.atomic():
        locked = lock_delegation(delegation.pk)
        if locked.invited_at is not None:
            raise RegistrationError(
                _(
                    "The invitation of %(delegation)s was sent already; to send the "
                    "focal point a new link, replace the portal link."
                ),
                code="already_invited",
                params={"delegation": locked},
            )
        send_invitation(locked, by=by)
    return locked


def replace_portal_token(locked: Delegation) -> None:
    """Give a locked delegation a new portal link; the old one stops working."""
    locked.portal_token = new_portal_token()
    locked.portal_token_issued_at = timezone.now()
    locked.save(update_fields=["portal_token", "portal_token_issued_at"])


def delegation_update(
    *,
    delegation: Delegation,
    by: AbstractBaseUser,
    seat_quota: int,
    list_position: int | None | object = KEEP,
    **focal_point,
) -> list[str]:
    """Change a delegation's quota, focal point or place in the List of
    Participants (``list_position``, kept unless given); return the fields
    changed.

    A quota may not fall below the members already nominated, nor rise beyond
    what the hall can hold. A new focal point address gets a new portal link
    (the old one stops working) and, once invited, the invitation again.
    """
    unknown = set(focal_point) - set(FOCAL_POINT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown delegation fields: {sorted(unknown)}")
    if "focal_point_email" in focal_point:
        focal_point["focal_point_email"] = normalised_email(
            focal_point["focal_point_email"]
        )
    with transaction.atomic():
        event = lock_event(delegation.event_id)
        locked = lock_delegation(delegation.pk)
        if seat_quota != locked.seat_quota:
            nominated = locked.members.nominated().count()
            if seat_quota < nominated:
                raise RegistrationError(
                    _(
                        "The delegation has %(nominated)s members nominated: the "
                        "quota cannot be lower. Withdraw members first."
                    ),
                    code="quota_below_nominations",
                    params={"nominated": nominated},
                )
            refuse_if_quota_does_not_fit(
                event, delegation=locked, seat_quota=seat_quota
            )
        wanted = {"seat_quota": seat_quota, **focal_point}
        if list_position is not KEEP:
            wanted["list_position"] = list_position
        changed = [
            name for name, value in wanted.items() if getattr(locked, name) != value
        ]
        if not changed:
            return []
        for name in changed:
            setattr(locked, name, wanted[name])
        new_address = "focal_point_email" in changed
        if new_address or "focal_point_name" in changed:
            locked.focal_point_is_placeholder = False
            changed.append("focal_point_is_placeholder")
        locked.save(update_fields=changed)
        if "seat_quota" in changed:
            # The seats held for delegations change what the hall has left.
            signals.seats_changed.send(sender=Delegation)
        record_delegation_change(
            locked,
            actor=Actor.STAFF,
            by=by,
            action=Action.EDITED,
            detail=", ".join(
                str(Delegation._meta.get_field(name).verbose_name)
                for name in changed
                if name != "focal_point_is_placeholder"
            ),
        )
        if new_address:
            replace_portal_token(locked)
            if locked.invited_at is not None:
                send_invitation(locked, by=by)
    delegation.refresh_from_db()
    return changed


def move_state(
    locked: Delegation,
    to_state: str,
    *,
    actor: str,
    action: str,
    by: AbstractBaseUser | None = None,
    note: str = "",
) -> None:
    """Move a locked delegation to ``to_state`` and record the step."""
    from_state = locked.state
    now = timezone.now()
    locked.state = to_state
    update_fields = ["state"]
    moment_field = {
        State.SUBMITTED: "submitted_at",
        State.CONFIRMED: "confirmed_at",
        State.DECLINED: "declined_at",
    }.get(to_state)
    if moment_field:
        setattr(locked, moment_field, now)
        update_fields.append(moment_field)
    locked.save(update_fields=update_fields)
    record_delegation_change(
        locked,
        actor=actor,
        by=by,
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
        at=now,
    )
