"""The record of every change of a registration or a delegation: who, when, what."""

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from registrations.inserts import insert
from registrations.models import (
    Delegation,
    DelegationChange,
    Registration,
    RegistrationChange,
)


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
    change = RegistrationChange(
        registration=registration,
        changed_at=at or timezone.now(),
        actor=actor,
        changed_by=by,
        from_status=from_status,
        to_status=to_status,
        fields=list(fields),
        note=note,
    )
    insert([change])
    return change


def record_delegation_change(
    delegation: Delegation,
    *,
    actor: str,
    action: str,
    by: AbstractBaseUser | None = None,
    detail: str = "",
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    at=None,
) -> DelegationChange:
    """Record one change of ``delegation``; the caller holds the transaction."""
    return DelegationChange.objects.create(
        delegation=delegation,
        changed_at=at or timezone.now(),
        actor=actor,
        changed_by=by,
        action=action,
        detail=detail[:300],
        from_state=from_state,
        to_state=to_state,
        note=note,
    )
