"""The door: a scan redeemed once by its nonce, refusals with their reason, offline
entries kept and flagged, who may use the door, and what its device holds."""

import base64
import datetime
import io
import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from registrations import services
from registrations.models import BadgeCheck, CheckIn, Registration, RegistrationSession
from registrations.models.badges import secret_hash
from registrations.selectors import checkins as door
from registrations.validators import read_portrait
from tests.factories import (
    BadgeFactory,
    DelegationFactory,
    EventFactory,
    RegistrationFactory,
    SessionFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db

Status = Registration.Status
Flag = CheckIn.Flag
DOOR = ["registrations.check_in_delegates"]


def scan(badge=None, *, offline=False, nonce=None, minutes_ago=0, **extra):
    """Return a scan as a door's device makes it of ``badge``'s QR code."""
    fields = {
        "nonce": nonce or str(uuid.uuid4()),
        "door": "Door 2",
        "device": "tablet-a",
        "scanned_at": timezone.now() - datetime.timedelta(minutes=minutes_ago),
        "offline": offline,
    }
    if badge is not None:
        fields["badge_hash"] = secret_hash(badge.secret)
    return services.Scan(**{**fields, **extra})


def redeem(event, the_scan, by=None):
    return services.checkin_redeem(event=event, scan=the_scan, by=by)


@pytest.fixture
def badge(event):
    return BadgeFactory(registration__event=event)


def test_the_same_nonce_twice_makes_one_check_in(event, badge):
    first = scan(badge)
    assert redeem(event, first).admitted
    again = redeem(event, first)
    assert again.admitted and again.repeated
    assert CheckIn.objects.count() == 1


def test_a_valid_badge_is_recorded_with_its_door_device_and_method(event, badge):
    staff = StaffUserFactory(permissions=DOOR)
    answer = redeem(event, scan(badge), by=staff)
    check_in = CheckIn.objects.get()
    assert answer.check_in == check_in
    assert (check_in.registration, check_in.badge) == (badge.registration, badge)
    assert (check_in.door, check_in.device) == ("Door 2", "tablet-a")
    assert check_in.method == CheckIn.Method.QR
    assert check_in.checked_in_by == staff
    assert not check_in.offline and not check_in.flag


@pytest.mark.parametrize(
    ("status", "check"),
    [
        (Status.PENDING, BadgeCheck.NOT_APPROVED),
        (Status.WAITLISTED, BadgeCheck.NOT_APPROVED),
        (Status.REJECTED, BadgeCheck.NOT_APPROVED),
        (Status.CANCELLED, BadgeCheck.CANCELLED),
    ],
)
def test_a_badge_of_a_delegate_not_attending_is_refused_with_why(
    event, badge, status, check
):
    Registration.objects.filter(pk=badge.registration_id).update(status=status)
    answer = redeem(event, scan(badge))
    assert not answer.admitted
    assert answer.check == check
    assert answer.reason == BadgeCheck(check).label
    assert not CheckIn.objects.exists()


def test_an_unknown_badge_is_refused_as_unknown(event):
    answer = redeem(event, scan(badge_hash="0" * 64))
    assert (answer.admitted, answer.check) == (False, BadgeCheck.UNKNOWN)
    assert "Unknown" in answer.reason


def test_a_reissued_badge_is_refused_and_the_new_one_admits(event, badge):
    old_secret_scan = scan(badge)
    services.badge_reissue(registration=badge.registration, by=None, reason="Lost")
    answer = redeem(event, old_secret_scan)
    assert (answer.admitted, answer.check) == (False, BadgeCheck.REISSUED)
    new = badge.registration.badges.get(replaced_at__isnull=True)
    assert redeem(event, scan(new)).admitted


def test_a_badge_of_another_event_is_refused(event, badge):
    answer = redeem(EventFactory(), scan(badge))
    assert (answer.admitted, answer.check) == (False, BadgeCheck.OTHER_EVENT)


def test_a_second_entry_online_is_refused_with_the_first_ones_time_and_door(
    event, badge
):
    redeem(event, scan(badge, minutes_ago=5))
    with translation.override("en"):
        answer = redeem(event, scan(badge))
        first = CheckIn.objects.get()
        expected = timezone.localtime(first.scanned_at).strftime("%H:%M")
        assert answer.reason == f"Already in at {expected} through Door 2"
    assert (answer.admitted, answer.check) == (False, services.ALREADY_IN)
    assert CheckIn.objects.count() == 1


def test_staff_may_let_a_delegate_in_again_and_it_is_recorded_as_forced(event, badge):
    redeem(event, scan(badge))
    assert redeem(event, scan(badge, forced=True)).admitted
    assert CheckIn.objects.filter(forced=True).count() == 1


def test_two_offline_devices_admitting_one_badge_keep_both_and_flag_the_second(
    event, badge
):
    at_door_1 = scan(badge, offline=True, minutes_ago=3, door="Door 1")
    at_door_2 = scan(badge, offline=True, minutes_ago=2, device="tablet-b")
    assert redeem(event, at_door_1).admitted
    assert redeem(event, at_door_2).admitted
    first, second = CheckIn.objects.order_by("received_at", "pk")
    assert first.offline and second.offline
    assert first.flag == ""
    assert second.flag == Flag.TWICE and second.earlier == first
    # Each device syncing again changes nothing.
    redeem(event, at_door_1)
    redeem(event, at_door_2)
    assert CheckIn.objects.count() == 2


def test_an_offline_entry_of_a_since_cancelled_delegate_is_kept_and_flagged(
    event, badge
):
    Registration.objects.filter(pk=badge.registration_id).update(
        status=Status.CANCELLED
    )
    assert redeem(event, scan(badge, offline=True)).admitted
    assert CheckIn.objects.get().flag == Flag.CANCELLED


def test_a_typed_short_code_and_a_search_admit_too(event, badge):
    by_code = redeem(event, scan(short_code=badge.printed_code.lower()))
    assert by_code.admitted
    other = RegistrationFactory(event=event, status=Status.APPROVED)
    assert redeem(event, scan(registration_id=other.pk)).admitted
    methods = set(CheckIn.objects.values_list("method", flat=True))
    assert methods == {CheckIn.Method.CODE, CheckIn.Method.SEARCH}


def test_a_session_door_admits_those_who_chose_it_and_records_the_choice(event, badge):
    session, other_session = SessionFactory.create_batch(2, event=event)
    badge.registration.sessions.set([session])
    refused = redeem(event, scan(badge, session_id=other_session.pk))
    assert (refused.admitted, refused.check) == (False, services.NOT_IN_SESSION)
    assert redeem(event, scan(badge, session_id=session.pk)).admitted
    # A session's room is a door of its own: the venue entrance is separate.
    assert redeem(event, scan(badge)).admitted
    choice = RegistrationSession.objects.get(session=session)
    assert choice.checked_in_at is not None


# The API the page calls.


def payload(*scans):
    return json.dumps({"scans": list(scans)})


def scan_json(badge, **extra):
    return {
        "nonce": str(uuid.uuid4()),
        "door": "Door 2",
        "device": "tablet-a",
        "scanned_at": timezone.now().isoformat(),
        "badge_hash": secret_hash(badge.secret),
        **extra,
    }


def post_scans(client, event, *scans):
    return client.post(
        reverse("registrations:door_redeem") + f"?event={event.slug}",
        payload(*scans),
        content_type="application/json",
    )


def test_the_door_api_answers_each_scan_of_a_batch_by_its_nonce(client, event, badge):
    client.force_login(StaffUserFactory(permissions=DOOR))
    cancelled = BadgeFactory(
        registration__event=event, registration__status=Status.CANCELLED
    )
    first = scan_json(badge, offline=True)
    response = post_scans(client, event, first, scan_json(cancelled), first)
    assert response.status_code == 200
    answers = response.json()["answers"]
    assert [a["nonce"] for a in answers][0] == first["nonce"]
    assert [a["admitted"] for a in answers] == [True, False, True]
    assert answers[1]["check"] == BadgeCheck.CANCELLED
    assert answers[2]["repeated"]
    assert CheckIn.objects.get().offline


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps({"scans": []}),
        json.dumps({"scans": "x"}),
        json.dumps([1, 2]),
    ],
)
def test_the_door_api_refuses_a_malformed_request_with_400(client, event, body):
    client.force_login(StaffUserFactory(permissions=DOOR))
    response = client.post(
        reverse("registrations:door_redeem"), body, content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "change",
    [
        {"nonce": "short"},
        {"door": ""},
        {"door": "D" * 41},
        {"scanned_at": "yesterday"},
        {"scanned_at": "2026-01-20T09:00:00"},
        {"scanned_at": "2026-13-45T09:00:00+09:00"},
        {"scanned_at": 20260120},
        {"badge_hash": "abc"},
        {"registration": "12"},
        {"registration": 5},
        {"short_code": "ABCD-EFGH"},
    ],
)
def test_a_bad_scan_in_a_batch_is_answered_as_such_and_records_nothing(
    client, event, badge, change
):
    client.force_login(StaffUserFactory(permissions=DOOR))
    bad = {**scan_json(badge), **change}
    response = post_scans(client, event, bad, scan_json(badge))
    answers = response.json()["answers"]
    assert answers[0]["error"] == "bad_scan"
    assert answers[1]["admitted"]
    assert CheckIn.objects.count() == 1


def test_the_door_needs_its_own_permission(client, event, badge):
    client.force_login(
        StaffUserFactory(permissions=["registrations.view_registration"])
    )
    assert client.get(reverse("registrations:door")).status_code == 403
    assert client.get(reverse("registrations:door_data")).status_code == 403
    assert post_scans(client, event, scan_json(badge)).status_code == 403
    assert not CheckIn.objects.exists()


def test_a_signed_out_door_is_told_so_in_json_and_its_scan_is_not_lost(
    client, event, badge
):
    response = post_scans(client, event, scan_json(badge))
    assert response.status_code == 403
    assert response.json()["error"] == "signed_out"


def test_the_door_staff_group_opens_the_door_page_and_nothing_else(
    client, event, door_staff_group
):
    user = StaffUserFactory()
    user.groups.add(door_staff_group)
    client.force_login(user)
    response = client.get(reverse("registrations:door"))
    assert response.status_code == 200
    assert "camera=(self)" in response["Permissions-Policy"]
    assert client.get(reverse("registrations:attendance")).status_code == 200
    changelist = reverse("admin:registrations_registration_changelist")
    assert client.get(changelist).status_code == 403


def test_other_pages_still_deny_the_camera(client):
    response = client.get(reverse("registrations:home"))
    assert "camera=()" in response["Permissions-Policy"]


def test_the_door_page_has_no_inline_script_and_keeps_the_strict_policy(client, event):
    client.force_login(StaffUserFactory(permissions=DOOR))
    response = client.get(reverse("registrations:door"))
    content = response.content.decode()
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "<script>" not in content
    assert 'type="application/json"' in content


def test_the_service_worker_is_served_from_under_the_door_page(client, event):
    response = client.get(reverse("registrations:door_worker"))
    assert response["Content-Type"].startswith("text/javascript")
    assert reverse("registrations:door") in response.content.decode()
    assert reverse("registrations:door_worker").startswith(
        reverse("registrations:door")
    )


# What the device holds.


def test_the_device_holds_hashes_never_secrets_nor_short_codes_nor_emails(
    client, event, badge
):
    cancelled = BadgeFactory(
        registration__event=event, registration__status=Status.CANCELLED
    )
    client.force_login(StaffUserFactory(permissions=DOOR))
    response = client.get(reverse("registrations:door_data") + f"?event={event.slug}")
    content = response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")
    for secret in (badge.secret, badge.short_code, badge.registration.email):
        assert secret not in content
    assert badge.registration.token not in content
    manifest = response.json()
    (delegate,) = manifest["delegates"]
    assert delegate["badges"] == [badge.secret_sha256]
    assert manifest["refused"] == {cancelled.secret_sha256: BadgeCheck.CANCELLED}


def test_the_device_list_is_read_in_a_fixed_number_of_queries(
    client, event, django_assert_max_num_queries
):
    client.force_login(StaffUserFactory(permissions=DOOR))
    delegation = DelegationFactory(event=event)
    sessions = SessionFactory.create_batch(2, event=event)
    for number in range(30):
        badge = BadgeFactory(
            registration__event=event,
            registration__delegation=delegation if number % 2 else None,
            registration__delegation_role="member" if number % 2 else "",
        )
        badge.registration.sessions.set(sessions)
        redeem(event, scan(badge))
    url = reverse("registrations:door_data") + f"?event={event.slug}"
    with django_assert_max_num_queries(12):
        manifest = client.get(url).json()
    assert len(manifest["delegates"]) == 30
    assert all(delegate["entered"] for delegate in manifest["delegates"])


def test_the_attendance_counts_who_is_in_by_category_and_delegation(
    client, event, django_assert_max_num_queries
):
    delegation = DelegationFactory(event=event)
    badges = [
        BadgeFactory(
            registration__event=event,
            registration__category=category,
            registration__delegation=delegation,
            registration__delegation_role="member",
        )
        for category in ["government", "government", "ngo"]
    ]
    RegistrationFactory(event=event, status=Status.PENDING)
    redeem(event, scan(badges[0]))
    redeem(event, scan(badges[2], offline=True))
    redeem(event, scan(badges[2], offline=True))
    with django_assert_max_num_queries(6):
        counts = door.attendance(event)
    assert (counts["in"], counts["approved"], counts["flagged"]) == (2, 3, 1)
    by_category = {
        row["label"]: (row["in"], row["approved"]) for row in counts["by_category"]
    }
    assert by_category == {
        "Government": (1, 2),
        "Non-governmental organisation": (1, 1),
    }
    assert counts["by_delegation"] == [
        {"label": str(delegation.organisation.name), "approved": 3, "in": 2}
    ]
    client.force_login(StaffUserFactory(permissions=["registrations.view_attendance"]))
    data = client.get(reverse("registrations:attendance_data") + f"?event={event.slug}")
    assert data.json()["in"] == 2


def test_the_admin_shows_the_flag_and_the_person_only_to_those_who_see_people(
    client, event, badge
):
    redeem(event, scan(badge, offline=True))
    redeem(event, scan(badge, offline=True))
    url = reverse("admin:registrations_checkin_changelist") + "?flagged=yes"
    reviewer = StaffUserFactory(
        permissions=["registrations.view_checkin", "registrations.view_registration"]
    )
    client.force_login(reviewer)
    content = client.get(url).content.decode()
    assert badge.registration.family_name in content
    assert "Let in twice" in content
    client.force_login(StaffUserFactory(permissions=["registrations.view_checkin"]))
    content = client.get(url).content.decode()
    assert badge.registration.family_name not in content
    assert f"#{badge.registration_id}" in content
    check_in = CheckIn.objects.first()
    change = reverse("admin:registrations_checkin_change", args=[check_in.pk])
    assert badge.registration.family_name not in client.get(change).content.decode()


def test_the_device_holds_a_small_thumbnail_of_the_photo(client, event, badge):
    portrait = io.BytesIO()
    Image.new("RGB", (600, 800), "navy").save(portrait, "JPEG")
    services.photo_replace(
        registration=badge.registration,
        portrait=read_portrait(portrait.getvalue()),
        by=None,
    )
    client.force_login(StaffUserFactory(permissions=DOOR))
    manifest = client.get(reverse("registrations:door_data")).json()
    url = manifest["delegates"][0]["photo"]
    assert url.startswith("data:image/jpeg;base64,")
    with Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))) as image:
        assert image.width <= 160 and image.height <= 214
