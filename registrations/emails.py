"""Emails to delegates, rendered from templates in the delegate's language.

``services`` records each email in the outbox with the decision that causes
it; the mail worker renders it here when it sends it
(``registrations.mail.outbox``), retries it when the server fails, and never
undoes the decision.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from registrations import email_text, selectors
from registrations.models import Registration

CONFIRMATION = "confirmation"
LINK_RESENT = "link_resent"
LINK_REPLACED = "link_replaced"
# Every change of status is announced by the email of that status's name.
APPROVED = Registration.Status.APPROVED
REJECTED = Registration.Status.REJECTED
WAITLISTED = Registration.Status.WAITLISTED
CANCELLED = Registration.Status.CANCELLED

SUBJECTS = {
    CONFIRMATION: _("Registration received: %(event)s"),
    LINK_RESENT: _("Your registration link: %(event)s"),
    LINK_REPLACED: _("Your new registration link: %(event)s"),
    APPROVED: _("Registration approved: %(event)s"),
    REJECTED: _("Your registration: %(event)s"),
    WAITLISTED: _("Waiting list: %(event)s"),
    CANCELLED: _("Registration cancelled: %(event)s"),
}


def private_url(registration: Registration) -> str:
    """Return the absolute address of the delegate's private page."""
    return settings.SITE_URL.rstrip("/") + registration.private_path()


def build_registration_email(
    registration: Registration, kind: str
) -> EmailMultiAlternatives:
    """Render the ``kind`` email for ``registration`` in the delegate's language."""
    with translation.override(registration.language):
        event = registration.event
        context = {
            "registration": registration,
            "event": event,
            "sessions": selectors.chosen_sessions(registration),
            "private_url": private_url(registration),
            "waitlist_position": selectors.waitlist_position(registration),
            "site_url": settings.SITE_URL,
        }
        subject = str(SUBJECTS[kind] % {"event": event.localized.title})
        written = render_to_string(f"registrations/email/{kind}.txt", context)
        # The HTML part is the same text in the site's layout, with the
        # private link as a button; one wording per email to keep in step.
        # Only our own addresses are links, in either part: what delegates
        # typed stays text (email_text).
        links = {
            context["private_url"]: context["private_url"],
            event.contact_email: f"mailto:{event.contact_email}",
        }
        text = email_text.plain_text(written, links=links)
        html = render_to_string(
            "registrations/email/layout.html",
            {
                **context,
                "subject": subject,
                "body": email_text.html_paragraphs(written, links=links),
            },
        )
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[registration.email],
        reply_to=[event.contact_email],
    )
    message.attach_alternative(html, "text/html")
    return message
