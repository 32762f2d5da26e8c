"""What reaches a delegate's inbox stays text, whatever they typed."""

import pytest

from registrations.emails import build_registration_email
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def test_markup_typed_by_a_delegate_is_escaped_in_the_html_email():
    registration = RegistrationFactory(
        position='<a href="https://evil.example/login">Confirm your passport</a>',
        organisation=None,
        organisation_other="<b>Bold NGO</b>",
    )
    message = build_registration_email(registration, "confirmation")
    html = message.alternatives[0][0]
    assert '<a href="https://evil.example/login">' not in html
    assert "&lt;a href=" in html
    assert "<b>Bold NGO</b>" not in html and "&lt;b&gt;Bold NGO&lt;/b&gt;" in html
    # The private link is still a working link.
    assert registration.private_path() in html
