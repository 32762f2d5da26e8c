"""Corrections of a registration's details: by the delegate, or by staff."""

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations import signals, validators
from registrations.errors import RegistrationError
from registrations.models import Registration, RegistrationChange, Session
from registrations.services.capacity import (
    lock_event,
    lock_registration,
    refuse_if_sessions_full,
)
from registrations.services.history import record_change
from registrations.services.workflow import delegate_can_edit

Status = Registration.Status
Actor = RegistrationChange.Actor
DELEGATE_FIELDS = Registration.DELEGATE_FIELDS


def check_input(event_id: int, details: dict, sessions: Sequence[Session]) -> None:
    """Refuse what no registration may hold, whoever sends it.

    Unknown fields, sessions of another event, two sessions at the same time,
    two organisations or none. Every path that stores a registration's details
    (the form, the delegate's corrections, staff corrections) passes here.
    """
    unknown = set(details) - set(DELEGATE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown registration fields: {sorted(unknown)}")
    if any(session.event_id != event_id for session in sessions):
        raise RegistrationError(
            _("A chosen session is not part of this event."), code="foreign_session"
        )
    try:
        validators.validate_no_overlapping_sessions(sessions)
        if "organisation" in details and "organisation_other" in details:
            validators.validate_one_organisation(
                details["organisation"], details["organisation_other"]
            )
    except ValidationError as error:
        raise RegistrationError(
            error.message, code=error.code, params=error.params
        ) from None


def registration_update(
    *,
    registration: Registration,
    sessions: Sequence[Session],
    consent: bool = False,
    **details,
) -> list[str]:
    """Apply a delegate's corrections to a pending registration.

    Return the names of the fields that changed (``sessions`` among them).
    ``consent``: the delegate agrees to the processing of their data, as a
    member nominated by a delegation does when completing their details.
    """
    check_input(registration.event_id, details, sessions)
    with transaction.atomic():
        locked = lock_registration(registration)
        if locked.status != Status.PENDING:
            raise RegistrationError(
                _("Details can be corrected only while the registration is pending."),
                code="not_pending",
            )
        if not delegate_can_edit(registration=locked):
            raise RegistrationError(
                _("The event has started; please write to the secretariat."),
                code="event_started",
            )
        changed = _apply_changes(locked, details, sessions)
        if consent and locked.consent_given_at is None:
            locked.consent_given_at = timezone.now()
            locked.save(update_fields=["consent_given_at"])
            changed.append("consent_given_at")
        if changed:
            record_change(locked, actor=Actor.DELEGATE, fields=changed)
    registration.refresh_from_db()
    return changed


def registration_correct(
    *,
    registration: Registration,
    by: AbstractBaseUser,
    sessions: Sequence[Session],
    note: str = "",
    **details,
) -> list[str]:
    """Apply a staff member's corrections, in any status, and record them.

    Return the names of the fields that changed.
    """
    check_input(registration.event_id, details, sessions)
    with transaction.atomic():
        locked = lock_registration(registration)
        changed = _apply_changes(locked, details, sessions)
        if changed:
            record_change(locked, actor=Actor.STAFF, by=by, fields=changed, note=note)
    registration.refresh_from_db()
    return changed


def _apply_changes(
    locked: Registration, details: dict, sessions: Sequence[Session]
) -> list[str]:
    """Save the changed ``details`` and ``sessions``; return the changed names."""
    changed = [
        name for name, value in details.items() if getattr(locked, name) != value
    ]
    for name in changed:
        setattr(locked, name, details[name])
    if changed:
        locked.save(update_fields=changed)
    new_ids = {session.pk for session in sessions}
    old_ids = set(locked.sessions.values_list("pk", flat=True))
    if new_ids != old_ids:
        if locked.is_attending:
            # An approved delegate holds a seat in every session chosen.
            lock_event(locked.event_id)
            refuse_if_sessions_full(
                [session for session in sessions if session.pk not in old_ids]
            )
        locked.sessions.set(sessions)
        changed.append("sessions")
        if locked.is_attending:
            signals.seats_changed.send(sender=Registration)
    return changed
