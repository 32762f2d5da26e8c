"""Personal invitations: staff invite one person, who registers through the link.

The link is locked to the invitation's address: the registration it makes
has that address whatever is posted, so a forwarded link registers the person
invited, never the one it was forwarded to. It admits its holder whoever the
event's open form admits, until the event begins, and once only. With
``approve_on_submission`` the registration is approved at once if a seat is
left (the capacity rules are the reviewers'); otherwise it waits for review.
"""

import logging
from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations import emails
from registrations.errors import RegistrationError
from registrations.models import Event, Invitation, Organisation, Session
from registrations.services.corrections import check_input
from registrations.services.links import send_new_link_unless_just_sent
from registrations.services.notifications import notify_delegate, notify_invitee
from registrations.services.submission import create_registration, normalised_email
from registrations.services.workflow import registration_approve

logger = logging.getLogger(__name__)

State = Invitation.State


def invitation_create(
    *,
    event: Event,
    email: str,
    given_name: str,
    family_name: str,
    by: AbstractBaseUser,
    organisation: Organisation | None = None,
    position: str = "",
    category: str = "",
    language: str = "en",
    message: str = "",
    approve_on_submission: bool = False,
) -> Invitation:
    """Invite one person by email to register for ``event``."""
    email = normalised_email(email)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            event=event,
            email=email,
            given_name=given_name,
            family_name=family_name,
            organisation=organisation,
            position=position,
            category=category,
            language=language,
            message=message,
            approve_on_submission=approve_on_submission,
            created_by=by,
        )
        notify_invitee(invitation, emails.INVITED)
    return invitation


def lock_invitation(invitation: Invitation) -> Invitation:
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("event", "created_by")
        .get(pk=invitation.pk)
    )


def invitation_is_usable(invitation: Invitation, *, at=None) -> bool:
    """Return whether the link still registers: unanswered, before the event."""
    at = at or timezone.now()
    return invitation.state == State.PENDING and at < invitation.event.starts_at


def check_usable(locked: Invitation) -> None:
    if locked.state == State.ACCEPTED:
        raise RegistrationError(
            _(
                "This invitation has been used already: your registration's email "
                "has its private link."
            ),
            code="invitation_used",
        )
    if not invitation_is_usable(locked):
        raise RegistrationError(
            _(
                "This invitation can no longer be used; please write to the "
                "secretariat."
            ),
            code="invitation_closed",
        )


def invitation_accept(
    *,
    invitation: Invitation,
    sessions: Sequence[Session],
    language: str,
    **details,
) -> Invitation:
    """Register the person invited, at the invitation's own address."""
    check_input(invitation.event_id, details, sessions)
    with transaction.atomic():
        locked = lock_invitation(invitation)
        check_usable(locked)
        registration, existing = create_registration(
            event=locked.event,
            email=locked.email,
            sessions=sessions,
            language=language,
            details=details,
        )
        if registration is None:
            # Registered through the open form before: the invitation joins that
            # registration, and its link is sent again.
            registration = existing
            send_new_link_unless_just_sent(existing)
        locked.state = State.ACCEPTED
        locked.registration = registration
        locked.answered_at = timezone.now()
        locked.save(update_fields=["state", "registration", "answered_at"])
        if not approve_if_asked(locked, registration) and existing is None:
            notify_delegate(registration, emails.CONFIRMATION)
    return locked


def approve_if_asked(locked: Invitation, registration) -> bool:
    """Approve the invitee's registration if the invitation says so and seats allow."""
    if not locked.approve_on_submission or locked.created_by is None:
        return False
    if registration.status != registration.Status.PENDING:
        return False
    try:
        registration_approve(
            registration=registration,
            by=locked.created_by,
            note=str(_("Approved on submission: personal invitation.")),
        )
    except RegistrationError as refusal:
        logger.info(
            "Invitation %s: not approved on submission (%s); left for review",
            locked.pk,
            refusal.code,
        )
        return False
    return True


def invitation_decline(*, invitation: Invitation) -> Invitation:
    """Record that the person invited will not attend."""
    with transaction.atomic():
        locked = lock_invitation(invitation)
        check_usable(locked)
        locked.state = State.DECLINED
        locked.answered_at = timezone.now()
        locked.save(update_fields=["state", "answered_at"])
    return locked


def invitation_revoke(*, invitation: Invitation, by: AbstractBaseUser) -> Invitation:
    """Withdraw an invitation not yet answered: its link stops working."""
    with transaction.atomic():
        locked = lock_invitation(invitation)
        if locked.state != State.PENDING:
            raise RegistrationError(
                _("The invitation of %(name)s has been answered already."),
                code="answered",
                params={"name": locked.full_name},
            )
        locked.state = State.REVOKED
        locked.answered_at = timezone.now()
        locked.save(update_fields=["state", "answered_at"])
        logger.info("Invitation %s withdrawn by %s", locked.pk, by.get_username())
    return locked
