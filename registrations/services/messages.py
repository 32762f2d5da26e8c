"""Messages staff write to chosen delegates, sent through the outbox."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations import emails, message_texts
from registrations.errors import RegistrationError
from registrations.mail import outbox
from registrations.models import DelegateMessage, Registration

Status = Registration.Status
# Who a message does not reach: delegates who withdrew.
NOT_MESSAGED = (Status.CANCELLED,)


@dataclass(frozen=True)
class MessageTexts:
    """A message in both languages, as staff wrote it."""

    subject_en: str
    body_en: str
    subject_ja: str
    body_ja: str

    def check(self) -> None:
        """Refuse an empty text or a placeholder that does not exist."""
        for text in (self.subject_en, self.body_en, self.subject_ja, self.body_ja):
            if not text.strip():
                raise RegistrationError(
                    _("Write the subject and the message in both languages."),
                    code="message_incomplete",
                )
            try:
                message_texts.validate_placeholders(text)
            except ValidationError as error:
                raise RegistrationError(
                    error.message, code=error.code, params=error.params
                ) from None


def message_recipients(registrations: QuerySet) -> QuerySet:
    """Return whom a message to ``registrations`` reaches: all but the cancelled."""
    return registrations.exclude(status__in=NOT_MESSAGED)


def message_send(
    *,
    registrations: QuerySet,
    texts: MessageTexts,
    selection: dict,
    by: AbstractBaseUser,
) -> DelegateMessage:
    """Record a message and one email per delegate chosen, spaced to the rate.

    Every recipient gets it in their own language, at most
    ``MESSAGE_EMAILS_PER_MINUTE`` emails a minute leaving from now on. The
    message is recorded with its selection and the number of recipients.
    The delegates must all be of one event.
    """
    texts.check()
    with transaction.atomic():
        recipients = list(
            message_recipients(registrations).select_related("event").order_by("pk")
        )
        if not recipients:
            raise RegistrationError(
                _("None of the chosen delegates can receive a message."),
                code="message_no_recipient",
            )
        events = {registration.event_id for registration in recipients}
        if len(events) > 1:
            raise RegistrationError(
                _("Choose delegates of one event: a message is about one event."),
                code="message_several_events",
            )
        message = DelegateMessage.objects.create(
            event=recipients[0].event,
            subject_en=texts.subject_en,
            body_en=texts.body_en,
            subject_ja=texts.subject_ja,
            body_ja=texts.body_ja,
            selection={**selection, "registrations": [r.pk for r in recipients]},
            recipient_count=len(recipients),
            sent_by=by,
        )
        interval = datetime.timedelta(minutes=1) / settings.MESSAGE_EMAILS_PER_MINUTE
        start = timezone.now()
        for place, registration in enumerate(recipients):
            outbox.email_record(
                kind=emails.MESSAGE,
                registration=registration,
                message=message,
                due=start + interval * place,
            )
    return message
