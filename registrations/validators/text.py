"""Free text as people type it: no hidden characters, names in letters.

Free text (names, organisation, position, needs, notes) is stored as typed,
except that characters nobody can see or that rearrange the text around them
are refused with a message naming them.
"""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Unicode categories no typed text needs: controls, format characters
# (invisible ones, and the bidirectional controls such as U+202E that reverse
# the text after them), surrogates, private use, unassigned code points, and
# the line and paragraph separators that look like line breaks but are not.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Joiners that Persian, the scripts of South Asia and emoji sequences need to
# be written correctly; they stay allowed in free text (not in addresses).
JOINERS = frozenset({"\u200c", "\u200d"})
LINE_BREAKS_AND_TABS = frozenset({"\n", "\t"})

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


def describe_character(character: str) -> str:
    """Return a character's code point and name, e.g. "U+202E RIGHT-TO-LEFT OVERRIDE".

    Error messages name a refused character this way: an invisible one shows
    nothing, and a bidirectional control would rearrange the message itself.
    """
    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X} {name}".strip()


def first_hidden_character(value: str, *, allowed: frozenset = frozenset()) -> str:
    """Return the first character of ``value`` that is hidden, or an empty string."""
    for character in value:
        if character in allowed:
            continue
        if unicodedata.category(character) in HIDDEN_CATEGORIES:
            return character
    return ""


def refuse_hidden_characters(value: str, *, allowed: frozenset = JOINERS) -> None:
    """Raise if ``value`` holds a control, invisible or unassigned character."""
    hidden = first_hidden_character(value, allowed=allowed)
    if hidden:
        raise ValidationError(
            _(
                "This text holds a character that cannot be shown or stored "
                "(%(character)s). Please type it again without it."
            ),
            code="hidden_character",
            params={"character": describe_character(hidden)},
        )


def tidy_spaces(value: str) -> str:
    """Return ``value`` with runs of white space made one space, none at the ends."""
    return " ".join(value.split())


def clean_single_line(value: str) -> str:
    """Return one line of free text with its spaces tidied, or refuse it.

    Tabs and line breaks become single spaces (a text box cannot hold them,
    so they come from a paste or a script); hidden characters are refused.
    """
    value = tidy_spaces(value)
    refuse_hidden_characters(value)
    return value


def clean_multi_line(value: str) -> str:
    """Return free text of several lines with plain line breaks, or refuse it."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    refuse_hidden_characters(value, allowed=JOINERS | LINE_BREAKS_AND_TABS)
    return value


class SingleLineTextField(forms.CharField):
    """A text box whose value passes ``clean_single_line``."""

    def to_python(self, value):
        return clean_single_line(super().to_python(value))


class MultiLineTextField(forms.CharField):
    """A text area whose value passes ``clean_multi_line``."""

    def to_python(self, value):
        return clean_multi_line(super().to_python(value))


# Names


def is_japanese_character(character: str) -> bool:
    code = ord(character)
    return any(low <= code <= high for low, high in JAPANESE_RANGES)


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


# Identifiers


def is_possible_id(value) -> bool:
    """Return whether ``value`` could be a primary key at all.

    Anything else is refused before it reaches the database, which would fail
    on a number it cannot store rather than simply find nothing.
    """
    text = str(value)
    return text.isascii() and text.isdigit() and 0 < int(text) <= LARGEST_ID
