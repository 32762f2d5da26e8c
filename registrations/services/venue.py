"""The venue's details: sent to approved delegates once staff have them.

The announcement names no hotel. Staff fill in the hotel, its address, the
directions and a map link on the event, then send them: every approved
delegate gets them by email, and from then on the delegate's page and every
approval email show them. Until then both say when they will be sent.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations import emails
from registrations.errors import RegistrationError
from registrations.models import Event
from registrations.services.capacity import lock_event
from registrations.services.notifications import notify_delegate


def event_send_venue_details(*, event: Event, by: AbstractBaseUser) -> int:
    """Email the venue's details to every approved delegate; return how many.

    Sending again (after a correction, say) writes to everyone again.
    """
    with transaction.atomic():
        locked = lock_event(event.pk)
        if not locked.venue_details_complete:
            raise RegistrationError(
                _("Fill in the hotel and its address before sending them."),
                code="venue_incomplete",
            )
        locked.venue_details_sent_at = timezone.now()
        locked.save(update_fields=["venue_details_sent_at"])
        attending = locked.registrations.attending().order_by("pk")
        count = 0
        for registration in attending.iterator():
            notify_delegate(registration, emails.VENUE_DETAILS)
            count += 1
    event.venue_details_sent_at = locked.venue_details_sent_at
    return count
