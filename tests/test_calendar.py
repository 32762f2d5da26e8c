"""The programme as a calendar: the event's file, the delegate's own, the email's."""

import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.urls import reverse

from registrations import services
from registrations.mail.outbox import email_deliver
from registrations.models import OutgoingEmail, Registration
from tests.factories import (
    EventFactory,
    RegistrationFactory,
    SessionFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
Status = Registration.Status


@pytest.fixture
def programme():
    event = EventFactory(
        starts_at=datetime.datetime(2027, 1, 20, 9, 0, tzinfo=TOKYO),
        ends_at=datetime.datetime(2027, 1, 20, 18, 0, tzinfo=TOKYO),
    )
    opening = SessionFactory(
        event=event,
        title="Opening and keynote",
        title_ja="開会・基調講演",
        starts_at=datetime.datetime(2027, 1, 20, 9, 30, tzinfo=TOKYO),
        ends_at=datetime.datetime(2027, 1, 20, 10, 30, tzinfo=TOKYO),
        room="Main hall",
        room_ja="大宴会場",
    )
    police = SessionFactory(
        event=event,
        title="Police cooperation",
        starts_at=datetime.datetime(2027, 1, 20, 11, 0, tzinfo=TOKYO),
        ends_at=datetime.datetime(2027, 1, 20, 12, 30, tzinfo=TOKYO),
        room="Room B",
    )
    return event, opening, police


def events_in(content: bytes) -> list:
    return icalendar.Calendar.from_ical(content).walk("VEVENT")


def test_the_programme_file_gives_the_sessions_in_tokyo_time_with_rooms(
    client, programme
):
    event, opening, police = programme
    response = client.get(reverse("registrations:programme_ics", args=[event.slug]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    sessions = events_in(response.content)
    assert [str(s["SUMMARY"]) for s in sessions] == [
        "Opening and keynote",
        "Police cooperation",
    ]
    start = sessions[0].decoded("DTSTART")
    assert start == datetime.datetime(2027, 1, 20, 9, 30, tzinfo=TOKYO)
    assert start.utcoffset() == datetime.timedelta(hours=9)
    assert sessions[0]["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert str(sessions[1]["LOCATION"]).startswith("Room B")


def test_a_session_keeps_its_uid_when_the_programme_changes(client, programme):
    event, opening, _police = programme
    url = reverse("registrations:programme_ics", args=[event.slug])
    before = {str(s["UID"]): s for s in events_in(client.get(url).content)}
    opening.starts_at += datetime.timedelta(minutes=30)
    opening.ends_at += datetime.timedelta(minutes=30)
    opening.room = "Ballroom"
    opening.save()
    after = {str(s["UID"]): s for s in events_in(client.get(url).content)}
    assert before.keys() == after.keys()
    uid = next(uid for uid in after if uid.startswith(f"session-{opening.pk}@"))
    assert after[uid].decoded("DTSTART").astimezone(TOKYO).hour == 10
    assert str(after[uid]["LOCATION"]).startswith("Ballroom")


def test_the_japanese_file_is_in_japanese(client, programme):
    event, _opening, _police = programme
    response = client.get(f"/ja/events/{event.slug}/programme.ics")
    sessions = events_in(response.content)
    assert str(sessions[0]["SUMMARY"]) == "開会・基調講演"
    assert str(sessions[0]["LOCATION"]).startswith("大宴会場")


def test_an_approved_delegate_downloads_their_own_sessions_only(client, programme):
    event, opening, police = programme
    registration = RegistrationFactory(
        event=event, status=Status.APPROVED, sessions=[police]
    )
    url = reverse("registrations:my_sessions_ics", args=[registration.token])
    response = client.get(url)
    assert [str(s["SUMMARY"]) for s in events_in(response.content)] == [
        "Police cooperation"
    ]
    assert "no-store" in response["Cache-Control"]
    page = client.get(reverse("registrations:private", args=[registration.token]))
    assert url in page.content.decode()


def test_a_pending_delegate_has_no_calendar_yet(client, programme):
    event, opening, _police = programme
    registration = RegistrationFactory(event=event, sessions=[opening])
    url = reverse("registrations:my_sessions_ics", args=[registration.token])
    assert client.get(url).status_code == 404


def test_the_approval_email_carries_the_delegate_s_sessions(programme, settings):
    event, opening, police = programme
    registration = RegistrationFactory(event=event, sessions=[opening], language="ja")
    services.registration_approve(
        registration=registration, by=StaffUserFactory(), note=""
    )
    email = OutgoingEmail.objects.get(kind=OutgoingEmail.Kind.APPROVED)
    if email.state != OutgoingEmail.State.SENT:
        email_deliver(email_id=email.pk)
    message = mail.outbox[-1]
    (name, content, mimetype) = message.attachments[0]
    assert name.endswith(".ics")
    assert mimetype.startswith("text/calendar")
    if isinstance(content, str):
        content = content.encode()
    sessions = events_in(content)
    assert [str(s["SUMMARY"]) for s in sessions] == ["開会・基調講演"]
    assert sessions[0].decoded("DTSTART") == opening.starts_at
