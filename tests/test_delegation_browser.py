"""A focal point nominates three members on a phone, and a reviewer approves them."""

import re

import pytest
from django.contrib.auth import get_user_model

from registrations import services
from registrations.models import Delegation, Registration
from tests.browser_helpers import axe_violations, needs_chromium
from tests.factories import EventFactory, OrganisationFactory

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed"
)
pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long passphrase for the back office"
PHONE = {"width": 390, "height": 844}
MEMBERS = [
    ("Somchai", "Prasert", "Head of delegation", "H.E."),
    ("Malee", "Chaiyasit", "Adviser", ""),
    ("Niran", "Wongsakul", "Member", ""),
]


@pytest.fixture
def delegation(db, reviewers_group):
    reviewer = get_user_model().objects.create_user(
        "reviewer", "r@mofa.example", PASSWORD, is_staff=True
    )
    reviewer.groups.add(reviewers_group)
    organisation = OrganisationFactory(
        name="Royal Thai Police",
        name_ja="タイ王国警察",
        kind="government",
        country="TH",
    )
    return services.delegation_create(
        event=EventFactory(title="International Symposium on Human Smuggling"),
        invite=services.DelegationInvite(
            organisation=organisation,
            seat_quota=4,
            focal_point_name="Kanya Suwan",
            focal_point_email="focal@police.example.th",
        ),
        by=reviewer,
    )


def test_a_focal_point_nominates_three_members_on_a_phone_and_a_reviewer_approves(
    browser, live_server, delegation
):
    expect = playwright_api.expect
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + delegation.portal_path())
    expect(page.get_by_role("heading", name="Royal Thai Police")).to_be_visible()
    assert axe_violations(page) == []

    for given, family, role, rank in MEMBERS:
        page.get_by_role("link", name="Nominate a member").click()
        page.get_by_label("Given name").fill(given)
        page.get_by_label("Family name").fill(family)
        page.get_by_label("Email", exact=False).and_(page.get_by_role("textbox")).fill(
            f"{given.lower()}@police.example.th"
        )
        page.get_by_label("Position").fill("Police Colonel")
        page.get_by_label("Role in the delegation").select_option(label=role)
        if rank:
            page.get_by_label("Protocol rank or title (optional)").fill(rank)
        if given == "Somchai":
            assert axe_violations(page) == []
        page.get_by_role("button", name="Nominate").click()
        expect(page.get_by_text(f"{given} {family} has been nominated")).to_be_visible()

    expect(page.locator(".seat-counts")).to_contain_text("3")
    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("link", name="Submit the delegation").click()
    page.get_by_role("button", name="Submit the delegation").click()
    expect(page.get_by_text("The delegation has been submitted.")).to_be_visible()
    phone.close()

    laptop = browser.new_context(viewport={"width": 1366, "height": 900})
    admin = laptop.new_page()
    admin.set_default_timeout(15_000)
    admin.goto(live_server.url + "/admin/login/")
    admin.get_by_label("Username").fill("reviewer")
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    admin.goto(live_server.url + "/admin/registrations/delegation/")
    admin.get_by_role("row", name=re.compile("Royal Thai Police")).get_by_role(
        "checkbox"
    ).check()
    admin.get_by_label("Action:").select_option(
        label="Approve the members and confirm the selected delegations"
    )
    admin.get_by_role("button", name="Go").click()
    for given, family, _role, _rank in MEMBERS:
        expect(admin.get_by_text(f"{given} {family}")).to_be_visible()
    admin.get_by_role("button", name="Yes, approve and confirm").click()
    expect(admin.get_by_text("3 members approved.")).to_be_visible()
    laptop.close()

    delegation.refresh_from_db()
    assert delegation.state == Delegation.State.CONFIRMED
    statuses = set(delegation.members.values_list("status", flat=True))
    assert statuses == {Registration.Status.APPROVED}
