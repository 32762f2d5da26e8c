"""A delegate registers, or registers again and gets a new private link."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from registrations import emails, selectors, validators
from registrations.errors import RegistrationError
from registrations.inserts import in_one_statement, insert
from registrations.models import (
    Event,
    Registration,
    RegistrationChange,
    RegistrationSession,
    Sector,
    Session,
)
from registrations.services.corrections import check_input
from registrations.services.history import record_change
from registrations.services.links import send_new_link_unless_just_sent
from registrations.services.notifications import notify_delegate

logger = logging.getLogger(__name__)
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


def refuse_unless_open_form_admits(event: Event, category: str) -> None:
    """Raise, saying how to be invited, if the open form does not admit ``category``."""
    if not event.open_form_admits(category):
        raise open_form_refusal(event)


def open_form_refusal(event: Event) -> RegistrationError:
    """Return the refusal of a visitor the open form does not admit, and the way in."""
    if event.open_form_closed_to_all:
        message = _(
            "Registration for this event is by invitation only. Delegations of "
            "governments and organisations are nominated by their focal point; to "
            "be invited otherwise, please write to the secretariat at %(email)s."
        )
        params = {"email": event.contact_email}
    else:
        message = _(
            "This form is open to: %(categories)s. Others attend by invitation: "
            "delegations of governments and organisations are nominated by their "
            "focal point; to be invited otherwise, please write to the secretariat "
            "at %(email)s."
        )
        params = {
            "categories": lazy(lambda: open_categories(event), str)(),
            "email": event.contact_email,
        }
    return RegistrationError(message, code="by_invitation", params=params)


def open_categories(event: Event) -> str:
    """Return the categories the open form admits, named in the reader's language."""
    return ", ".join(
        str(label)
        for value, label in Sector.choices
        if value in event.open_form_categories
    )


def create_registration(
    *,
    event: Event,
    email: str,
    sessions: Sequence[Session],
    language: str,
    details: dict,
    confirm: bool = False,
) -> tuple[Registration | None, Registration | None]:
    """Create a pending registration; return (the new one, the one the address had).

    One of the two is None. ``confirm``: record the confirmation email with
    it; otherwise the caller records the email it causes. Its rows are written
    in one statement: called inside the caller's transaction, with a
    savepoint of its own; outside any (the open form), a transaction alone.
    """
    # Most addresses are new: the insert comes first, and the database's
    # constraint on one live registration an address finds those that are not.
    try:
        with in_one_statement():
            registration = Registration(
                event=event,
                email=email,
                language=language,
                consent_given_at=timezone.now(),
                **details,
            )
            insert([registration])
            # New, it has no sessions yet: one INSERT, without the SELECT of
            # those it has that ``sessions.add()`` makes first.
            insert(
                [
                    RegistrationSession(registration=registration, session=session)
                    for session in sessions
                ]
            )
            record_change(registration, actor=Actor.DELEGATE, to_status=Status.PENDING)
            if confirm:
                notify_delegate(registration, emails.CONFIRMATION)
    except IntegrityError as error:
        # The address has a registration already, or another submission
        # with it committed first.
        existing = selectors.live_registration(event, email)
        if existing is None:
            # A chosen session, or the organisation, was deleted meanwhile.
            logger.warning("A registration for %s was not stored: %s", event, error)
            raise RegistrationError(
                _(
                    "A session or the organisation you chose is no longer "
                    "offered. Please check your choices and send the form again."
                ),
                code="choice_gone",
            ) from None
        return None, existing
    return registration, None


def registration_submit(
    *,
    event: Event,
    email: str,
    sessions: Sequence[Session],
    language: str,
    visa_needed: bool = False,
    **details,
) -> SubmitResult:
    """Create a pending registration, or send the existing one a new private link.

    ``details`` are the fields of ``DELEGATE_FIELDS``; ``visa_needed`` says
    that the delegate will ask for a visa support letter (from their private
    page). The result does not tell the caller's user whether the address was
    registered before: both cases end in an email to that address. The
    event's open form must admit the delegate's category (``Event.open_form``).
    """
    if not event.is_registration_open():
        raise RegistrationError(
            _("Registration for this event is not open."), code="closed"
        )
    check_input(event.pk, details, sessions)
    refuse_unless_open_form_admits(event, details.get("category", ""))
    email = normalised_email(email)
    registration, existing = create_registration(
        event=event,
        email=email,
        sessions=sessions,
        language=language,
        details={**details, "visa_needed": visa_needed},
        confirm=True,
    )
    if existing is not None:
        with transaction.atomic():
            send_new_link_unless_just_sent(existing)
    # The same answer whether the address was registered before or not, so
    # that the page shown does not tell.
    return SubmitResult(
        registration=registration,
        created=registration is not None,
        full_sessions=selectors.full_sessions_among(sessions),
    )
