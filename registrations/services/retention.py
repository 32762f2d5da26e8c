"""Personal data is deleted when the privacy notice says."""

import logging

from django.db import transaction

from registrations import selectors, signals
from registrations.models import Registration

logger = logging.getLogger(__name__)


def registrations_delete_expired(*, dry_run: bool = False) -> int:
    """Delete the registrations of events that ended before the retention cutoff.

    Their history goes with them; export records keep no personal data and
    stay. Return how many registrations were (or, with ``dry_run``, would be)
    deleted.
    """
    expired = Registration.objects.filter(
        event__ends_at__lt=selectors.retention_cutoff()
    )
    count = expired.count()
    if not dry_run and count:
        with transaction.atomic():
            expired.delete()
            signals.seats_changed.send(sender=Registration)
        logger.info("Deleted %s registrations past their retention period", count)
    return count
