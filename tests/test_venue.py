"""The venue: approved delegates get the hotel's details once staff send them.

Until then the approved delegate's page and the approval email say by when
they will come; afterwards both show them. The private page shows the
event's date and place and each chosen session's room.
"""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from registrations import services
from registrations.models import OutgoingEmail, Registration
from tests.factories import (
    EventFactory,
    RegistrationFactory,
    SessionFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db
Status = Registration.Status
TOKYO = datetime.timezone(datetime.timedelta(hours=9))


@pytest.fixture
def venue_event():
    return EventFactory(
        starts_at=datetime.datetime(2027, 1, 20, 9, 30, tzinfo=TOKYO),
        ends_at=datetime.datetime(2027, 1, 20, 18, 0, tzinfo=TOKYO),
        venue_details_due=datetime.date(2027, 1, 10),
        venue_hotel="Hotel New Otani Tokyo",
        venue_hotel_ja="ホテルニューオータニ東京",
        venue_address="4-1 Kioi-cho, Chiyoda-ku, Tokyo",
        venue_address_ja="東京都千代田区紀尾井町4-1",
        venue_directions="From the main entrance, take the lift to the second floor.",
        venue_map_url="https://maps.example.org/new-otani",
    )


def approve(registration, capture):
    with capture(execute=True):
        services.registration_approve(registration=registration, by=StaffUserFactory())


def page_of(client, registration, language="en"):
    with translation.override(language):
        url = registration.private_path()
    return " ".join(client.get(url).content.decode().split())


@pytest.mark.parametrize(
    ("language", "promise"),
    [
        ("en", "will be sent to approved delegates by Sunday 10 January 2027"),
        ("ja", "2027年1月10日（日）までに、承認済みの参加者にお知らせいたします"),
    ],
)
def test_until_sent_the_email_and_the_page_say_by_when(
    client, venue_event, language, promise, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(event=venue_event, language=language)
    approve(registration, django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert promise in message.body
    assert "New Otani" not in message.body and "ニューオータニ" not in message.body
    page = page_of(client, registration, language)
    assert promise in page
    assert "New Otani" not in page


def test_sending_reaches_every_approved_delegate_and_nobody_else(
    venue_event, django_capture_on_commit_callbacks
):
    approved = [
        RegistrationFactory(event=venue_event, status=Status.APPROVED, language=lang)
        for lang in ("en", "ja")
    ]
    RegistrationFactory(event=venue_event, status=Status.PENDING)
    RegistrationFactory(event=venue_event, status=Status.WAITLISTED)
    with django_capture_on_commit_callbacks(execute=True):
        count = services.event_send_venue_details(
            event=venue_event, by=StaffUserFactory()
        )
    assert count == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in approved)
    english, japanese = sorted(mail.outbox, key=lambda m: m.to[0] != approved[0].email)
    assert "Hotel: Hotel New Otani Tokyo" in english.body
    assert "Address: 4-1 Kioi-cho, Chiyoda-ku, Tokyo" in english.body
    assert "ホテル：ホテルニューオータニ東京" in japanese.body
    assert japanese.subject.startswith("会場のご案内")
    html = english.alternatives[0][0]
    assert '<a href="https://maps.example.org/new-otani">' in html
    assert set(OutgoingEmail.objects.values_list("kind", flat=True)) == {
        OutgoingEmail.Kind.VENUE_DETAILS
    }


def test_details_missing_are_not_sent(venue_event):
    venue_event.venue_address = ""
    venue_event.save()
    RegistrationFactory(event=venue_event, status=Status.APPROVED)
    with pytest.raises(services.RegistrationError, match="hotel and its address"):
        services.event_send_venue_details(event=venue_event, by=StaffUserFactory())
    assert not OutgoingEmail.objects.exists()
    venue_event.refresh_from_db()
    assert venue_event.venue_details_sent_at is None


def test_once_sent_approvals_and_the_page_carry_them(
    client, venue_event, django_capture_on_commit_callbacks
):
    services.event_send_venue_details(event=venue_event, by=StaffUserFactory())
    registration = RegistrationFactory(event=venue_event)
    approve(registration, django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert "Hotel: Hotel New Otani Tokyo" in message.body
    page = page_of(client, registration)
    assert "Hotel New Otani Tokyo" in page
    assert 'href="https://maps.example.org/new-otani"' in page
    # Only an approved delegate's page shows them.
    pending = RegistrationFactory(event=venue_event)
    assert "New Otani" not in page_of(client, pending)


def test_the_private_page_shows_the_date_the_place_and_each_room(client, venue_event):
    session = SessionFactory(
        event=venue_event,
        title="The legal framework",
        room="Room B",
        starts_at=datetime.datetime(2027, 1, 20, 13, 30, tzinfo=TOKYO),
        ends_at=datetime.datetime(2027, 1, 20, 15, 0, tzinfo=TOKYO),
    )
    registration = RegistrationFactory(event=venue_event, sessions=[session])
    page = page_of(client, registration)
    assert "Wednesday 20 January 2027, 09:30–18:00 Japan Standard Time" in page
    assert venue_event.venue in page
    assert "13:30–15:00 The legal framework (Room B)" in page


def send_action(client, *events, confirm=False):
    data = {
        "action": "send_venue_details",
        "_selected_action": [event.pk for event in events],
    }
    if confirm:
        data["confirm"] = "yes"
    return client.post(
        reverse("admin:registrations_event_changelist"), data, follow=True
    )


def test_staff_are_shown_what_goes_to_whom_before_anything_is_sent(
    client, superuser, venue_event, django_capture_on_commit_callbacks
):
    RegistrationFactory.create_batch(2, event=venue_event, status=Status.APPROVED)
    RegistrationFactory(event=venue_event, status=Status.PENDING)
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = send_action(client, venue_event)
    page = " ".join(response.content.decode().split())
    assert "This email goes to 2 approved delegates" in page
    assert "Hotel New Otani Tokyo" in page and "東京都千代田区紀尾井町4-1" in page
    assert 'value="Yes, send them"' in page
    assert "They were sent before" not in page
    assert len(mail.outbox) == 0
    venue_event.refresh_from_db()
    assert venue_event.venue_details_sent_at is None


def test_staff_send_them_from_the_list_of_events_once_confirmed(
    client, superuser, venue_event, django_capture_on_commit_callbacks
):
    RegistrationFactory(event=venue_event, status=Status.APPROVED)
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = send_action(client, venue_event, confirm=True)
    assert "the venue details are on their way to 1 approved delegate" in (
        response.content.decode()
    )
    assert len(mail.outbox) == 1


def test_sending_again_is_said_to_write_to_everyone_again(
    client, superuser, venue_event, django_capture_on_commit_callbacks
):
    RegistrationFactory(event=venue_event, status=Status.APPROVED)
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        send_action(client, venue_event, confirm=True)
        page = send_action(client, venue_event).content.decode()
    assert "every approved delegate gets them again" in page
    assert len(mail.outbox) == 1


def test_an_event_without_its_hotel_is_left_out_and_cannot_be_confirmed(
    client, superuser
):
    bare = EventFactory(venue_hotel="", venue_address="")
    RegistrationFactory(event=bare, status=Status.APPROVED)
    client.force_login(superuser)
    page = send_action(client, bare).content.decode()
    assert "Left out: fill in the hotel and its address first." in page
    assert "Yes, send them" not in page
    assert len(mail.outbox) == 0
