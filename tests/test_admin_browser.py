"""The reviewers' back office in a real browser: accessible, and fitting the screen.

Every admin page this project templates is audited with axe-core against
WCAG 2.2 A and AA, in English and in Japanese; the list is checked at a
laptop's 1366 pixels and a phone's 390, and nothing is wider than 320.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from registrations import services
from registrations.models import Registration
from tests.browser_helpers import axe_violations, needs_chromium
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    RegistrationFactory,
    SessionFactory,
)

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed"
)
pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]
Status = Registration.Status
PASSWORD = "a long passphrase for the back office"


@pytest.fixture
def back_office(db, reviewers_group):
    """A programme with parallel sessions, delegates in every status, two staff."""
    event = EventFactory(
        title="International Symposium on Combating Human Smuggling",
        title_ja="人の密輸対策に関する国際シンポジウム",
        starts_at=timezone.now().replace(microsecond=0) + datetime.timedelta(days=40),
    )
    first = SessionFactory(event=event, title="Law enforcement", room="Main hall")
    SessionFactory(
        event=event,
        title="The legal framework",
        room="Room B",
        starts_at=first.starts_at,
        ends_at=first.ends_at,
    )
    organisation = OrganisationFactory(
        name="United Nations Children's Fund",
        name_ja="国連児童基金（ユニセフ）",
        acronym="UNICEF",
    )
    users = get_user_model().objects
    reviewer = users.create_user("reviewer", "r@mofa.example", PASSWORD, is_staff=True)
    reviewer.groups.add(reviewers_group)
    users.create_superuser("chief", "chief@mofa.example", PASSWORD)
    for number, status in enumerate(Status.values * 3):
        RegistrationFactory(
            event=event,
            status=status,
            organisation=organisation,
            given_name="Hanako",
            family_name=f"Yamada{'-Suzuki' * (number % 2)}",
            name_ja="山田 花子",
            sessions=[first],
        )
    corrected = Registration.objects.filter(status=Status.PENDING).first()
    services.registration_correct(
        registration=corrected, by=reviewer, sessions=[first], dietary_needs="Halal"
    )
    return {"event": event, "session": first, "registration": corrected}


def signed_in(browser, live_server, *, user, language, width=1366):
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/admin/login/")
    page.locator("#id_username").fill(user)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    return page


def admin_pages(back_office) -> dict[str, str]:
    registration = back_office["registration"]
    base = "/admin/registrations/registration/"
    return {
        "index": "/admin/",
        "list": base,
        "change": f"{base}{registration.pk}/change/",
        "review": f"{base}{registration.pk}/review/approved/",
    }


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_reviewers_pages_pass_wcag_22_aa(
    browser, live_server, back_office, language
):
    page = signed_in(browser, live_server, user="reviewer", language=language)
    for name, path in admin_pages(back_office).items():
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == language
        assert axe_violations(page) == [], name
    page.context.close()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_programme_pages_and_the_lockout_pass_wcag_22_aa(
    browser, live_server, back_office, language
):
    page = signed_in(browser, live_server, user="chief", language=language)
    session = back_office["session"]
    for path in (
        f"/admin/registrations/session/{session.pk}/change/",
        f"/admin/registrations/event/{session.event_id}/change/",
    ):
        page.goto(live_server.url + path)
        assert axe_violations(page) == [], path
    context = page.context
    context.clear_cookies()
    context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    for _attempt in range(5):
        page.goto(live_server.url + "/admin/login/")
        page.locator("#id_username").fill("chief")
        page.locator("#id_password").fill("not the passphrase")
        page.locator("input[type=submit]").click()
    assert page.locator("body.login, h1").count()
    assert axe_violations(page) == []
    context.close()


def test_the_list_shows_submitted_at_whole_on_a_laptop(
    browser, live_server, back_office
):
    page = signed_in(browser, live_server, user="reviewer", language="en")
    page.goto(live_server.url + "/admin/registrations/registration/")
    header = page.get_by_role("columnheader", name="Submitted at")
    box = header.bounding_box()
    assert box["x"] + box["width"] <= 1366
    cell = page.locator("td.field-submitted").first
    assert cell.evaluate("c => c.scrollWidth <= c.clientWidth")
    results = page.locator("#changelist .results")
    assert results.evaluate("r => r.scrollWidth <= r.clientWidth")
    page.context.close()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_phone_shows_each_registrations_status(
    browser, live_server, back_office, language
):
    page = signed_in(
        browser, live_server, user="reviewer", language=language, width=390
    )
    page.goto(live_server.url + "/admin/registrations/registration/")
    chip = page.locator("#result_list .status").first
    box = chip.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.context.close()


def test_no_templated_page_is_wider_than_a_small_phone(
    browser, live_server, back_office
):
    for language in ("en", "ja"):
        page = signed_in(
            browser, live_server, user="reviewer", language=language, width=320
        )
        for name, path in admin_pages(back_office).items():
            page.goto(live_server.url + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, (language, name, width)
        page.context.close()


CHARTS = [
    "Registrations over time, by status",
    "By category",
    "By country (the first 20, then the rest)",
    "By kind of organisation",
    "Seats taken in each session, against its capacity",
]


def test_each_statistics_chart_can_be_read_to_its_end_on_a_phone(
    browser, live_server, back_office
):
    page = signed_in(browser, live_server, user="chief", language="en", width=390)
    page.goto(live_server.url + "/staff/statistics/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for name in CHARTS:
        frame = page.get_by_role("group", name=name, exact=True)
        chart = frame.get_by_role("img")
        seen = frame.bounding_box()
        assert seen["x"] >= 0 and seen["x"] + seen["width"] <= 390, name
        # Swiped, or scrolled with the arrow keys once focused, to its end.
        frame.focus()
        frame.evaluate("frame => { frame.scrollLeft = frame.scrollWidth; }")
        drawn = chart.bounding_box()
        assert drawn["width"] > seen["width"], name
        assert drawn["x"] + drawn["width"] <= seen["x"] + seen["width"] + 1, name
    assert axe_violations(page) == []
    page.context.close()


def test_a_statistics_chart_the_screen_shows_whole_is_no_stop_for_the_tab_key(
    browser, live_server, back_office
):
    page = signed_in(browser, live_server, user="chief", language="en", width=1366)
    page.goto(live_server.url + "/staff/statistics/")
    for name in CHARTS:
        frame = page.get_by_role("group", name=name, exact=True)
        playwright_api.expect(frame).not_to_have_attribute("tabindex", "0")
    # The window's resize event reaches the script after the resize itself.
    page.set_viewport_size({"width": 390, "height": 900})
    for name in CHARTS:
        frame = page.get_by_role("group", name=name, exact=True)
        playwright_api.expect(frame).to_have_attribute("tabindex", "0")
    page.context.close()


def test_the_japanese_admin_names_the_programme_and_sign_ins_in_japanese(
    browser, live_server, back_office
):
    page = signed_in(browser, live_server, user="chief", language="ja")
    page.goto(live_server.url + "/admin/")
    main = page.locator("#content-main")
    for japanese in (
        "サインインのロックアウト",
        "サインインの試行",
        "サインインの記録",
    ):
        assert main.get_by_text(japanese).count(), japanese
    assert main.get_by_text("Access attempts").count() == 0
    page.goto(live_server.url + admin_pages(back_office)["change"])
    assert (
        "人の密輸対策に関する国際シンポジウム"
        in page.locator(".field-event").inner_text()
    )
    organisation = page.locator("#id_organisation option:checked").inner_text()
    assert organisation == "国連児童基金（ユニセフ）"
    page.context.close()


def test_reviewers_do_not_see_the_sign_in_records(browser, live_server, back_office):
    page = signed_in(browser, live_server, user="reviewer", language="en")
    assert page.locator("#content-main").get_by_text("Sign-in lockouts").count() == 0
    page.context.close()
