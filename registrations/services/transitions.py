"""The status transitions: which exist, and the one function that makes them.

Every change of status goes through ``move``: it saves the new status, records
the step in the history and records the delegate's email in the outbox.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations import signals
from registrations.errors import RegistrationError, lower_label
from registrations.models import ATTENDING, Registration, RegistrationChange
from registrations.services.history import record_change
from registrations.services.notifications import notify_delegate
from registrations.services.visas import visa_letters_withdraw_for

Status = Registration.Status
Actor = RegistrationChange.Actor

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PENDING: frozenset(
        {
            Status.APPROVED,
            Status.REJECTED,
            Status.WAITLISTED,
            Status.CANCELLED,
        }
    ),
    Status.WAITLISTED: frozenset({Status.APPROVED, Status.REJECTED, Status.CANCELLED}),
    Status.APPROVED: frozenset({Status.CANCELLED}),
    Status.REJECTED: frozenset(),
    Status.CANCELLED: frozenset(),
}


def can_transition(*, registration: Registration, to_status: str) -> bool:
    """Return whether the workflow allows ``registration`` to reach ``to_status``."""
    return to_status in ALLOWED_TRANSITIONS[registration.status]


def check_transition(registration: Registration, to_status: str) -> None:
    """Raise, saying why, unless the workflow allows this step."""
    if can_transition(registration=registration, to_status=to_status):
        return
    if registration.status == to_status:
        message = _("The registration is already %(status)s.")
    else:
        message = _("A registration that is %(status)s cannot become %(target)s.")
    raise RegistrationError(
        message,
        code="illegal_transition",
        params={
            "status": lower_label(Status(registration.status)),
            "target": lower_label(Status(to_status)),
        },
    )


def move(
    registration: Registration,
    to_status: str,
    *,
    actor: str,
    by: AbstractBaseUser | None,
    note: str,
    email: str | None = None,
) -> None:
    """Change the status of a locked registration, record it, and tell the delegate.

    The delegate gets the email of the new status's name, or ``email``.
    """
    from_status = registration.status
    now = timezone.now()
    registration.status = to_status
    registration.status_changed_at = now
    update_fields = ["status", "status_changed_at"]
    if actor == Actor.STAFF and to_status != Status.CANCELLED:
        registration.reviewed_by = by
        registration.reviewed_at = now
        registration.review_note = note
        update_fields += ["reviewed_by", "reviewed_at", "review_note"]
    registration.save(update_fields=update_fields)
    if to_status in (Status.CANCELLED, Status.REJECTED):
        # A letter of invitation to somebody who no longer comes is void.
        visa_letters_withdraw_for(registration, by=by)
    if ATTENDING in (from_status, to_status):
        # The seats left on the public pages change.
        signals.seats_changed.send(sender=Registration)
    record_change(
        registration,
        actor=actor,
        by=by,
        from_status=from_status,
        to_status=to_status,
        note=note,
        at=now,
    )
    notify_delegate(registration, email or to_status)
