"""The record of every change of a registration: who, when, from what to what."""

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from registrations.models import Registration, RegistrationChange


def record_change(
    registration: Registration,
    *,
    actor: str,
    by: AbstractBaseUser | None = None,
    from_status: str = "",
    to_status: str = "",
    fields: Sequence[str] = (),
    note: str = "",
    at=None,
) -> RegistrationChange:
    """Record one change of ``registration``; the caller holds the transaction."""
    return RegistrationChange.objects.create(
        registration=registration,
        changed_at=at or timezone.now(),
        actor=actor,
        changed_by=by,
        from_status=from_status,
        to_status=to_status,
        fields=list(fields),
        note=note,
    )
