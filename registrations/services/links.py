"""The delegate's private link: replaced, never sent twice as it was.

A private link is a bearer secret: sending it again means making a new one,
so that a link forwarded or seen over a shoulder stops working.
"""

import datetime
import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from registrations import emails, selectors
from registrations.models import (
    Event,
    Registration,
    RegistrationChange,
    new_private_token,
)
from registrations.services.capacity import lock_registration
from registrations.services.history import record_change
from registrations.services.notifications import notify_delegate

logger = logging.getLogger(__name__)

Actor = RegistrationChange.Actor

# The registration form may ask for a new link at most once in this interval
# per registration, so that twenty submissions of one address at once send one
# email, not twenty.
LINK_RESEND_INTERVAL = datetime.timedelta(minutes=10)
# A delegate who lost their link may ask again after this long: a second
# click, or a page sent twice, makes one new link, not two.
LINK_REQUEST_INTERVAL = datetime.timedelta(minutes=1)


def replace_token(
    locked: Registration,
    *,
    actor: str,
    by: AbstractBaseUser | None = None,
    note: str = "",
) -> None:
    """Give a locked registration a new private link; the old one stops working."""
    locked.token = new_private_token()
    locked.token_issued_at = timezone.now()
    locked.save(update_fields=["token", "token_issued_at"])
    record_change(
        locked,
        actor=actor,
        by=by,
        fields=["token"],
        note=note,
        at=locked.token_issued_at,
    )


def send_new_link_unless_just_sent(registration: Registration) -> None:
    """Send a new private link for an address registered again, at most so often.

    The caller holds the transaction.
    """
    locked = lock_registration(registration)
    if locked.token_issued_at > timezone.now() - LINK_RESEND_INTERVAL:
        logger.info(
            "Registration %s: registered again; its link went out minutes ago",
            locked.pk,
        )
        return
    replace_token(locked, actor=Actor.SYSTEM)
    notify_delegate(locked, emails.LINK_RESENT)
    logger.info("Registration %s: registered again; a new link was sent", locked.pk)


def registration_replace_link(
    *, registration: Registration, by: AbstractBaseUser, note: str = ""
) -> Registration:
    """Revoke the delegate's private link and email them a new one.

    Staff use it when a link may have reached someone else; the delegate's
    old link stops working at once, whatever its status.
    """
    with transaction.atomic():
        locked = lock_registration(registration)
        replace_token(locked, actor=Actor.STAFF, by=by, note=note)
        notify_delegate(locked, emails.LINK_REPLACED)
    return locked


def registration_request_link(*, event: Event, email: str) -> None:
    """Email a new private link to the registration of ``email``, if there is one.

    For the "Lost your link?" page: the caller answers the same whether or not
    the address is registered, so this returns nothing. The link the delegate
    had stops working; the per-address rate limit of the page bounds how
    often an inbox can be written to.
    """
    with transaction.atomic():
        registration = selectors.live_registration(event, email)
        if registration is None:
            logger.info(
                "Event %s: a new link was asked for an unknown address", event.pk
            )
            return
        locked = lock_registration(registration)
        if locked.token_issued_at > timezone.now() - LINK_REQUEST_INTERVAL:
            logger.info(
                "Registration %s: a new link was asked for; one left a moment ago",
                locked.pk,
            )
            return
        replace_token(locked, actor=Actor.DELEGATE, note="Lost-link page")
        notify_delegate(locked, emails.LINK_REQUESTED)
    logger.info("Registration %s: a new link was asked for and sent", locked.pk)
