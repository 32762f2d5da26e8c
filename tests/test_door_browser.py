"""The door page in Chromium: a fake camera shows a badge's QR code and the page
says green; with the network cut, three more delegates are let in from the
search and queued; back online, each reaches the server once."""

import io
import os

import pytest
import segno
from django.contrib.auth import get_user_model
from PIL import Image

from registrations.models import CheckIn, Registration
from tests.browser_helpers import CHROMIUM_PATH, axe_violations, needs_chromium
from tests.factories import BadgeFactory, EventFactory

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long passphrase for the door"
FRAME_SIZE = (640, 480)
# Names the search finds; each is let in while the door is offline.
OFFLINE_DELEGATES = [("Amelia", "Hart"), ("Thị Ánh", "Nguyễn"), ("Kenji", "Sato")]


def badge_video(secret: str, path) -> None:
    """Write a short .y4m film of the badge's QR code, as a camera would see it.

    Chromium's fake camera plays it in a loop (4:2:0 YUV, as the format says).
    """
    qr = io.BytesIO()
    segno.make(secret, error="m").save(qr, kind="png", scale=8, border=4)
    frame = Image.new("RGB", FRAME_SIZE, "white")
    code = Image.open(qr).convert("RGB")
    frame.paste(
        code, ((FRAME_SIZE[0] - code.width) // 2, (FRAME_SIZE[1] - code.height) // 2)
    )
    luma, blue, red = frame.convert("YCbCr").split()
    half = (FRAME_SIZE[0] // 2, FRAME_SIZE[1] // 2)
    planes = luma.tobytes() + blue.resize(half).tobytes() + red.resize(half).tobytes()
    header = f"YUV4MPEG2 W{FRAME_SIZE[0]} H{FRAME_SIZE[1]} F5:1 Ip A1:1 C420jpeg\n"
    with open(path, "wb") as film:
        film.write(header.encode())
        for _ in range(5):
            film.write(b"FRAME\n" + planes)


@pytest.fixture
def door_day(db, door_staff_group):
    event = EventFactory(title="International Symposium on Combating Human Smuggling")
    scanned = BadgeFactory(
        registration__event=event,
        registration__given_name="Hanako",
        registration__family_name="Yamada",
        registration__name_ja="山田 花子",
    )
    others = [
        BadgeFactory(
            registration__event=event,
            registration__given_name=given,
            registration__family_name=family,
        )
        for given, family in OFFLINE_DELEGATES
    ]
    user = get_user_model().objects.create_user(
        "door", "door@mofa.example", PASSWORD, is_staff=True
    )
    user.groups.add(door_staff_group)
    return {"event": event, "scanned": scanned, "others": others}


@pytest.fixture
def camera_browser(tmp_path, door_day):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    film = tmp_path / "badge.y4m"
    badge_video(door_day["scanned"].secret, film)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={film}",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def door_page(browser, live_server, *, width=390, height=844):
    context = browser.new_context(viewport={"width": width, "height": height})
    context.grant_permissions(["camera"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(live_server.url + "/admin/login/?next=/en/staff/door/")
    page.get_by_label("Username").fill("door")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/en/staff/door/")
    return context, page


def test_the_door_reads_a_badge_then_queues_offline_entries_and_syncs_each_once(
    camera_browser, live_server, door_day, tmp_path
):
    context, page = door_page(camera_browser, live_server)
    page.get_by_label("Name of this door").fill("Door 2")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("4 delegates on this device").wait_for()
    page.get_by_role("button", name="Start the camera").click()

    verdict = page.locator("#result-verdict")
    verdict.wait_for()
    assert verdict.inner_text() == "Let in"
    assert "door-result-green" in page.locator("#result").get_attribute("class")
    assert page.locator("#result-name").inner_text() == "Hanako Yamada"
    page.screenshot(path=tmp_path / "door-green-phone.png")
    first = CheckIn.objects.get()
    assert first.registration == door_day["scanned"].registration
    assert not first.offline and first.door == "Door 2"
    page.get_by_role("button", name="Next").click()

    context.set_offline(True)
    page.get_by_text("Offline", exact=True).wait_for()
    for given, family in OFFLINE_DELEGATES:
        page.get_by_label("Name, code under the QR, or delegation").fill(family)
        page.get_by_role("button", name="Search", exact=True).click()
        page.get_by_role("button", name=f"Let in: {given} {family}").click()
        page.locator("#result-verdict").get_by_text("Let in").wait_for()
        assert (
            "sent when the network returns" in page.locator("#result-note").inner_text()
        )
        page.get_by_role("button", name="Next").click()
    page.get_by_text("Scans waiting to be sent: 3").wait_for()
    assert CheckIn.objects.count() == 1

    context.set_offline(False)
    page.get_by_text("All scans sent").wait_for()
    offline = CheckIn.objects.filter(offline=True)
    assert offline.count() == 3
    assert set(offline.values_list("registration__family_name", flat=True)) == {
        family for _, family in OFFLINE_DELEGATES
    }
    assert set(offline.values_list("method", flat=True)) == {CheckIn.Method.SEARCH}
    assert not CheckIn.objects.flagged().exists()
    # The queue is empty: syncing again sends nothing twice.
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(500)
    assert CheckIn.objects.count() == 4

    page.get_by_role("button", name="Set up").click()
    page.get_by_role("button", name="Remove the list from this device").click()
    page.get_by_text("No list of delegates on this device yet").wait_for()
    kept = page.evaluate("async () => (await idbKeyval.keys()).map(String)")
    assert kept == ["queue"]
    context.close()


def test_a_cancelled_badge_is_red_with_its_reason(
    camera_browser, live_server, door_day
):
    Registration.objects.filter(pk=door_day["scanned"].registration_id).update(
        status=Registration.Status.CANCELLED
    )
    context, page = door_page(camera_browser, live_server, width=1366, height=900)
    page.get_by_label("Name of this door").fill("Main entrance")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Start the camera").click()
    page.locator("#result-verdict").get_by_text("Do not let in").wait_for()
    assert "door-result-red" in page.locator("#result").get_attribute("class")
    assert page.locator("#result-reason").inner_text() == "Registration cancelled"
    assert not CheckIn.objects.exists()
    context.close()


def test_the_door_page_passes_wcag_22_aa(camera_browser, live_server, door_day):
    context, page = door_page(camera_browser, live_server)
    page.get_by_label("Name of this door").fill("Door 2")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("4 delegates on this device").wait_for()
    assert axe_violations(page) == []
    context.close()
