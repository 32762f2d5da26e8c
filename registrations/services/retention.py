"""Personal data is deleted when the privacy notice says.

Passport data first (``visas.visa_data_delete_expired``, some days after the
event), the rest of the registration months later.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from registrations import selectors, signals
from registrations.models import (
    Delegation,
    Invitation,
    Registration,
    VisaLetter,
    VisaRequest,
)
from registrations.models.photos import private_storage
from registrations.models.visas import PASSPORT_FIELDS

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


def visa_data_delete_expired(*, dry_run: bool = False) -> int:
    """Delete the passport data, and the letters' PDFs, of events long enough over.

    ``VISA_DATA_RETENTION_DAYS`` after the event ends. The request keeps its
    state and mission; the letters their reference and validity, so that the
    verification page still answers. Return how many requests were emptied.
    """
    cutoff = timezone.now() - datetime.timedelta(days=settings.VISA_DATA_RETENTION_DAYS)
    due = VisaRequest.objects.filter(
        registration__event__ends_at__lt=cutoff, passport_data_deleted_at__isnull=True
    )
    count = due.count()
    if dry_run or not count:
        return count
    with transaction.atomic():
        letters = VisaLetter.objects.filter(request__in=due).exclude(file_name="")
        files = list(letters.values_list("file_name", flat=True))
        letters.update(file_name="")
        blank = {name: None for name in PASSPORT_FIELDS}
        blank.update(passport_name="", passport_number="", nationality="")
        due.update(passport_data_deleted_at=timezone.now(), **blank)
        storage = private_storage()
        for name in files:
            transaction.on_commit(lambda name=name: storage.delete(name), robust=True)
    logger.info("Deleted the passport data of %s visa requests", count)
    return count
