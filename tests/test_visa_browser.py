"""A visa letter from request to download, in Chromium: a delegate asks on a
phone in Japanese, a protocol officer issues it in the admin, the delegate
downloads it from their private page."""

import datetime
import io
import re
from pathlib import Path

import pypdf
import pytest
from django.utils import timezone, translation

from registrations.models import Registration, VisaLetter, VisaRequest
from tests.browser_helpers import axe_violations, needs_chromium
from tests.factories import RegistrationFactory, VisaLetterheadFactory

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed"
)
pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]
expect = playwright_api.expect

PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-results"


@pytest.fixture
def approved(db, event):
    VisaLetterheadFactory(event=event)
    return RegistrationFactory(
        event=event,
        status=Registration.Status.APPROVED,
        given_name="Hanako",
        family_name="Yamada",
        country="PH",
        language="ja",
    )


def private_url(base_url, registration):
    with translation.override("ja"):
        return base_url + registration.private_path()


def test_a_delegate_requests_in_japanese_and_downloads_the_letter_issued(
    browser, live_server, approved, protocol_officer
):
    event = approved.event
    first = timezone.localdate(event.starts_at)
    last = timezone.localdate(event.ends_at)
    phone = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="ja-JP",
        accept_downloads=True,
    )
    delegate = phone.new_page()
    delegate.set_default_timeout(15_000)
    try:
        delegate.goto(private_url(live_server.url, approved))
        delegate.get_by_role("link", name="招へい状を申請する").click()
        assert axe_violations(delegate) == []
        delegate.get_by_label("氏名（旅券記載のとおり）").fill("YAMADA Hanako")
        delegate.get_by_label("旅券番号").fill("tz 1234567")
        delegate.get_by_label("国籍").select_option(label="フィリピン")
        delegate.get_by_label("生年月日").fill("1985-06-15")
        # A passport that runs out during the stay is refused, with the reason.
        delegate.get_by_label("旅券の有効期限").fill(last.isoformat())
        delegate.get_by_label("本邦到着日").fill(
            (first - datetime.timedelta(days=1)).isoformat()
        )
        delegate.get_by_label("本邦出国日").fill(
            (last + datetime.timedelta(days=2)).isoformat()
        )
        delegate.get_by_label("査証を申請する在外公館").fill(
            "Embassy of Japan in the Philippines, Manila"
        )
        delegate.get_by_label("申請先の在外公館から日本語版").check()
        delegate.get_by_role("button", name="申請する").click()
        expect(
            delegate.get_by_role(
                "link", name=re.compile("^旅券の有効期限：旅券は本邦出国日")
            )
        ).to_be_visible()
        assert delegate.get_by_label("旅券番号").input_value() == "tz 1234567"
        delegate.get_by_label("旅券の有効期限").fill(
            (last + datetime.timedelta(days=700)).isoformat()
        )
        delegate.get_by_role("button", name="申請する").click()
        expect(delegate.get_by_text("申請を受け付けました。")).to_be_visible()
        expect(delegate.get_by_text("申請受付")).to_be_visible()
        no_sideways_scroll = delegate.evaluate(
            "document.documentElement.scrollWidth <= window.innerWidth"
        )
        assert no_sideways_scroll
        visa_request = VisaRequest.objects.get()
        assert visa_request.passport_number == "TZ1234567"

        # The protocol officer issues the letter, with a Japanese version.
        desk = browser.new_context(locale="en-GB", accept_downloads=True)
        officer = desk.new_page()
        officer.set_default_timeout(15_000)
        officer.goto(live_server.url + "/admin/")
        officer.get_by_label("Username").fill("protocol")
        officer.get_by_label("Password").fill("a long protocol passphrase")
        officer.get_by_role("button", name="Log in").click()
        officer.get_by_role("link", name="Visa requests").click()
        officer.get_by_role("link", name="Hanako Yamada").click()
        expect(officer.get_by_text("TZ1234567")).to_be_visible()
        officer.get_by_role("link", name="Issue a letter").click()
        officer.get_by_label("The host ministry").check()
        expect(officer.get_by_label("Add a Japanese version")).to_be_checked()
        officer.get_by_role("button", name="Issue the letter").click()
        letter = VisaLetter.objects.get()
        expect(
            officer.get_by_text(f"Letter {letter.reference} issued.")
        ).to_be_visible()
        desk.close()

        # The delegate downloads it from the private page.
        delegate.goto(private_url(live_server.url, approved))
        expect(delegate.get_by_text("招へい状送付済み")).to_be_visible()
        with delegate.expect_download() as download_info:
            delegate.get_by_role("link", name="招へい状をダウンロード（PDF）").click()
        download = download_info.value
        assert download.suggested_filename == f"{letter.reference}.pdf"
        content = Path(download.path()).read_bytes()
        english, japanese = (
            page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages
        )
        assert "TZ1234567" in english and "YAMADA Hanako" in english
        assert "旅券番号" in japanese

        # The letter's QR code leads to a page that passes the same audit.
        delegate.goto(f"{live_server.url}/ja/letters/{letter.reference}/")
        expect(delegate.get_by_role("status")).to_contain_text("有効")
        assert axe_violations(delegate) == []
    except Exception:
        SCREENSHOTS.mkdir(exist_ok=True)
        delegate.screenshot(path=SCREENSHOTS / "visa-delegate.png", full_page=True)
        raise
    finally:
        phone.close()
