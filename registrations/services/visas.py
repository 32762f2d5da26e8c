"""Visa support: the delegate's request, the Protocol office's letters.

A request moves requested → issued → sent, or is refused with a reason; a
correction by the delegate asks for a check again (requested). Each letter
issued has a new reference; issuing again withdraws the letter in force, and
a letter is withdrawn when its registration is cancelled or rejected
(``transitions.move`` calls ``visa_letters_withdraw_for``). Letters go to
approved delegates only, unless ``VISA_LETTERS_FOR_PENDING`` lets the office
issue one for a pending registration; never for a cancelled, rejected or
waitlisted one.

The letter's PDF is made when it is issued and kept in the private storage
until the passport data is deleted (``retention.visa_data_delete_expired``).
"""

import logging
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.signals import post_delete
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.documents.visa_letters import render_letter
from registrations.errors import RegistrationError
from registrations.mail import outbox
from registrations.models import (
    ATTENDING,
    PassportDataView,
    Registration,
    VisaLetter,
    VisaLetterhead,
    VisaRequest,
)
from registrations.models.photos import private_storage
from registrations.models.visas import new_letter_reference
from registrations.services.capacity import lock_registration

logger = logging.getLogger(__name__)

State = VisaRequest.State
Status = Registration.Status
LETTER_FOLDER = "visa-letters"
# The statuses for which a request may be made: the registration is live.
REQUEST_STATUSES = (Status.PENDING, Status.APPROVED, Status.WAITLISTED)
# The emails of this module (``registrations.emails``).
LETTER_EMAIL = "visa_letter"
REFUSAL_EMAIL = "visa_refused"


def delegate_visa_refusal(*, registration: Registration, at=None) -> str | None:
    """Return why the delegate may not ask for (or correct) a request, or None."""
    at = at or timezone.now()
    if registration.status not in REQUEST_STATUSES:
        return _("A visa support letter can be requested for a live registration only.")
    if at >= registration.event.starts_at:
        return _("The symposium has begun: please write to the secretariat.")
    deleted = VisaRequest.objects.filter(
        registration=registration, passport_data_deleted_at__isnull=False
    )
    if deleted.exists():
        return _("The passport data of this request has been deleted.")
    return None


def letter_refusal(registration: Registration):
    """Return why no letter may be issued for ``registration`` now, or None."""
    if registration.status == ATTENDING:
        return None
    if registration.status == Status.PENDING and settings.VISA_LETTERS_FOR_PENDING:
        return None
    if registration.status == Status.PENDING:
        return _(
            "Letters are issued for approved registrations only; this one is "
            "still pending review."
        )
    return _("No letter can be issued for a registration that is %(status)s.") % {
        "status": str(Status(registration.status).label).lower()
    }


def visa_request_submit(*, registration: Registration, details: dict) -> VisaRequest:
    """Record the delegate's request, or their correction of it.

    A correction of a request already decided asks the office to check it
    again; the letter in force stays until the office reissues or withdraws it.
    """
    with transaction.atomic():
        locked = lock_registration(registration)
        locked.event = registration.event
        refusal = delegate_visa_refusal(registration=locked)
        if refusal:
            raise RegistrationError(refusal, code="visa_request_closed")
        request = VisaRequest.objects.filter(
            registration=locked
        ).first() or VisaRequest(registration=locked)
        changed = request.pk is None or any(
            getattr(request, name) != value for name, value in details.items()
        )
        if not changed:
            return request
        for name, value in details.items():
            setattr(request, name, value)
        request.updated_at = timezone.now()
        if request.state != State.REQUESTED:
            request.state = State.REQUESTED
            request.refusal_reason = ""
        request.save()
    logger.info("Registration %s: visa letter requested", registration.pk)
    return request


def passport_data_seen(
    *, requests: Iterable[VisaRequest], by: AbstractBaseUser, access: str
) -> None:
    """Record that ``by`` saw the passport data of ``requests``."""
    now = timezone.now()
    PassportDataView.objects.bulk_create(
        PassportDataView(
            request=request,
            registration_ref=request.registration_id,
            viewed_at=now,
            viewed_by=by,
            access=access,
        )
        for request in requests
    )


def _lock_request(request: VisaRequest) -> VisaRequest:
    # Only the request's row is locked: PostgreSQL locks no row on the
    # nullable side of the outer joins (organisation, delegation).
    return (
        VisaRequest.objects.select_for_update(of=("self",))
        .select_related(
            "registration__event",
            "registration__organisation",
            "registration__delegation__organisation",
        )
        .get(pk=request.pk)
    )


def _withdraw(letter: VisaLetter, *, by, reason: str, at) -> None:
    letter.withdrawn_at = at
    letter.withdrawn_by = by
    letter.withdrawal_reason = reason[:300]
    letter.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])


def _store_pdf(content: bytes) -> str:
    """Write the letter's PDF under a random name in the private storage.

    Written before the row, as photos are: a failure leaves at worst a stray
    file, never a letter without its PDF.
    """
    return private_storage().save(
        f"{LETTER_FOLDER}/{secrets.token_hex(16)}.pdf", ContentFile(content)
    )


def _delete_file_with_row(sender, instance: VisaLetter, **kwargs) -> None:
    if instance.file_name:
        name = instance.file_name
        transaction.on_commit(lambda: private_storage().delete(name), robust=True)


def connect_receivers() -> None:
    """Delete a letter's PDF whenever its row goes (with the registration too)."""
    post_delete.connect(
        _delete_file_with_row, sender=VisaLetter, dispatch_uid="visa_letter_delete"
    )


def _new_reference(request: VisaRequest) -> str:
    event = request.registration.event
    while True:
        reference = new_letter_reference(event)
        if not VisaLetter.objects.filter(reference=reference).exists():
            return reference


def visa_letter_issue(
    *,
    request: VisaRequest,
    by: AbstractBaseUser,
    costs: str,
    japanese_version: bool,
    send: bool = True,
) -> VisaLetter:
    """Issue a letter for ``request``, withdrawing the one in force, and send it.

    The PDF is rendered now, from the request's data and the event's
    letterhead, and kept; ``send`` emails it to the delegate as well.
    """
    with transaction.atomic():
        locked = _lock_request(request)
        registration = lock_registration(locked.registration)
        registration.event = locked.registration.event
        locked.registration = registration
        refusal = letter_refusal(registration)
        if refusal:
            raise RegistrationError(refusal, code="visa_not_allowed")
        if not locked.has_passport_data:
            raise RegistrationError(
                _("The passport data of this request has been deleted."),
                code="visa_data_deleted",
            )
        letterhead = VisaLetterhead.objects.filter(event=registration.event).first()
        if letterhead is None:
            raise RegistrationError(
                _(
                    "The event has no letterhead yet: give the letterhead and the "
                    "signatory under Visa letterheads first."
                ),
                code="visa_no_letterhead",
            )
        now = timezone.now()
        reference = _new_reference(locked)
        for letter in locked.letters.filter(withdrawn_at__isnull=True):
            _withdraw(
                letter,
                by=by,
                reason=str(_("Replaced by letter %(reference)s"))
                % {"reference": reference},
                at=now,
            )
        locked.costs = costs
        locked.japanese_version = japanese_version
        letter = VisaLetter(
            request=locked,
            event=registration.event,
            reference=reference,
            issued_at=now,
            issued_by=by,
            japanese_version=japanese_version,
        )
        content = render_letter(letter=letter, request=locked, letterhead=letterhead)
        letter.file_name = _store_pdf(content)
        letter.save()
        locked.state = State.ISSUED
        locked.decided_at, locked.decided_by = now, by
        locked.refusal_reason = ""
        locked.save(
            update_fields=[
                "costs",
                "japanese_version",
                "state",
                "decided_at",
                "decided_by",
                "refusal_reason",
            ]
        )
        passport_data_seen(
            requests=[locked], by=by, access=PassportDataView.Access.ISSUE
        )
        if send:
            _send(letter, locked)
    logger.info(
        "Registration %s: visa letter %s issued by %s",
        registration.pk,
        reference,
        by.get_username(),
    )
    return letter


def _send(letter: VisaLetter, request: VisaRequest) -> None:
    outbox.email_record(
        registration=request.registration, kind=LETTER_EMAIL, visa_letter=letter
    )
    letter.sent_at = timezone.now()
    letter.save(update_fields=["sent_at"])
    request.state = State.SENT
    request.save(update_fields=["state"])


def visa_letter_send(*, letter: VisaLetter, by: AbstractBaseUser) -> VisaLetter:
    """Email the letter in force to the delegate (again)."""
    with transaction.atomic():
        locked = _lock_request(letter.request)
        letter = locked.letters.filter(pk=letter.pk).first()
        if letter is None or not letter.is_valid:
            raise RegistrationError(
                _("This letter has been withdrawn; issue a new one."),
                code="visa_letter_withdrawn",
            )
        if not letter.file_name:
            raise RegistrationError(
                _("The letter's file has been deleted with the passport data."),
                code="visa_data_deleted",
            )
        _send(letter, locked)
    return letter


def visa_letter_withdraw(
    *, letter: VisaLetter, by: AbstractBaseUser | None, reason: str
) -> VisaLetter:
    """Withdraw a letter: the verification page says so from now on."""
    with transaction.atomic():
        locked = _lock_request(letter.request)
        letter = locked.letters.get(pk=letter.pk)
        if not letter.is_valid:
            raise RegistrationError(
                _("This letter has been withdrawn already."),
                code="visa_letter_withdrawn",
            )
        _withdraw(letter, by=by, reason=reason, at=timezone.now())
        if locked.state in (State.ISSUED, State.SENT):
            locked.state = State.WITHDRAWN
            locked.save(update_fields=["state"])
    return letter


def visa_request_refuse(
    *, request: VisaRequest, by: AbstractBaseUser, reason: str
) -> VisaRequest:
    """Refuse the request; the reason goes to the delegate, any letter is withdrawn."""
    if not reason.strip():
        raise RegistrationError(
            _("Please give the reason for the refusal."), code="visa_reason"
        )
    with transaction.atomic():
        locked = _lock_request(request)
        if locked.state == State.REFUSED:
            raise RegistrationError(
                _("This request has been refused already."), code="visa_refused"
            )
        now = timezone.now()
        for letter in locked.letters.filter(withdrawn_at__isnull=True):
            _withdraw(letter, by=by, reason=reason, at=now)
        locked.state = State.REFUSED
        locked.refusal_reason = reason
        locked.decided_at, locked.decided_by = now, by
        locked.save(
            update_fields=["state", "refusal_reason", "decided_at", "decided_by"]
        )
        outbox.email_record(registration=locked.registration, kind=REFUSAL_EMAIL)
    return locked


def visa_letters_withdraw_for(
    registration: Registration, *, by: AbstractBaseUser | None
) -> int:
    """Withdraw the letters of a registration cancelled or rejected; return how many.

    Called inside the transaction that changes the registration's status.
    """
    letters = list(
        VisaLetter.objects.filter(
            request__registration=registration, withdrawn_at__isnull=True
        )
    )
    reason = str(
        _("Registration %(status)s") % {"status": Status(registration.status).label}
    )
    now = timezone.now()
    for letter in letters:
        _withdraw(letter, by=by, reason=reason, at=now)
    VisaRequest.objects.filter(
        registration=registration, state__in=(State.ISSUED, State.SENT)
    ).update(state=State.WITHDRAWN)
    return len(letters)


def store_stamp(*, letterhead: VisaLetterhead, png: bytes | None) -> None:
    """Keep ``png`` as the letterhead's stamp (None removes it); drop the old file."""
    storage = private_storage()
    old = letterhead.stamp_file
    letterhead.stamp_file = (
        storage.save(
            f"{LETTER_FOLDER}/stamp-{secrets.token_hex(16)}.png", ContentFile(png)
        )
        if png
        else ""
    )
    letterhead.save(update_fields=["stamp_file"])
    if old:
        transaction.on_commit(lambda: storage.delete(old), robust=True)
