"""Personal data is deleted when the privacy notice says.

Passport data first (``visas.visa_data_delete_expired``, some days after the
event), the rest of the registration months later.
"""

import logging

from django.db import transaction

from registrations import selectors, signals
from registrations.models import Delegation, Invitation, Registration

logger = logging.getLogger(__name__)


def registrations_delete_expired(*, dry_run: bool = False) -> int:
    """Delete the registrations of events that ended before the retention cutoff.

    Their history goes with them; export records keep no personal data and
    stay. Return how many registrations were (or, with ``dry_run``, would be)
    deleted.
    """
    cutoff = selectors.retention_cutoff()
    expired = Registration.objects.filter(event__ends_at__lt=cutoff)
    count = expired.count()
    if dry_run:
        return count
    delegations = Delegation.objects.filter(event__ends_at__lt=cutoff)
    invitations = Invitation.objects.filter(event__ends_at__lt=cutoff)
    with transaction.atomic():
        # The delegations' focal points and notes verbales, the invitees'
        # names: personal data too, gone with the registrations.
        files = list(delegations.values_list("note_verbale", flat=True))
        if count:
            expired.delete()
            signals.seats_changed.send(sender=Registration)
        invitations.delete()
        delegations.delete()
        storage = Delegation._meta.get_field("note_verbale").storage
        for name in filter(None, files):
            transaction.on_commit(lambda name=name: storage.delete(name), robust=True)
    if count:
        logger.info("Deleted %s registrations past their retention period", count)
    return count
