"""Staff sign in with a second factor: set up at the first sign-in, then a code.

The requirement is on by default in production (STAFF_TWO_FACTOR_REQUIRED);
these tests switch it on. The rest of the suite signs staff in with
``force_login`` and the requirement off, as development does.
"""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from symposium.second_factor import replace_recovery_codes
from tests.test_security import ADMIN_PASSWORD, production_values, sign_in

pytestmark = pytest.mark.django_db
INDEX = reverse("admin:index")
CHANGELIST = reverse("admin:registrations_registration_changelist")


@pytest.fixture(autouse=True)
def second_factor_required(settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = True


@pytest.fixture
def chief(settings, django_user_model):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return django_user_model.objects.create_superuser(
        "chief", "chief@mofa.example", ADMIN_PASSWORD
    )


@pytest.fixture
def enrolled(chief):
    """Return the chief's authenticator app, set up earlier."""
    return TOTPDevice.objects.create(user=chief, name="phone", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def code_from_setup_page(page: str) -> str:
    """Read the key the setup page shows, as a person types it into the app."""
    secret = re.search(r'class="second-factor-secret">([A-Z2-7 ]+)<', page).group(1)
    device = TOTPDevice.objects.get(confirmed=False)
    assert secret.replace(" ", "") in device.config_url
    return current_code(device)


def test_the_second_factor_is_required_in_production_and_off_in_development():
    assert production_values(["STAFF_TWO_FACTOR_REQUIRED"]) == {
        "STAFF_TWO_FACTOR_REQUIRED": True
    }
    development = production_values(["STAFF_TWO_FACTOR_REQUIRED"], DEBUG="true")
    assert development == {"STAFF_TWO_FACTOR_REQUIRED": False}


def test_a_password_alone_opens_no_admin_page(client, chief):
    assert sign_in(client, ADMIN_PASSWORD).status_code == 302
    for url in (INDEX, CHANGELIST, reverse("admin:registrations_registration_export")):
        response = client.get(url, follow=True)
        assert response.redirect_chain[-1][0].startswith(
            reverse("admin:second_factor_setup")
        ), url
        assert "cl" not in (response.context or {})


def test_the_first_sign_in_sets_up_the_app_and_gives_recovery_codes(client, chief):
    response = client.post(
        reverse("admin:login") + f"?next={CHANGELIST}",
        {"username": "chief", "password": ADMIN_PASSWORD, "next": CHANGELIST},
        follow=True,
    )
    page = response.content.decode()
    assert "Set up two-step sign-in" in page
    assert 'src="data:image/svg+xml' in page

    wrong = client.post(response.redirect_chain[-1][0], {"code": "000000"})
    assert "That code does not match" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):
        done = client.post(
            response.redirect_chain[-1][0],
            {"code": code_from_setup_page(page), "next": CHANGELIST},
            follow=True,
        )
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    assert "They are shown only now" in done.content.decode()
    assert TOTPDevice.objects.get(user=chief).confirmed
    # Shown once: the page does not show them again.
    again = client.get(reverse("admin:second_factor_recovery_codes")).content.decode()
    assert codes[0] not in again and "10 recovery codes left" in again
    assert client.get(CHANGELIST).status_code == 200


def test_an_enrolled_member_of_staff_signs_in_with_a_code_from_the_app(
    client, chief, enrolled
):
    sign_in(client, ADMIN_PASSWORD)
    page = client.get(INDEX, follow=True)
    assert page.redirect_chain[-1][0].startswith(reverse("admin:second_factor_verify"))
    verify_url = page.redirect_chain[-1][0]

    wrong = client.post(verify_url, {"code": "123456"})
    assert "That code is not right" in wrong.content.decode()
    assert client.get(INDEX).status_code == 302

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):
        code = current_code(enrolled)
        assert client.post(verify_url, {"code": code}).status_code == 302
        assert client.get(INDEX).status_code == 200
        # The same code is not accepted twice.
        client.logout()
        sign_in(client, ADMIN_PASSWORD)
        replay = client.post(reverse("admin:second_factor_verify"), {"code": code})
        assert replay.status_code == 200
        assert client.get(INDEX).status_code == 302


def test_a_recovery_code_signs_in_once(client, chief, enrolled):
    codes = replace_recovery_codes(chief)
    sign_in(client, ADMIN_PASSWORD)
    verify_url = reverse("admin:second_factor_verify")
    response = client.post(verify_url, {"code": codes[0].upper()}, follow=True)
    assert response.status_code == 200
    assert "9 are left" in response.content.decode()
    assert client.get(INDEX).status_code == 200

    client.logout()
    sign_in(client, ADMIN_PASSWORD)
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):
        again = client.post(verify_url, {"code": codes[0]})
    assert "That code is not right" in again.content.decode()
    assert client.get(INDEX).status_code == 302


def test_the_reset_command_removes_a_lost_device_and_ends_verified_sessions(
    client, chief, enrolled, capsys
):
    replace_recovery_codes(chief)
    sign_in(client, ADMIN_PASSWORD)
    client.post(reverse("admin:second_factor_verify"), {"code": current_code(enrolled)})
    assert client.get(INDEX).status_code == 200

    call_command("reset_second_factor", "chief")
    assert "chief: removed 2 device(s)" in capsys.readouterr().out
    assert not TOTPDevice.objects.exists() and not StaticDevice.objects.exists()
    # The session verified with the lost phone opens nothing any more, and the
    # next step is to set up a new app.
    response = client.get(INDEX, follow=True)
    assert response.redirect_chain[-1][0].startswith(
        reverse("admin:second_factor_setup")
    )


def test_the_reset_command_refuses_an_unknown_user():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("reset_second_factor", "nobody")


def test_no_admin_page_shows_or_edits_the_devices_secrets(client, superuser, settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = False
    client.force_login(superuser)
    TOTPDevice.objects.create(user=superuser, name="phone", confirmed=True)
    for url in ("/admin/otp_totp/totpdevice/", "/admin/otp_static/staticdevice/"):
        assert client.get(url).status_code == 404


def test_a_sign_in_lasts_a_working_day(client, chief, enrolled, settings):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in(client, ADMIN_PASSWORD)
        client.post(
            reverse("admin:second_factor_verify"), {"code": current_code(enrolled)}
        )
        assert client.session.get_expiry_age() == settings.STAFF_SESSION_HOURS * 3600
        # Busy all day: each page is a request, but the end does not move.
        for _hour in range(settings.STAFF_SESSION_HOURS - 1):
            clock.shift(datetime.timedelta(hours=1))
            assert client.get(INDEX).status_code == 200
        clock.shift(datetime.timedelta(hours=1, seconds=1))
        assert client.get(INDEX).status_code == 302
        assert SESSION_KEY not in client.session


def test_the_second_factor_pages_sign_out_and_speak_japanese(client, chief, enrolled):
    sign_in(client, ADMIN_PASSWORD)
    client.cookies["django_language"] = "ja"
    page = client.get(reverse("admin:second_factor_verify")).content.decode()
    assert "2段階" in page
    client.post(reverse("admin:second_factor_sign_out"))
    assert SESSION_KEY not in client.session


def test_wrong_codes_in_a_row_make_the_next_one_wait_and_say_so(
    client, chief, enrolled
):
    sign_in(client, ADMIN_PASSWORD)
    verify_url = reverse("admin:second_factor_verify")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.post(verify_url, {"code": "111111"})
        hurried = client.post(verify_url, {"code": current_code(enrolled)})
        assert "Please wait a moment" in hurried.content.decode()
        assert client.get(INDEX).status_code == 302
        clock.shift(datetime.timedelta(seconds=31))
        assert (
            client.post(verify_url, {"code": current_code(enrolled)}).status_code == 302
        )
    assert client.get(INDEX).status_code == 200
