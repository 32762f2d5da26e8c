"""The focal point's steps: nominate, correct, replace and withdraw members, name
the head, submit the delegation or decline the invitation.

Every step that counts the members locks the delegation's row first (after
the registration's own, when one changes), so that two tabs of the portal, or
the portal and a reviewer, never together exceed the quota: lock, count,
write, in one transaction. Each nominee is a registration of the delegation's
organisation, pending review, with a private link of their own by email.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations import emails, selectors
from registrations.errors import RegistrationError
from registrations.models import (
    NOMINATED,
    Delegation,
    DelegationChange,
    DelegationRole,
    Registration,
    RegistrationChange,
)
from registrations.services.capacity import (
    lock_delegation,
    lock_registration,
    refuse_if_quota_reached,
)
from registrations.services.delegations import AWAITING_SUBMISSION, move_state
from registrations.services.history import record_change, record_delegation_change
from registrations.services.links import replace_token
from registrations.services.notifications import notify_delegate, notify_focal_point
from registrations.services.submission import normalised_email
from registrations.services.workflow import check_transition, move

State = Delegation.State
Status = Registration.Status
Action = DelegationChange.Action
FOCAL_POINT = DelegationChange.Actor.FOCAL_POINT
MEMBER_ACTOR = RegistrationChange.Actor.FOCAL_POINT

# What a focal point says of each member; the rest comes from the delegation.
MEMBER_FIELDS = (
    "honorific",
    "given_name",
    "family_name",
    "position",
    "country",
    "delegation_role",
    "protocol_rank",
    "protocol_order",
)


def portal_is_open(delegation: Delegation, *, at=None) -> bool:
    """Return whether the focal point may still change the delegation.

    Until nominations close with the event's registration, and never once the
    invitation is declined.
    """
    at = at or timezone.now()
    return (
        delegation.state != State.DECLINED
        and at < delegation.event.registration_closes_at
    )


def check_open(locked: Delegation) -> None:
    if locked.state == State.DECLINED:
        raise RegistrationError(
            _("The invitation has been declined; please write to the secretariat."),
            code="declined",
        )
    if not portal_is_open(locked):
        raise RegistrationError(
            _(
                "Nominations for this event are closed; please write to the "
                "secretariat for any change."
            ),
            code="nominations_closed",
        )


def lock_open_delegation(delegation: Delegation) -> Delegation:
    locked = Delegation.objects.select_related("event", "organisation").get(
        pk=lock_delegation(delegation.pk).pk
    )
    check_open(locked)
    return locked


def lock_member(delegation: Delegation, member: Registration) -> Registration:
    """Return the member locked, if it is one of the delegation's nominations."""
    locked = lock_registration(member)
    if locked.delegation_id != delegation.pk or locked.status not in NOMINATED:
        raise RegistrationError(
            _("This person is not a member of the delegation."), code="not_a_member"
        )
    return locked


def check_member_fields(details: dict) -> None:
    unknown = set(details) - set(MEMBER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown member fields: {sorted(unknown)}")


def create_member(
    locked: Delegation, *, email: str, language: str, details: dict
) -> Registration:
    """Add a nominated member to the locked delegation, within its quota."""
    refuse_if_quota_reached(locked)
    refuse_second_head(locked, role=details.get("delegation_role"))
    organisation = locked.organisation
    try:
        with transaction.atomic():
            member = Registration.objects.create(
                event=locked.event,
                delegation=locked,
                email=email,
                language=language,
                organisation=organisation,
                category=organisation.kind,
                consent_given_at=None,
                **details,
            )
    except IntegrityError as error:
        raise refusal_of(error, email=email) from None
    record_change(member, actor=MEMBER_ACTOR, to_status=Status.PENDING)
    notify_delegate(member, emails.NOMINATED)
    return member


def refuse_second_head(locked: Delegation, *, role, member=None) -> None:
    """Raise if ``role`` is head and the locked delegation has another head."""
    if role != DelegationRole.HEAD:
        return
    head = selectors.delegation_head(locked)
    if head is not None and head != member:
        raise RegistrationError(
            _(
                "The delegation has a head already. Nominate this person in another "
                "role, then name them head of delegation if need be."
            ),
            code="head_exists",
        )


def refusal_of(error: IntegrityError, *, email: str) -> RegistrationError:
    """Explain the rule a change broke: one head (the database's last word on a
    race the lock prevents), or else one address per event."""
    if "head" in str(error) and "email" not in str(error).lower():
        return RegistrationError(
            _("The delegation has a head already."), code="head_exists"
        )
    return RegistrationError(
        _(
            "%(email)s is registered for the event already. The person can cancel "
            "that registration through their private link, or the secretariat "
            "can move it into the delegation."
        ),
        code="email_registered",
        params={"email": email},
    )


def open_nominations(locked: Delegation) -> None:
    """The first nomination opens a delegation that was only invited."""
    if locked.state == State.INVITED:
        move_state(locked, State.NOMINATIONS_OPEN, actor=FOCAL_POINT, action="")


def member_nominate(
    *, delegation: Delegation, email: str, language: str, **details
) -> Registration:
    """Nominate a member; they are emailed their private link to complete details."""
    check_member_fields(details)
    email = normalised_email(email)
    with transaction.atomic():
        locked = lock_open_delegation(delegation)
        member = create_member(locked, email=email, language=language, details=details)
        open_nominations(locked)
        record_delegation_change(
            locked, actor=FOCAL_POINT, action=Action.NOMINATED, detail=member.full_name
        )
    return member


def member_correct(
    *, delegation: Delegation, member: Registration, email: str, **details
) -> list[str]:
    """Correct a pending member's details; return the fields changed.

    A new address gets a new private link (the old one stops working).
    """
    check_member_fields(details)
    email = normalised_email(email)
    with transaction.atomic():
        locked_member = lock_member(delegation, member)
        locked = lock_open_delegation(delegation)
        if locked_member.status != Status.PENDING:
            raise RegistrationError(
                _(
                    "This member has been reviewed already: replace them, or write "
                    "to the secretariat."
                ),
                code="not_pending",
            )
        refuse_second_head(
            locked, role=details.get("delegation_role"), member=locked_member
        )
        wanted = {**details, "email": email}
        changed = [n for n, v in wanted.items() if getattr(locked_member, n) != v]
        for name in changed:
            setattr(locked_member, name, wanted[name])
        if not changed:
            return []
        try:
            with transaction.atomic():
                locked_member.save(update_fields=changed)
        except IntegrityError as error:
            raise refusal_of(error, email=email) from None
        record_change(locked_member, actor=MEMBER_ACTOR, fields=changed)
        if "email" in changed:
            replace_token(locked_member, actor=MEMBER_ACTOR)
            notify_delegate(locked_member, emails.NOMINATED)
        record_delegation_change(
            locked,
            actor=FOCAL_POINT,
            action=Action.CORRECTED,
            detail=locked_member.full_name,
        )
    return changed


def cancel_member(locked_member: Registration, *, note: str) -> None:
    check_transition(locked_member, Status.CANCELLED)
    move(locked_member, Status.CANCELLED, actor=MEMBER_ACTOR, by=None, note=note)


def member_replace(
    *,
    delegation: Delegation,
    member: Registration,
    email: str,
    language: str,
    **details,
) -> Registration:
    """Withdraw a member and nominate another in the same place, in one step."""
    check_member_fields(details)
    email = normalised_email(email)
    with transaction.atomic():
        locked_member = lock_member(delegation, member)
        locked = lock_open_delegation(delegation)
        cancel_member(locked_member, note="Replaced by the delegation's focal point")
        replacement = create_member(
            locked, email=email, language=language, details=details
        )
        record_delegation_change(
            locked,
            actor=FOCAL_POINT,
            action=Action.REPLACED,
            detail=f"{locked_member.full_name} → {replacement.full_name}",
        )
    return replacement


def member_withdraw(*, delegation: Delegation, member: Registration) -> Registration:
    """Withdraw a member: their registration is cancelled and their place free."""
    with transaction.atomic():
        locked_member = lock_member(delegation, member)
        locked = lock_open_delegation(delegation)
        cancel_member(locked_member, note="Withdrawn by the delegation's focal point")
        record_delegation_change(
            locked,
            actor=FOCAL_POINT,
            action=Action.WITHDRAWN,
            detail=locked_member.full_name,
        )
    return locked_member


def lock_registrations(ids) -> list[Registration]:
    """Lock registrations in primary-key order, before the delegation's row."""
    return list(
        Registration.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    )


def delegation_name_head(*, delegation: Delegation, member: Registration) -> None:
    """Make ``member`` the head of delegation; the previous head becomes a member."""
    previous = selectors.delegation_head(delegation)
    with transaction.atomic():
        ids = {member.pk} | ({previous.pk} if previous else set())
        locked_members = {r.pk: r for r in lock_registrations(ids)}
        locked_member = lock_member(delegation, locked_members[member.pk])
        locked = lock_open_delegation(delegation)
        if locked_member.delegation_role == DelegationRole.HEAD:
            return
        if previous is not None:
            previous = locked_members[previous.pk]
            previous.delegation_role = DelegationRole.MEMBER
            previous.save(update_fields=["delegation_role"])
            record_change(previous, actor=MEMBER_ACTOR, fields=["delegation_role"])
        locked_member.delegation_role = DelegationRole.HEAD
        try:
            with transaction.atomic():
                locked_member.save(update_fields=["delegation_role"])
        except IntegrityError as error:
            raise refusal_of(error, email=locked_member.email) from None
        record_change(locked_member, actor=MEMBER_ACTOR, fields=["delegation_role"])
        record_delegation_change(
            locked,
            actor=FOCAL_POINT,
            action=Action.HEAD_NAMED,
            detail=locked_member.full_name,
        )


def delegation_submit(*, delegation: Delegation) -> Delegation:
    """Send the delegation to the secretariat: a head and at least one member."""
    with transaction.atomic():
        locked = lock_open_delegation(delegation)
        if locked.state not in AWAITING_SUBMISSION:
            raise RegistrationError(
                _("The delegation has been submitted already."),
                code="submitted_already",
            )
        if selectors.delegation_head(locked) is None:
            raise RegistrationError(
                _("Please name the head of delegation before submitting."),
                code="no_head",
            )
        move_state(locked, State.SUBMITTED, actor=FOCAL_POINT, action=Action.SUBMITTED)
        notify_focal_point(locked, emails.DELEGATION_SUBMITTED)
    return locked


def delegation_decline(*, delegation: Delegation, reason: str = "") -> Delegation:
    """Decline the invitation; every nominated member's registration is cancelled."""
    with transaction.atomic():
        members = lock_registrations(delegation.members.nominated().values("pk"))
        locked = lock_open_delegation(delegation)
        # A nomination made a moment ago is locked after the delegation.
        members += lock_registrations(
            locked.members.nominated().exclude(pk__in=[m.pk for m in members])
        )
        for member in members:
            if member.status in NOMINATED:
                cancel_member(member, note="The delegation declined the invitation")
        locked.decline_reason = reason
        locked.save(update_fields=["decline_reason"])
        move_state(
            locked,
            State.DECLINED,
            actor=FOCAL_POINT,
            action=Action.DECLINED,
            note=reason,
        )
    return locked
