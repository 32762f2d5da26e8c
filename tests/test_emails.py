"""What reaches a delegate's inbox stays text, whatever they typed."""

from html.parser import HTMLParser

import pytest
from django.utils.html import urlize

from registrations.emails import SUBJECTS, build_registration_email, private_url
from registrations.models import Registration
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


PHISHING = "ACTION REQUIRED - confirm your seat at https://evil.example/verify"
LINK_LIKE = [
    PHISHING,
    "www.evil.example/login",
    "evil.example",
    "Write to help@evil.example",
    '<a href="https://evil.example">Ministry</a>',
]


class Links(HTMLParser):
    """Collect the href of every <a> in a page."""

    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href"))


def hrefs_in(html: str) -> list[str]:
    links = Links()
    links.feed(html)
    return links.hrefs


@pytest.mark.parametrize("kind", sorted(SUBJECTS))
def test_no_link_in_any_email_comes_from_what_a_delegate_typed(kind):
    registration = RegistrationFactory(
        organisation=None,
        organisation_other=LINK_LIKE[0],
        position=LINK_LIKE[1],
        given_name="Hanako",
        family_name=LINK_LIKE[2],
        dietary_needs=LINK_LIKE[3],
        review_note=LINK_LIKE[4],
        status=kind if kind in Registration.Status.values else "pending",
    )
    message = build_registration_email(registration, kind)
    ours = {private_url(registration), f"mailto:{registration.event.contact_email}"}
    html = message.alternatives[0][0]
    assert set(hrefs_in(html)) <= ours, hrefs_in(html)
    assert private_url(registration) in hrefs_in(html)
    # A mail program turns web addresses in plain text into links; Django's
    # urlize stands in for one here.
    web_links = {
        href
        for href in hrefs_in(urlize(message.body, autoescape=True))
        if not href.startswith("mailto:")
    }
    assert web_links <= ours
    for part in (message.body, html):
        assert "https://evil.example/verify" not in part
        assert "evil.example" not in part


def test_what_a_delegate_typed_still_reads_the_same_in_the_email():
    registration = RegistrationFactory(organisation=None, organisation_other=PHISHING)
    message = build_registration_email(registration, "confirmation")
    assert PHISHING in message.body.replace("\u2060", "")
    assert "ACTION REQUIRED - confirm your seat at https" in message.body
