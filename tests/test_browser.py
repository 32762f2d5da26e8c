"""Whole journeys in a real browser (headless Chromium) against a live server.

Elements are found by their visible labels and roles, as a person finds them.
Run where Chromium is installed at CHROMIUM_PATH (Debian's package); elsewhere
these tests are skipped with that reason. On failure a screenshot is saved in
test-results/.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from registrations.models import Registration
from tests.browser_helpers import needs_chromium
from tests.factories import EventFactory, OrganisationFactory, SessionFactory

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-results"
REVIEWER_PASSWORD = "a long reviewer passphrase"

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed"
)
pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]
expect = playwright_api.expect


@pytest.fixture
def browser_locale():
    """The browser's language; a test parametrizes it to be someone else."""
    return "en-GB"


@pytest.fixture
def page(browser, request, browser_locale):
    context = browser.new_context(locale=browser_locale, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{request.node.name}.png", full_page=True)
    context.close()


@pytest.fixture
def symposium(db):
    event = EventFactory(
        title="International Symposium on Combating Human Smuggling",
        starts_at=timezone.now().replace(microsecond=0) + datetime.timedelta(days=40),
        capacity=300,
    )
    sessions = {
        title: SessionFactory(event=event, title=title, capacity=capacity)
        for title, capacity in [
            ("Law enforcement and police cooperation", None),
            ("Protecting women and children", None),
            ("The United Nations legal framework", 1),
        ]
    }
    OrganisationFactory(
        name="United Nations Children's Fund",
        name_ja="国連児童基金（ユニセフ）",
        acronym="UNICEF",
    )
    return event, sessions


@pytest.fixture
def reviewer(reviewers_group):
    user = get_user_model().objects.create_user(
        "reviewer", "reviewer@mofa.example", REVIEWER_PASSWORD, is_staff=True
    )
    user.groups.add(reviewers_group)
    return user


def field(page, label):
    """Return the form field with this visible label (required ones end in '*')."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def register(page, base_url, *, email, sessions, name_ja="山田 花子"):
    """Fill in and send the registration form as a delegate would."""
    page.goto(base_url + "/")
    page.get_by_role("link", name="Register to attend").first.click()
    field(page, "Honorific").select_option(label="Ms")
    field(page, "Given name").fill("Hanako")
    field(page, "Family name").fill("Yamada")
    field(page, "Name in Japanese script (optional)").fill(name_ja)
    field(page, "Email").fill(email)
    field(page, "Email, again").fill(email)
    field(page, "Organisation").select_option(
        label="United Nations Children's Fund (UNICEF)"
    )
    field(page, "Position").fill("Child Protection Specialist")
    field(page, "Country").select_option(label="Japan")
    field(page, "You attend as").select_option(label="International organisation")
    for title in sessions:
        page.get_by_label(re.compile(re.escape(title))).check()
    page.get_by_label("Into English").check()
    page.get_by_label(re.compile("I agree to the processing of my data")).check()
    page.get_by_role("button", name="Send my registration").click()


def test_a_delegate_registers_and_a_reviewer_approves(
    page, live_server, symposium, reviewer
):
    event, sessions = symposium
    register(
        page,
        live_server.url,
        email="hanako.yamada@unicef.example",
        sessions=[
            "Law enforcement and police cooperation",
            "Protecting women and children",
        ],
    )
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    registration = Registration.objects.get()
    assert registration.name_ja == "山田 花子"
    assert registration.sessions.count() == 2

    # The reviewer logs in, filters the pending registrations and approves.
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Username").fill("reviewer")
    page.get_by_label("Password").fill(REVIEWER_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Registrations", exact=True).click()
    page.locator("#changelist-filter").get_by_role(
        "link", name="Pending review"
    ).click()
    row = page.get_by_role("row").filter(has_text="YAMADA Hanako (山田 花子)")
    row.get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label="Approve selected registrations")
    page.get_by_role("button", name="Go").first.click()
    expect(
        page.get_by_text("You are about to approve this registration")
    ).to_be_visible()
    page.get_by_label("Note").fill("Welcome to Tokyo.")
    page.get_by_role("button", name="Yes, approve").click()
    expect(page.get_by_text("1 registration approved.")).to_be_visible()

    # The reviewer exports the approved list for the hotel.
    page.locator("#changelist-filter").get_by_role("link", name="Approved").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Export this 1 registration")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert (
        "Yamada" in text
        and "山田 花子" in text
        and "hanako.yamada@unicef.example" in text
    )

    # The delegate's private link now says so.
    page.goto(live_server.url + registration.private_path())
    expect(page.get_by_role("status")).to_contain_text("Approved")


def test_a_full_session_gets_the_waiting_list_wording(page, live_server, symposium):
    event, sessions = symposium
    taken = Registration.objects.create(
        event=event,
        given_name="Maria",
        family_name="Santos",
        email="maria@example.org",
        organisation_other="Department of Justice",
        position="Prosecutor",
        country="PH",
        category=Registration.Category.GOVERNMENT,
        consent_given_at=timezone.now(),
        status=Registration.Status.APPROVED,
    )
    taken.sessions.add(sessions["The United Nations legal framework"])

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Register to attend").first.click()
    expect(
        page.get_by_label(re.compile("The United Nations legal framework"))
    ).to_be_visible()
    expect(
        page.get_by_text("Full: choosing it puts your registration on the waiting list")
    ).to_be_visible()
    register(
        page,
        live_server.url,
        email="hanako@example.jp",
        sessions=["The United Nations legal framework"],
    )
    expect(page.get_by_role("status")).to_contain_text("waiting list")
    expect(page.get_by_role("status")).to_contain_text(
        "The United Nations legal framework"
    )


@pytest.mark.parametrize("browser_locale", ["ja-JP"])
def test_a_japanese_delegate_registers_in_japanese(page, live_server, symposium):
    event, sessions = symposium
    protecting = sessions["Protecting women and children"]

    # A browser set to Japanese lands on the Japanese site.
    page.goto(live_server.url + "/")
    expect(page).to_have_url(live_server.url + "/ja/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", name="プログラム")).to_be_visible()
    page.get_by_role("link", name="参加登録").first.click()

    expect(page.get_by_role("heading", name="参加登録", level=1)).to_be_visible()
    field(page, "敬称").select_option(label="Ms.（女性）")
    field(page, "姓（ローマ字）").fill("Yamada")
    field(page, "名（ローマ字）").fill("Hanako")
    field(page, "氏名の日本語表記（任意）").fill("山田 花子")
    field(page, "メールアドレス").fill("hanako.yamada@example.jp")
    field(page, "メールアドレス（確認用）").fill("hanako.yamada@example.jp")
    field(page, "所属機関").select_option(label="国連児童基金（ユニセフ）")
    field(page, "役職").fill("子ども保護専門官")
    field(page, "国・地域").select_option(label="日本")
    field(page, "参加区分").select_option(label="国際機関")
    page.get_by_label(re.compile(re.escape(protecting.title_ja))).check()
    page.get_by_label("日本語への通訳").check()
    page.get_by_label(re.compile("個人情報が取り扱われることに同意します")).check()
    page.get_by_role("button", name="登録する").click()

    expect(page.get_by_role("heading", name="今後の流れ")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/ja/events/[\w-]+/register/done/$"))
    registration = Registration.objects.get()
    assert registration.language == "ja"
    assert registration.name_ja == "山田 花子"
    assert list(registration.sessions.all()) == [protecting]
    assert registration.interpretation == Registration.Interpretation.INTO_JAPANESE
    [confirmation] = mail.outbox
    assert confirmation.subject.startswith("参加登録受付のお知らせ")


def test_the_typed_organisation_box_shows_only_for_not_listed(
    page, live_server, symposium
):
    event, _ = symposium
    page.goto(f"{live_server.url}/en/events/{event.slug}/register/")
    typed = field(page, "Organisation, if not listed")
    expect(typed).to_be_hidden()
    field(page, "Organisation").select_option(label="My organisation is not listed")
    expect(typed).to_be_visible()
    field(page, "Organisation").select_option(
        label="United Nations Children's Fund (UNICEF)"
    )
    expect(typed).to_be_hidden()


def test_with_scripts_off_the_box_shows_and_a_typed_organisation_registers(
    browser, live_server, symposium
):
    event, _ = symposium
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/en/events/{event.slug}/register/")
    field(page, "Given name").fill("Maria")
    field(page, "Family name").fill("Santos")
    field(page, "Email").fill("maria.santos@doj.example")
    field(page, "Email, again").fill("maria.santos@doj.example")
    # The box is there; the list is left at its prompt.
    field(page, "Organisation, if not listed").fill("Department of Justice")
    field(page, "Position").fill("Prosecutor")
    field(page, "Country").select_option(label="Philippines")
    field(page, "You attend as").select_option(label="Government")
    page.get_by_label("Not needed").check()
    page.get_by_label(re.compile("I agree to the processing of my data")).check()
    page.get_by_role("button", name="Send my registration").click()
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    registration = Registration.objects.get()
    assert registration.organisation is None
    assert registration.organisation_other == "Department of Justice"
    context.close()
