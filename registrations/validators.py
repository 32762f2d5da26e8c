"""Rules for what people type, shared by the public form, the admin and services.

Two kinds of text come in. An email address is normalised once, here, to the
one form that reaches its mailbox: every comparison, the database constraint
and the per-address limit see that form, so look-alikes of one address cannot
register twice or fill one inbox. Free text (names, organisation, position,
needs, notes) is stored as typed, except that characters nobody can see or
that rearrange the text around them are refused with a message naming them.
"""

import ipaddress
import unicodedata

import idna
from confusable_homoglyphs import categories
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
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

# Scripts that a domain's label may mix, as Unicode's "highly restrictive"
# profile allows (UTS #39): Japanese, Korean and Chinese writing combine these.
# Any other mix (a Cyrillic "а" among Latin letters) is how a look-alike of
# another domain is made.
NEUTRAL_SCRIPTS = frozenset({"COMMON", "INHERITED"})
SCRIPT_COMBINATIONS = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
)
EMAIL_MAX_LENGTH = 254


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


def clean_single_line(value: str) -> str:
    """Return one line of free text with its spaces tidied, or refuse it.

    Tabs and line breaks become single spaces (a text box cannot hold them,
    so they come from a paste or a script); hidden characters are refused.
    """
    value = " ".join(value.split())
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


# Email addresses


def _scripts(label: str) -> set[str]:
    """Return the scripts of a domain label's letters (digits and "-" are neutral)."""
    scripts = set()
    for character in label:
        script, _category = categories.aliases_categories(character)
        if script not in NEUTRAL_SCRIPTS:
            scripts.add(script)
    return scripts


def mixes_scripts(label: str) -> bool:
    """Return whether ``label`` mixes scripts beyond what one language writes."""
    scripts = _scripts(label)
    if len(scripts) <= 1:
        return False
    return not any(scripts <= allowed for allowed in SCRIPT_COMBINATIONS)


def invalid_domain() -> ValidationError:
    return ValidationError(
        _("The part after “@” is not a domain name that can receive email."),
        code="invalid_domain",
    )


def _ascii_domain(domain: str) -> str:
    """Return ``domain`` lower-cased and IDNA-encoded, or refuse it."""
    if domain.startswith("["):
        raise ValidationError(
            _("Please give an address at a domain name, not at a numeric address."),
            code="ip_literal",
        )
    try:
        encoded = idna.encode(domain, uts46=True).decode("ascii")
        unicode_labels = idna.decode(encoded).split(".")
    except (idna.IDNAError, UnicodeError, ValueError):
        raise invalid_domain() from None
    try:
        ipaddress.ip_address(encoded)
    except ValueError:
        pass
    else:
        raise ValidationError(
            _("Please give an address at a domain name, not at a numeric address."),
            code="ip_literal",
        )
    if "." not in encoded:
        raise invalid_domain()
    for label in unicode_labels:
        if mixes_scripts(label):
            raise ValidationError(
                _(
                    "The domain “%(domain)s” mixes letters of different alphabets, "
                    "as look-alikes of other addresses do. Please check it."
                ),
                code="mixed_scripts",
                params={"domain": ".".join(unicode_labels)},
            )
    return encoded


def normalise_email(value: str) -> str:
    """Return the one form of an email address that reaches its mailbox, or refuse it.

    Compatibility characters become their plain letters (Unicode NFKC: a
    fullwidth "ｅ" or a "ℯ" is an "e"); the domain is lower-cased and
    IDNA-encoded, so every spelling of one domain is written one way. Refused:
    spaces and invisible or bidirectional characters anywhere, quoted local
    parts, numeric (IP) domains, and domains whose labels mix alphabets. The
    local part keeps its letter case; comparisons ignore it (``email_key``).
    """
    address = unicodedata.normalize("NFKC", value.strip())
    for character in address:
        if character.isspace() or unicodedata.category(character) in HIDDEN_CATEGORIES:
            raise ValidationError(
                _(
                    "An email address holds no spaces or invisible characters; this "
                    "one holds %(character)s. Please type it again."
                ),
                code="hidden_character",
                params={"character": describe_character(character)},
            )
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise ValidationError(_("Enter a valid email address."), code="invalid")
    if '"' in local:
        raise ValidationError(
            _("Please give a plain address, without quotation marks."),
            code="quoted_local_part",
        )
    address = f"{local}@{_ascii_domain(domain)}"
    if len(address) > EMAIL_MAX_LENGTH:
        raise ValidationError(
            _("This address is too long to be a real one."), code="too_long"
        )
    validate_email(address)
    return address


def email_key(value: str) -> str:
    """Return the form in which addresses are compared: normalised, any case.

    For looking up what is stored, so it never refuses: text that is no
    address is compared as typed, and matches nothing.
    """
    try:
        return normalise_email(value).lower()
    except ValidationError:
        return value.strip().lower()


class NormalisedEmailField(forms.EmailField):
    """An email address field whose cleaned value is ``normalise_email``'s."""

    # normalise_email validates the address once its compatibility characters
    # have become plain ones; EmailField's validator would judge it as typed.
    default_validators = []

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_email(value) if value else value
