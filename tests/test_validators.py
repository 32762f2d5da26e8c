"""The rules for typed text: one form per mailbox, and no hidden characters."""

import pytest
from django.core.exceptions import ValidationError

from registrations.validators import (
    clean_multi_line,
    clean_single_line,
    email_key,
    normalise_email,
)

SAME_MAILBOX = [
    "hanako@ｅｘａｍｐｌｅ.org",  # fullwidth letters in the domain
    "hanako@EXAMPLE.ORG",
    "hanako@ℯxampⅼe.org",  # compatibility letters
    "hanako@examp\u217ce.\u2134rg",  # ⅼ and ℴ
    "hanako@example。org",  # an ideographic full stop between the labels
    "ｈａｎａｋｏ＠example.org",
    "  hanako@example.org  ",
]


@pytest.mark.parametrize("lookalike", SAME_MAILBOX)
def test_lookalikes_of_one_mailbox_normalise_to_one_address(lookalike):
    assert email_key(normalise_email(lookalike)) == "hanako@example.org"


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("hanako@exa\u00admple.org", "hidden_character"),  # soft hyphen
        ("hanako@exam\u200bple.org", "hidden_character"),  # zero-width space
        ("hanako@example.org\u200b", "hidden_character"),  # trailing, invisible
        ("hanako\u202e@example.org", "hidden_character"),  # bidi override
        ("hanako@[192.0.2.1]", "ip_literal"),
        ("hanako@192.0.2.1", "ip_literal"),
        ("hanako@[IPv6:2001:db8::1]", "ip_literal"),
        ('"hanako"@example.org', "quoted_local_part"),
        ("hanako@exаmple.org", "mixed_scripts"),  # a Cyrillic а among Latin
        ("hanako@xn--exmple-4nf.org", "mixed_scripts"),  # the same, encoded
        ("hanako@localhost", "invalid_domain"),
        ("hanako@example..org", "invalid_domain"),
        ("hanako", "invalid"),
    ],
)
def test_addresses_that_hide_or_disguise_their_mailbox_are_refused(address, code):
    with pytest.raises(ValidationError) as refused:
        normalise_email(address)
    assert refused.value.code == code


def test_a_refusal_names_the_invisible_character():
    with pytest.raises(ValidationError) as refused:
        normalise_email("hanako@exam\u200bple.org")
    assert "U+200B ZERO WIDTH SPACE" in refused.value.messages[0]


@pytest.mark.parametrize(
    ("address", "stored"),
    [
        ("Hanako.Yamada@Example.JP", "Hanako.Yamada@example.jp"),
        ("delegate@пример.рф", "delegate@xn--e1afmkfd.xn--p1ai"),
        ("delegate@日本語.jp", "delegate@xn--wgv71a119e.jp"),
        ("delegate@faß.de", "delegate@xn--fa-hia.de"),
    ],
)
def test_real_addresses_keep_their_mailbox_in_the_one_stored_form(address, stored):
    assert normalise_email(address) == stored


@pytest.mark.parametrize(
    "text",
    [
        "Ministry\u202eyrtsiniM",  # right-to-left override
        "Ministry\u2066 of Justice",  # left-to-right isolate
        "Min\u200bistry",  # zero-width space
        "Min\u00adistry",  # soft hyphen
        "Ministry\x07",  # a C0 control
        "Ministry\x9b",  # a C1 control
        "Ministry\ue000",  # private use
        "Ministry\U000e0041",  # a tag character
        "Ministry\u0378",  # unassigned
    ],
)
def test_free_text_refuses_control_bidi_private_and_unassigned_characters(text):
    with pytest.raises(ValidationError) as refused:
        clean_single_line(text)
    assert refused.value.code == "hidden_character"
    assert "U+" in refused.value.messages[0]


def test_a_single_line_turns_tabs_and_line_breaks_into_spaces():
    assert clean_single_line("  Ministry\tof\r\nJustice ") == "Ministry of Justice"


def test_a_multi_line_text_keeps_its_line_breaks():
    assert clean_multi_line("First line\r\nSecond line\rThird") == (
        "First line\nSecond line\nThird"
    )
    with pytest.raises(ValidationError):
        clean_multi_line("First line\u2028Second line")


@pytest.mark.parametrize(
    "text", ["山田 花子", "Ngô Thị Hương", "می\u200cخواهم", "👩\u200d💻 Researcher"]
)
def test_ordinary_text_in_any_script_is_kept_as_typed(text):
    assert clean_single_line(text) == text
