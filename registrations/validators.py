"""The rules on a registration's fields, for delegates and staff alike.

The public form, the delegate's edit form and the admin's correction form all
clean a registration's fields with these functions, so that a staff edit
cannot store what a delegate could not (``tests/test_validation_parity.py``
proves it field by field). Each raises ``ValidationError`` with a code.
"""

import unicodedata
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from registrations import errors, selectors
from registrations.models import Event, Organisation, Registration, Session

# Punctuation that belongs in personal names: O'Neil, Smith-Jones, Jr., d’Arc.
NAME_PUNCTUATION = frozenset("'’-.‐ ")
JAPANESE_PUNCTUATION = frozenset("・ー々〆ヶ　 ")
JAPANESE_RANGES = (
    (0x3040, 0x309F),  # Hiragana
    (0x30A0, 0x30FF),  # Katakana
    (0x3400, 0x4DBF),  # CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0xFF66, 0xFF9F),  # Half-width Katakana
    (0x20000, 0x2FA1F),  # Ideographs of the supplementary planes
)
# The largest primary key the database can hold (a 64-bit integer).
LARGEST_ID = 2**63 - 1


def is_japanese_character(character: str) -> bool:
    code = ord(character)
    return any(low <= code <= high for low, high in JAPANESE_RANGES)


def is_possible_id(value) -> bool:
    """Return whether ``value`` could be a primary key at all.

    Anything else is refused before it reaches the database, which would fail
    on a number it cannot store rather than simply find nothing.
    """
    text = str(value)
    return text.isascii() and text.isdigit() and 0 < int(text) <= LARGEST_ID


def tidy_spaces(value: str) -> str:
    """Return ``value`` with runs of white space made one space, none at the ends."""
    return " ".join(value.split())


def clean_personal_name(value: str) -> str:
    """Return the name with its spaces tidied, or refuse markup, digits and symbols."""
    value = tidy_spaces(value)
    if not any(unicodedata.category(c).startswith("L") for c in value):
        raise ValidationError(_("Please write the name in letters."), code="no_letters")
    for character in value:
        if character in NAME_PUNCTUATION:
            continue
        if unicodedata.category(character)[0] not in "LM":
            raise ValidationError(
                _(
                    "A name can hold letters, spaces, hyphens, apostrophes and full "
                    "stops only; “%(character)s” is not allowed."
                ),
                code="invalid_character",
                params={"character": character},
            )
    return value


def clean_japanese_name(value: str) -> str:
    """Return the name in Japanese script, or refuse any other script."""
    value = tidy_spaces(value.replace("\u3000", " "))
    for character in value:
        if character in JAPANESE_PUNCTUATION or is_japanese_character(character):
            continue
        raise ValidationError(
            _(
                "Please use kanji, hiragana or katakana only; “%(character)s” is "
                "not Japanese script. Leave this empty if you have no Japanese name."
            ),
            code="not_japanese",
            params={"character": character},
        )
    return value


def validate_one_organisation(listed: Organisation | None, typed: str) -> None:
    """Refuse both a listed and a typed organisation, or neither.

    The error names the field to correct, as ``ValidationError({field: ...})``.
    """
    if listed and typed:
        raise ValidationError(
            {
                "organisation_other": ValidationError(
                    _(
                        "You chose an organisation from the list: leave this empty, "
                        "or choose “not listed” above."
                    ),
                    code="both_organisations",
                )
            }
        )
    if not listed and not typed:
        raise ValidationError(
            {
                "organisation": ValidationError(
                    _("Choose your organisation from the list, or type its name."),
                    code="no_organisation",
                )
            }
        )


def validate_sessions_of_event(sessions: Iterable[Session], event: Event) -> None:
    """Refuse a session of another event's programme."""
    if any(session.event_id != event.pk for session in sessions):
        raise ValidationError(
            _("A chosen session is not part of this event."), code="foreign_session"
        )


def validate_seats(registration: Registration, sessions: Iterable[Session]) -> None:
    """Refuse a full session newly chosen for an approved delegate, who holds seats.

    A quick check for the form; the services repeat it under row locks.
    """
    for session in selectors.full_sessions_added(
        registration=registration, sessions=sessions
    ):
        refusal = errors.session_full(session)
        raise ValidationError(refusal.message, code=refusal.code)
