"""Every public page passes WCAG 2.2 AA, in both languages, on a laptop and a phone.

axe-core (``tests/browser_helpers.axe_violations``) audits each page as a
delegate reaches it: the event page, the form blank and with errors, the page
after it, the lost-link page and its answer, the private page in each status,
its edit and cancel pages, the closed form and the page not found. A second
test registers with the keyboard alone, in English and in Japanese.
"""

import datetime
import json
import os
import re

import pytest
from django.utils import timezone

from registrations.models import Registration
from tests.browser_helpers import axe_violations, needs_chromium
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    RegistrationFactory,
    SessionFactory,
    SpeakerFactory,
)

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed"
)
pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]
expect = playwright_api.expect
Status = Registration.Status
WIDTHS = {"laptop": 1366, "phone": 390}


@pytest.fixture
def site(db):
    """The symposium with parallel sessions, speakers and delegates in each status."""
    starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=40)
    event = EventFactory(
        title="International Symposium on Combating Human Smuggling",
        title_ja="アジア太平洋地域における人の密輸対策に関する国際シンポジウム",
        starts_at=starts,
        aims="Deepen understanding.\nShare what is done.",
        aims_ja="理解を深める。\n取組を共有する。",
        background="The G8 set up an expert group.",
        background_ja="G8は専門家会合を設置しました。",
    )
    unicef = OrganisationFactory(
        name="United Nations Children's Fund",
        name_ja="国連児童基金（ユニセフ）",
        acronym="UNICEF",
        invited=True,
    )
    speaker = SpeakerFactory(
        name="Carol Bellamy",
        name_ja="キャロル・ベラミー",
        title="Executive Director",
        title_ja="事務局長",
        organisation=unicef,
    )
    law = SessionFactory(
        event=event, title="Law enforcement", title_ja="法執行と警察協力"
    )
    law.speakers.add(speaker)
    SessionFactory(
        event=event,
        title="The legal framework",
        title_ja="国際連合の法的枠組み",
        room="Room B",
        room_ja="B会議室",
        starts_at=law.starts_at,
        ends_at=law.ends_at,
        capacity=1,
    )
    closed = EventFactory(
        registration_opens_at=timezone.now() - datetime.timedelta(days=20),
        registration_closes_at=timezone.now() - datetime.timedelta(days=1),
    )
    delegates = {
        status: RegistrationFactory(
            event=event,
            status=status,
            organisation=unicef,
            given_name="Hanako",
            family_name="Yamada",
            name_ja="山田 花子",
            sessions=[law],
        )
        for status in (
            Status.PENDING,
            Status.APPROVED,
            Status.WAITLISTED,
            Status.CANCELLED,
        )
    }
    # The approved delegate's page shows the venue's details.
    event.venue_hotel = "Hotel New Otani Tokyo"
    event.venue_hotel_ja = "ホテルニューオータニ東京"
    event.venue_address = "4-1 Kioi-cho, Chiyoda-ku, Tokyo"
    event.venue_address_ja = "東京都千代田区紀尾井町4-1"
    event.venue_map_url = "https://maps.example.org/new-otani"
    event.venue_details_sent_at = timezone.now()
    event.save()
    return {"event": event, "closed": closed, "delegates": delegates}


def public_pages(site, language):
    """Yield (name, action) for every public page; each action opens its page."""
    event, delegates = site["event"], site["delegates"]
    base = f"/{language}"

    def goto(path):
        return lambda page, url: page.goto(url + path)

    def form_with_errors(page, url):
        page.goto(f"{url}{base}/events/{event.slug}/register/")
        page.locator("form button[type=submit]").click()
        page.wait_for_load_state()

    def registered(page, url):
        page.goto(f"{url}{base}/events/{event.slug}/register/done/")

    yield "event", goto(f"{base}/")
    yield "register", goto(f"{base}/events/{event.slug}/register/")
    yield "register-errors", form_with_errors
    yield "registered", registered
    for status, registration in delegates.items():
        yield f"private-{status}", goto(base + registration.private_path()[3:])
    pending = delegates[Status.PENDING].private_path()[3:]
    yield "private-edit", goto(f"{base}{pending}edit/")
    yield "private-cancel", goto(f"{base}{pending}cancel/")
    lost_link = f"{base}/events/{event.slug}/lost-link/"

    def lost_link_with_errors(page, url):
        page.goto(url + lost_link)
        page.locator("form button[type=submit]").click()
        page.wait_for_load_state()

    def lost_link_sent(page, url):
        page.goto(url + lost_link)
        page.locator("input[type=email]").fill("nobody@example.org")
        page.locator("form button[type=submit]").click()
        page.wait_for_load_state()

    yield "lost-link", goto(lost_link)
    yield "lost-link-errors", lost_link_with_errors
    yield "lost-link-sent", lost_link_sent
    yield "closed", goto(f"{base}/events/{site['closed'].slug}/register/")
    yield "not-found", goto(f"{base}/no-such-page/")


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_every_public_page_passes_wcag_22_aa(
    browser, live_server, site, language, width
):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    figures = {}
    for name, open_page in public_pages(site, language):
        open_page(page, live_server.url)
        assert page.locator("html").get_attribute("lang") == language, name
        violations = axe_violations(page)
        figures[name] = sum(len(v["nodes"]) for v in violations)
        figures[f"{name}:rules"] = sorted({v["rule"] for v in violations})
    context.close()
    record = os.environ.get("AXE_FIGURES")
    if record:
        with open(record, "a", encoding="utf-8") as out:
            out.write(json.dumps({"language": language, "width": width, **figures}))
            out.write("\n")
    assert {k: v for k, v in figures.items() if not k.endswith(":rules") and v} == {}


# What axe-core does not measure: the contrast of controls (WCAG 1.4.11)

CONTROL_COLOURS = """() => {
  const background = (element) => {
    for (let e = element.parentElement; e; e = e.parentElement) {
      const colour = getComputedStyle(e).backgroundColor;
      if (colour !== "rgba(0, 0, 0, 0)" && colour !== "transparent") return colour;
    }
    return "rgb(255, 255, 255)";
  };
  const controls = document.querySelectorAll(
    "input.form-control, select.form-select, input.form-check-input"
  );
  return Array.from(controls).filter((c) => c.offsetParent !== null).map((c) => ({
    name: c.name,
    border: getComputedStyle(c).borderTopColor,
    background: background(c),
  }));
}"""
FOCUS_RING = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  let parent = e.parentElement, background = "rgb(255, 255, 255)";
  for (; parent; parent = parent.parentElement) {
    const colour = getComputedStyle(parent).backgroundColor;
    if (colour !== "rgba(0, 0, 0, 0)") { background = colour; break; }
  }
  return {name: e.name || e.tagName, outline: style.outlineColor,
          width: parseFloat(style.outlineWidth), styleName: style.outlineStyle,
          background: background};
}"""


def luminance(colour: str) -> float:
    red, green, blue = (int(x) for x in re.findall(r"\d+", colour)[:3])

    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted([luminance(first), luminance(second)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_form_controls_and_the_focus_ring_stand_out_at_three_to_one(
    browser, live_server, site
):
    page = browser.new_page()
    page.goto(f"{live_server.url}/en/events/{site['event'].slug}/register/")
    controls = page.evaluate(CONTROL_COLOURS)
    assert len(controls) > 10
    for control in controls:
        ratio = contrast(control["border"], control["background"])
        assert ratio >= 3, control
    for _ in range(6):
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_RING)
        assert ring["styleName"] != "none" and ring["width"] >= 2, ring
        assert contrast(ring["outline"], ring["background"]) >= 3, ring
    page.close()


# A registration with the keyboard alone

FOCUSED = """() => {
  const e = document.activeElement;
  if (!e) return "";
  if (e.labels && e.labels.length) return e.labels[0].innerText;
  return e.innerText || e.value || "";
}"""


def tab_to(page, pattern: str) -> None:
    """Press Tab until the element focused is the one labelled ``pattern``."""
    for _ in range(150):
        page.keyboard.press("Tab")
        label = " ".join(page.evaluate(FOCUSED).split())
        if re.search(pattern, label):
            ring = page.evaluate(FOCUS_RING)
            assert ring["styleName"] != "none", (label, ring)
            return
    raise AssertionError(f"Tab never reached {pattern!r}")


KEYBOARD_JOURNEYS = {
    "en": {
        "steps": [
            (r"^Honorific", ["ArrowDown", "ArrowDown"]),
            (r"^Given name", "Maria"),
            (r"^Family name", "Santos"),
            (r"^Email\b(?!, again)", "maria.santos@doj.example"),
            (r"^Email, again", "maria.santos@doj.example"),
            (r"^Organisation\s*\*?$", ["ArrowDown"]),
            (r"^Position", "Prosecutor"),
            (r"^Country", "Philippines"),
            (r"^You attend as", ["ArrowDown"]),
            (r"Law enforcement", [" "]),
            (r"^Not needed", ["ArrowDown"]),
            (r"^I agree to the processing", [" "]),
            (r"^Send my registration", ["Enter"]),
        ],
        "done": "What happens next",
        "email": "maria.santos@doj.example",
        "country": "PH",
    },
    "ja": {
        "steps": [
            (r"^敬称", ["ArrowDown", "ArrowDown"]),
            (r"^姓（ローマ字）", "Yamada"),
            (r"^名（ローマ字）", "Hanako"),
            (r"^メールアドレス\s*\*?$", "hanako.yamada@example.jp"),
            (r"^メールアドレス（確認用）", "hanako.yamada@example.jp"),
            (r"^所属機関\s*\*?$", ["ArrowDown"]),
            (r"^役職", "子ども保護専門官"),
            # 日本 comes first: one key press, not a hundred.
            (r"^国・地域", ["ArrowDown"]),
            (r"^参加区分", ["ArrowDown"]),
            (r"法執行と警察協力", [" "]),
            (r"^不要", ["ArrowDown"]),
            (r"同意します", [" "]),
            (r"^登録する", ["Enter"]),
        ],
        "done": "今後の流れ",
        "email": "hanako.yamada@example.jp",
        "country": "JP",
    },
}


@pytest.mark.parametrize("language", KEYBOARD_JOURNEYS)
def test_a_delegate_registers_with_the_keyboard_alone(
    browser, live_server, site, language
):
    journey = KEYBOARD_JOURNEYS[language]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/{language}/events/{site['event'].slug}/register/")
    for pattern, keys in journey["steps"]:
        tab_to(page, pattern)
        if isinstance(keys, str):
            page.keyboard.type(keys)
        else:
            for key in keys:
                page.keyboard.press(key)
    expect(page.get_by_role("heading", name=journey["done"])).to_be_visible()
    registration = Registration.objects.get(email=journey["email"])
    assert registration.language == language
    assert registration.country.code == journey["country"]
    assert registration.organisation is not None
    assert registration.interpretation != Registration.Interpretation.NONE
    assert [s.title for s in registration.sessions.all()] == ["Law enforcement"]
    context.close()


def test_the_error_summary_takes_the_focus_counts_and_links_each_error(
    browser, live_server, site
):
    page = browser.new_page()
    page.goto(f"{live_server.url}/en/events/{site['event'].slug}/register/")
    page.locator("form button[type=submit]").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    assert page.title().startswith("Error: ")
    links = summary.get_by_role("link")
    count = links.count()
    assert count > 5
    expect(summary.get_by_role("heading")).to_have_text(
        f"There are {count} problems with what you sent:"
    )
    links.first.press("Enter")
    focused = page.evaluate("() => document.activeElement.id")
    assert focused == links.first.get_attribute("href").removeprefix("#")
    page.goto(f"{live_server.url}/ja/events/{site['event'].slug}/register/")
    page.locator("form button[type=submit]").click()
    assert page.title().startswith("入力エラー：")
    page.close()
