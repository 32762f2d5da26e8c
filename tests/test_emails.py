"""What reaches a delegate's inbox stays text, whatever they typed."""

from html.parser import HTMLParser

import pytest
from django.utils import translation
from django.utils.html import urlize

from registrations import services
from registrations.emails import (
    DELEGATION_KINDS,
    INVITATION_KINDS,
    REGISTRATION_KINDS,
    SUBJECTS,
    build_delegation_email,
    build_invitation_email,
    build_registration_email,
    private_url,
)
from registrations.models import Registration
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    RegistrationFactory,
    StaffUserFactory,
)

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


def test_every_email_has_its_receiver():
    assert REGISTRATION_KINDS | DELEGATION_KINDS | INVITATION_KINDS == set(SUBJECTS)


@pytest.mark.parametrize("kind", sorted(REGISTRATION_KINDS))
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
    assert_only_our_links(
        message, private_url(registration), registration.event.contact_email
    )
    assert "https://evil.example/verify" not in message.body


def test_what_a_delegate_typed_still_reads_the_same_in_the_email():
    registration = RegistrationFactory(organisation=None, organisation_other=PHISHING)
    message = build_registration_email(registration, "confirmation")
    assert PHISHING in message.body.replace("\u2060", "")
    assert "ACTION REQUIRED - confirm your seat at https" in message.body


def assert_only_our_links(message, link: str, contact: str) -> None:
    html = message.alternatives[0][0]
    ours = {link, f"mailto:{contact}"}
    assert set(hrefs_in(html)) <= ours, hrefs_in(html)
    assert link in hrefs_in(html)
    web_links = {
        href
        for href in hrefs_in(urlize(message.body, autoescape=True))
        if not href.startswith("mailto:")
    }
    assert web_links <= ours
    for part in (message.body, html):
        assert "evil.example" not in part


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("kind", sorted(DELEGATION_KINDS))
def test_no_link_in_a_focal_points_email_comes_from_what_people_typed(kind, language):
    from django.conf import settings

    organisation = OrganisationFactory(name=LINK_LIKE[2])
    delegation = services.delegation_create(
        event=EventFactory(),
        invite=services.DelegationInvite(
            organisation=organisation,
            seat_quota=3,
            focal_point_name=LINK_LIKE[3],
            focal_point_email="focal@example.org",
            focal_point_language=language,
        ),
        by=StaffUserFactory(),
        send=False,
    )
    services.member_nominate(
        delegation=delegation,
        email="member@example.org",
        language="en",
        honorific="",
        given_name="Ana",
        family_name=LINK_LIKE[1],
        position=LINK_LIKE[0],
        country="PH",
        delegation_role="head",
        protocol_rank=LINK_LIKE[4],
        protocol_order=0,
    )
    message = build_delegation_email(delegation, kind)
    with translation.override(language):
        link = settings.SITE_URL + delegation.portal_path()
    assert f"/{language}/delegation/" in link
    assert_only_our_links(message, link, delegation.event.contact_email)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_no_link_in_an_invitation_comes_from_what_staff_typed(language):
    from django.conf import settings

    invitation = services.invitation_create(
        event=EventFactory(),
        email="guest@example.org",
        given_name="Carol",
        family_name=LINK_LIKE[2],
        position=LINK_LIKE[1],
        message=PHISHING,
        language=language,
        by=StaffUserFactory(),
    )
    [kind] = INVITATION_KINDS
    message = build_invitation_email(invitation, kind)
    with translation.override(language):
        link = settings.SITE_URL + invitation.link_path()
    assert_only_our_links(message, link, invitation.event.contact_email)
