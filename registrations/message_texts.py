"""The placeholders of a staff message, checked when written, filled in when sent.

Every message opens with the delegate's greeting, as every email does
("Dear Dr Santos,", 「山田 花子 様」). Staff write ``{name}`` and the like in a
message's subject and body; each
delegate's email has their own values there. Only the placeholders below
exist: anything else between braces is refused when the message is written,
so that no delegate receives a stray ``{nmae}``. What a delegate typed (their
name, their organisation) is inserted as text: it never becomes a link.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from registrations.models import Registration, japanese_is_active

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _values(registration: Registration, link: str) -> dict[str, str]:
    return {
        "name": registration.name_in_both_scripts,
        "organisation": registration.organisation_name,
        "event": registration.event.localized.title,
        "link": link,
    }


# What staff may write, with what each becomes (for the form's help).
PLACEHOLDERS = {
    "name": _("the delegate's name"),
    "organisation": _("the delegate's organisation"),
    "event": _("the event's title"),
    "link": _("the delegate's private link"),
}


def validate_placeholders(text: str) -> None:
    """Refuse a text with a placeholder that does not exist."""
    unknown = sorted(
        {found for found in PLACEHOLDER.findall(text) if found not in PLACEHOLDERS}
    )
    if unknown:
        raise ValidationError(
            _("Unknown placeholder: %(names)s. Use only: %(known)s."),
            code="unknown_placeholder",
            params={
                "names": ", ".join(f"{{{name}}}" for name in unknown),
                "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
            },
        )


def fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda found: values.get(found[1], found[0]), text)


def filled_in(message, *, registration: Registration, link: str) -> tuple[str, str]:
    """Return the subject and body for ``registration``, in the active language.

    The Japanese text for Japanese, the English one otherwise.
    """
    values = _values(registration, link)
    if japanese_is_active():
        subject, body = message.subject_ja, message.body_ja
    else:
        subject, body = message.subject_en, message.body_en
    # A subject is one line, whatever a value holds.
    return " ".join(fill(subject, values).split()), fill(body, values)
