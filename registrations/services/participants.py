"""The List of Participants marked final, or provisional again, by staff."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from registrations.models import Event, ParticipantsList


def participants_list_mark(
    *, event: Event, final: bool, by: AbstractBaseUser
) -> ParticipantsList:
    """Mark the event's List of Participants final, or provisional again.

    Every edition made afterwards says so on each page.
    """
    with transaction.atomic():
        record, _created = ParticipantsList.objects.select_for_update().get_or_create(
            event=event
        )
        record.final_at = timezone.now() if final else None
        record.final_by = by if final else None
        record.save(update_fields=["final_at", "final_by"])
    return record
