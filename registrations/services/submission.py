"""A delegate registers, or registers again and gets a new private link."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations import emails, selectors, validators
from registrations.errors import RegistrationError
from registrations.models import Event, Registration, RegistrationChange, Session
from registrations.services.corrections import check_input
from registrations.services.history import record_change
from registrations.services.links import send_new_link_unless_just_sent
from registrations.services.notifications import notify_delegate

Status = Registration.Status
Actor = RegistrationChange.Actor


@dataclass
class SubmitResult:
    """What ``registration_submit`` did: created a registration, or sent a new link."""

    registration: Registration | None
    created: bool
    full_sessions: list[Session] = field(default_factory=list)


def normalised_email(email: str) -> str:
    """Return the address in the one form stored and compared, or refuse it."""
    try:
        return validators.normalise_email(email)
    except ValidationError as error:
        raise RegistrationError(
            error.message, code=error.code or "invalid_email", params=error.params
        ) from None


def registration_submit(
    *,
    event: Event,
    email: str,
    sessions: Sequence[Session],
    language: str,
    **details,
) -> SubmitResult:
    """Create a pending registration, or send the existing one a new private link.

    ``details`` are the fields of ``DELEGATE_FIELDS``. The result does not tell
    the caller's user whether the address was registered before: both cases
    end in an email to that address.
    """
    if not event.is_registration_open():
        raise RegistrationError(
            _("Registration for this event is not open."), code="closed"
        )
    check_input(event.pk, details, sessions)
    email = normalised_email(email)

    with transaction.atomic():
        existing = selectors.live_registration(event, email)
        if existing is None:
            try:
                with transaction.atomic():
                    registration = Registration.objects.create(
                        event=event,
                        email=email,
                        language=language,
                        consent_given_at=timezone.now(),
                        **details,
                    )
            except IntegrityError:
                # Another submission with this address committed first.
                existing = selectors.live_registration(event, email)
                if existing is None:
                    raise
            else:
                # New, it has no sessions yet: adding them is one INSERT.
                registration.sessions.add(*sessions)
                record_change(
                    registration, actor=Actor.DELEGATE, to_status=Status.PENDING
                )
                notify_delegate(registration, emails.CONFIRMATION)
                return SubmitResult(
                    registration=registration,
                    created=True,
                    full_sessions=selectors.full_sessions_among(sessions),
                )
        send_new_link_unless_just_sent(existing)
        # The same answer as for a new registration, so that the page shown
        # does not tell whether the address was registered before.
        return SubmitResult(
            registration=None,
            created=False,
            full_sessions=selectors.full_sessions_among(sessions),
        )
