"""Email addresses: one stored form per mailbox, look-alikes refused.

An email address is normalised once, here, to the one form that reaches its
mailbox: every comparison, the database constraint and the per-address limit
see that form, so look-alikes of one address cannot register twice or fill one
inbox.
"""

import functools
import ipaddress
import unicodedata

import idna
from confusable_homoglyphs import categories
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from registrations.validators.text import HIDDEN_CATEGORIES, describe_character

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


# Addresses share a few domains: each is encoded and checked once.
@functools.lru_cache(maxsize=4096)
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


# One submission normalises its address four times (both fields, the
# services, the limit on emails to it): the last few addresses are kept.
@functools.lru_cache(maxsize=256)
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
