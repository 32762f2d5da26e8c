"""Emails, rendered from templates in the language of whoever receives them.

To a delegate (a registration), to a delegation's focal point, or to the
receiver of a personal invitation.

``services`` records each email in the outbox with the decision that causes
it; the mail worker renders it here when it sends it
(``registrations.mail.outbox``), retries it when the server fails, and never
undoes the decision.
"""

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from registrations import email_text, message_texts, selectors
from registrations.documents import calendar
from registrations.models import (
    Delegation,
    Invitation,
    Registration,
    VisaLetter,
    japanese_is_active,
)
from registrations.models.photos import private_storage

CONFIRMATION = "confirmation"
LINK_RESENT = "link_resent"
LINK_REPLACED = "link_replaced"
LINK_REQUESTED = "link_requested"
# Every change of status is announced by the email of that status's name,
# unless the change has a story of its own:
APPROVED = Registration.Status.APPROVED
REJECTED = Registration.Status.REJECTED
WAITLISTED = Registration.Status.WAITLISTED
CANCELLED = Registration.Status.CANCELLED
# an approval asked for when no seat was left put it on the waiting list,
WAITLISTED_FULL = "waitlisted_full"
# a seat freed and approved it from the waiting list.
PROMOTED = "promoted"
# The hotel's name, address and directions, when staff send them.
VENUE_DETAILS = "venue_details"
# A delegate nominated by their delegation's focal point.
NOMINATED = "nominated"
# To a delegation's focal point.
DELEGATION_INVITED = "delegation_invited"
DELEGATION_REMINDER = "delegation_reminder"
DELEGATION_SUBMITTED = "delegation_submitted"
DELEGATION_CONFIRMED = "delegation_confirmed"
PORTAL_LINK_REPLACED = "portal_link_replaced"
# To the receiver of a personal invitation.
INVITED = "invited"
# A visa support letter, attached; a request refused.
VISA_LETTER = "visa_letter"
VISA_REFUSED = "visa_refused"
# A message staff wrote to chosen delegates (``DelegateMessage``).
MESSAGE = "message"

SUBJECTS = {
    CONFIRMATION: _("Registration received: %(event)s"),
    LINK_RESENT: _("Your registration link: %(event)s"),
    LINK_REPLACED: _("Your new registration link: %(event)s"),
    LINK_REQUESTED: _("Your new registration link: %(event)s"),
    APPROVED: _("Registration approved: %(event)s"),
    REJECTED: _("Your registration: %(event)s"),
    WAITLISTED: _("Waiting list: %(event)s"),
    WAITLISTED_FULL: _("Waiting list: %(event)s"),
    PROMOTED: _("Registration approved from the waiting list: %(event)s"),
    VENUE_DETAILS: _("The venue and how to reach it: %(event)s"),
    CANCELLED: _("Registration cancelled: %(event)s"),
    NOMINATED: _("You have been nominated to attend: %(event)s"),
    DELEGATION_INVITED: _("Invitation to send a delegation: %(event)s"),
    DELEGATION_REMINDER: _("Reminder: your delegation to %(event)s"),
    DELEGATION_SUBMITTED: _("Delegation received: %(event)s"),
    DELEGATION_CONFIRMED: _("Delegation confirmed: %(event)s"),
    PORTAL_LINK_REPLACED: _("Your delegation's new portal link: %(event)s"),
    INVITED: _("Invitation: %(event)s"),
    VISA_LETTER: _("Your visa support letter: %(event)s"),
    VISA_REFUSED: _("Your request for a visa support letter: %(event)s"),
    # The subject staff wrote replaces it (``build_message_email``).
    MESSAGE: _("A message from the secretariat: %(event)s"),
}

# The emails by whom they go to: the delegate, a focal point, an invitee.
REGISTRATION_KINDS = frozenset(
    {CONFIRMATION, LINK_RESENT, LINK_REPLACED, LINK_REQUESTED, APPROVED, REJECTED}
    | {WAITLISTED, WAITLISTED_FULL, PROMOTED, VENUE_DETAILS, CANCELLED, NOMINATED}
    | {VISA_LETTER, VISA_REFUSED}
    | {MESSAGE}
)
DELEGATION_KINDS = frozenset(
    {DELEGATION_INVITED, DELEGATION_REMINDER, DELEGATION_SUBMITTED}
    | {DELEGATION_CONFIRMED, PORTAL_LINK_REPLACED}
)
INVITATION_KINDS = frozenset({INVITED})

# The emails that carry the delegate's own sessions as a calendar file.
WITH_CALENDAR = frozenset({APPROVED, PROMOTED})

# The button at the end of the HTML part, by whom the email is for.
BUTTONS = {
    "registration": _("Open my registration"),
    "delegation": _("Open the delegation's portal"),
    "invitation": _("Register"),
}


def private_url(registration: Registration) -> str:
    """Return the absolute address of the delegate's private page."""
    return settings.SITE_URL.rstrip("/") + registration.private_path()


def sender_for(event) -> str:
    """Return the sender: the configured one, named in Japanese on Japanese mail.

    The address stays ``DEFAULT_FROM_EMAIL``'s; a Japanese delegate sees
    「外務省 シンポジウム事務局」 rather than an English name.
    """
    if not japanese_is_active():
        return settings.DEFAULT_FROM_EMAIL
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    name = gettext("Symposium secretariat, %(host)s") % {"host": event.localized.host}
    return formataddr((name, address))


def build_registration_email(
    registration: Registration, kind: str, *, visa_letter: VisaLetter | None = None
) -> EmailMultiAlternatives:
    """Render the ``kind`` email for ``registration`` in the delegate's language.

    A visa letter goes with it as a PDF attachment, read from the private
    storage when the email is sent; one withdrawn or deleted since is not
    attached, and the email says so instead.
    """
    attachment = visa_attachment(visa_letter)
    with translation.override(registration.language):
        sessions = list(selectors.chosen_sessions(registration))
        message = render_email(
            kind,
            to=registration.email,
            event=registration.event,
            link=private_url(registration),
            button=BUTTONS["registration"],
            context={
                "registration": registration,
                "delegation": registration.delegation,
                "sessions": sessions,
                "waitlist_position": selectors.waitlist_position(registration),
                "visa_letter": visa_letter,
                "visa_attached": attachment is not None,
                "visa_request": getattr(registration, "visa_request", None),
            },
        )
        if kind in WITH_CALENDAR and sessions:
            # Made as the email is sent: the programme as it stands then.
            message.attach(
                f"{registration.event.slug}-my-sessions.{calendar.EXTENSION}",
                calendar.programme_calendar(
                    registration.event,
                    sessions,
                    name=registration.event.localized.title,
                ),
                calendar.CONTENT_TYPE,
            )
    if attachment is not None:
        message.attach(*attachment)
    return message


def visa_attachment(letter: VisaLetter | None) -> tuple[str, bytes, str] | None:
    """Return the letter's file as an attachment, if it is valid and still kept."""
    if letter is None or not letter.is_valid or not letter.file_name:
        return None
    try:
        with private_storage().open(letter.file_name, "rb") as file:
            content = file.read()
    except OSError:
        return None
    return f"{letter.reference}.pdf", content, "application/pdf"


def build_message_email(registration: Registration, message) -> EmailMultiAlternatives:
    """Render a staff message to one delegate, in the delegate's language."""
    with translation.override(registration.language):
        subject, body = message_texts.filled_in(
            message, registration=registration, link=private_url(registration)
        )
        return render_email(
            MESSAGE,
            to=registration.email,
            event=registration.event,
            link=private_url(registration),
            button=BUTTONS["registration"],
            context={"registration": registration, "message_body": body},
            subject=subject,
        )


def build_delegation_email(delegation: Delegation, kind: str) -> EmailMultiAlternatives:
    """Render the ``kind`` email to a delegation's focal point, in their language."""
    with translation.override(delegation.focal_point_language):
        delegation = selectors.with_member_counts(
            Delegation.objects.select_related("event", "organisation")
        ).get(pk=delegation.pk)
        return render_email(
            kind,
            to=delegation.focal_point_email,
            event=delegation.event,
            link=settings.SITE_URL.rstrip("/") + delegation.portal_path(),
            button=BUTTONS["delegation"],
            context={
                "delegation": delegation,
                "members": selectors.delegation_members(delegation),
                "head": selectors.delegation_head(delegation),
                "seats_left": max(
                    delegation.seat_quota - delegation.nominated_count, 0
                ),
            },
        )


def build_invitation_email(invitation: Invitation, kind: str) -> EmailMultiAlternatives:
    """Render the email of a personal invitation, in the language chosen for it."""
    with translation.override(invitation.language):
        return render_email(
            kind,
            to=invitation.email,
            event=invitation.event,
            link=settings.SITE_URL.rstrip("/") + invitation.link_path(),
            button=BUTTONS["invitation"],
            context={"invitation": invitation},
        )


def render_email(
    kind: str,
    *,
    to: str,
    event,
    link: str,
    button,
    context: dict,
    subject: str | None = None,
) -> EmailMultiAlternatives:
    """Render ``registrations/email/<kind>.txt`` as text and HTML, in the language on.

    ``link`` is the receiver's own secret address, the HTML part's button.
    """
    context = {
        **context,
        "event": event,
        "private_url": link,
        "site_url": settings.SITE_URL,
    }
    subject = subject or str(SUBJECTS[kind] % {"event": event.localized.title})
    written = render_to_string(f"registrations/email/{kind}.txt", context)
    # The HTML part is the same text in the site's layout, with the link as a
    # button; one wording per email to keep in step. Only our own addresses
    # are links, in either part: what people typed stays text (email_text).
    links = {link: link, event.contact_email: f"mailto:{event.contact_email}"}
    if event.venue_details_published and event.venue_map_url:
        # Staff typed it, in an https:// address only: ours to link.
        links[event.venue_map_url] = event.venue_map_url
    text = email_text.plain_text(written, links=links)
    html = render_to_string(
        "registrations/email/layout.html",
        {
            **context,
            "subject": subject,
            "button": button,
            "body": email_text.html_paragraphs(written, links=links),
        },
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=sender_for(event),
        to=[to],
        reply_to=[event.contact_email],
    )
    message.attach_alternative(html, "text/html")
    return message
