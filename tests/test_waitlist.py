"""The waiting list moves: a freed seat approves the next delegates who fit it.

A cancellation, or a capacity raised in the admin, approves the first
delegates on the waiting list in its order, passing over those whose sessions
are still full, never beyond a capacity, and tells each by email. An event
can leave this to the reviewers, who are then shown the free seats and who is
next in line. Pages and emails promise what the event does.
"""

import datetime
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from registrations import selectors, services
from registrations.models import OutgoingEmail, Registration, RegistrationChange
from tests.factories import (
    EventFactory,
    RegistrationFactory,
    SessionFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db
Status = Registration.Status


@pytest.fixture
def full_event():
    """An event of 3 seats, all taken, with four delegates waiting in order."""
    event = EventFactory(capacity=3)
    small = SessionFactory(event=event, title="Small room", capacity=1)
    seated = [
        RegistrationFactory(event=event, status=Status.APPROVED) for _ in range(2)
    ]
    seated.append(
        RegistrationFactory(event=event, status=Status.APPROVED, sessions=[small])
    )
    start = timezone.now() - datetime.timedelta(days=3)
    waiting = []
    for place, sessions in enumerate([[small], [], [], [small]]):
        registration = RegistrationFactory(
            event=event,
            status=Status.WAITLISTED,
            status_changed_at=start + datetime.timedelta(hours=place),
            given_name=f"Waiting{place + 1}",
            sessions=sessions,
        )
        waiting.append(registration)
    return {"event": event, "small": small, "seated": seated, "waiting": waiting}


def statuses(registrations):
    return [
        Registration.objects.get(pk=registration.pk).status
        for registration in registrations
    ]


def promoted_emails():
    return list(OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.PROMOTED))


def test_a_cancellation_approves_the_first_on_the_waiting_list_and_tells_them(
    full_event, django_capture_on_commit_callbacks
):
    first = full_event["waiting"][1]
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=full_event["seated"][0])
    # The first in line wants the small room, still full: the next one gets the seat.
    assert statuses(full_event["waiting"]) == [
        Status.WAITLISTED,
        Status.APPROVED,
        Status.WAITLISTED,
        Status.WAITLISTED,
    ]
    [email] = promoted_emails()
    assert email.registration_id == first.pk
    [sent] = [message for message in mail.outbox if message.to == [first.email]]
    assert "A seat has become free" in sent.body
    assert "is now approved" in sent.body
    change = first.changes.get()
    assert (change.actor, change.from_status, change.to_status) == (
        RegistrationChange.Actor.SYSTEM,
        Status.WAITLISTED,
        Status.APPROVED,
    )
    assert "waiting-list order" in change.note
    assert selectors.seats_taken(full_event["event"]) == 3


def test_a_seat_in_a_full_session_goes_to_the_first_who_waits_for_it(full_event):
    services.registration_cancel(registration=full_event["seated"][2])
    assert statuses(full_event["waiting"]) == [
        Status.APPROVED,
        Status.WAITLISTED,
        Status.WAITLISTED,
        Status.WAITLISTED,
    ]
    assert full_event["small"].registrations.filter(status=Status.APPROVED).count() == 1


def test_freeing_nothing_approves_nobody(full_event):
    services.registration_cancel(registration=full_event["waiting"][2])
    pending = RegistrationFactory(event=full_event["event"])
    services.registration_cancel(registration=pending)
    assert (
        statuses(full_event["waiting"][:2] + full_event["waiting"][3:])
        == [Status.WAITLISTED] * 3
    )
    assert not promoted_emails()


def test_a_raised_capacity_approves_as_many_as_it_frees_in_order(full_event):
    event = full_event["event"]
    event.capacity = 5
    event.save()
    promoted = services.waitlist_fill_raised_capacity(event=event, hall_before=3)
    waiting = full_event["waiting"]
    assert promoted == [waiting[1], waiting[2]]
    assert statuses(waiting) == [
        Status.WAITLISTED,
        Status.APPROVED,
        Status.APPROVED,
        Status.WAITLISTED,
    ]
    assert selectors.seats_taken(event) == 5


def test_a_session_made_larger_lets_in_those_waiting_for_it_while_the_hall_has_room(
    full_event,
):
    event, small = full_event["event"], full_event["small"]
    event.capacity = 10
    event.save()
    # The hall grew without anyone taking the seats: those who wait for the
    # small room still wait, and only the seats it gains let them in.
    services.waitlist_fill_raised_capacity(event=event, hall_before=10)
    small.capacity = 2
    small.save()
    promoted = services.waitlist_fill_raised_capacity(
        event=event, sessions_before={small.pk: 1}
    )
    assert promoted == [full_event["waiting"][0]]
    assert statuses(full_event["waiting"])[3] == Status.WAITLISTED


def test_nobody_is_let_in_past_a_capacity(full_event):
    event = full_event["event"]
    event.capacity = 100
    event.save()
    promoted = services.waitlist_fill_raised_capacity(event=event, hall_before=3)
    # The small room has no seat left: only the two who do not need it.
    assert promoted == full_event["waiting"][1:3]


def test_an_event_can_leave_the_waiting_list_to_the_reviewers(full_event):
    event = full_event["event"]
    event.waitlist_promotion = False
    event.save()
    services.registration_cancel(registration=full_event["seated"][0])
    assert statuses(full_event["waiting"]) == [Status.WAITLISTED] * 4
    assert not promoted_emails()
    free, next_in_line = selectors.next_in_line(event)
    assert (free, next_in_line) == (1, [full_event["waiting"][1]])


# In the admin


class FormFields(HTMLParser):
    """Read a page's form as a browser would send it: each named field's value."""

    def __init__(self):
        super().__init__()
        self.data = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.setdefault(name, []).append(attrs.get("value", "on"))
            else:
                self.data[name] = attrs.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data.removeprefix("\n")


def change_form_data(client, url) -> dict:
    reader = FormFields()
    reader.feed(client.get(url).content.decode())
    reader.data.pop("csrfmiddlewaretoken", None)
    return reader.data


@pytest.fixture
def organiser_client(client, superuser):
    client.force_login(superuser)
    return client


def test_raising_the_events_capacity_in_the_admin_approves_the_next_in_line(
    organiser_client, full_event
):
    event = full_event["event"]
    url = reverse("admin:registrations_event_change", args=[event.pk])
    data = change_form_data(organiser_client, url)
    data["capacity"] = "4"
    response = organiser_client.post(url, data, follow=True)
    assert response.redirect_chain, response.context["adminform"].form.errors
    waiting = full_event["waiting"]
    assert statuses(waiting)[1] == Status.APPROVED
    assert "1 delegate on the waiting list was approved" in response.content.decode()
    assert waiting[1].family_name in response.content.decode()


def test_raising_a_sessions_capacity_in_the_admin_approves_who_waits_for_it(
    organiser_client, full_event
):
    event, small = full_event["event"], full_event["small"]
    event.capacity = 10
    event.save()
    url = reverse("admin:registrations_session_change", args=[small.pk])
    data = change_form_data(organiser_client, url)
    data["capacity"] = "3"
    organiser_client.post(url, data)
    assert statuses(full_event["waiting"]) == [
        Status.APPROVED,
        Status.WAITLISTED,
        Status.WAITLISTED,
        Status.APPROVED,
    ]


def test_reviewers_see_the_freed_seats_and_who_is_next_when_it_is_theirs_to_do(
    client, full_event
):
    from django.contrib.auth.models import Group

    event = full_event["event"]
    event.waitlist_promotion = False
    event.save()
    services.registration_cancel(registration=full_event["seated"][0])
    reviewer = StaffUserFactory()
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    client.force_login(reviewer)
    page = client.get(reverse("admin:registrations_registration_changelist"))
    text = page.content.decode()
    assert f"{event.title}: 1 seat freed, next in line:" in " ".join(text.split())
    assert full_event["waiting"][1].display_name in text
    # Where the waiting list moves by itself, there is nothing to offer.
    event.waitlist_promotion = True
    event.save()
    page = client.get(reverse("admin:registrations_registration_changelist"))
    assert "next in line" not in page.content.decode()


# What the pages and emails promise


@pytest.mark.parametrize(
    ("promotion", "language", "promise"),
    [
        (True, "en", "your seat will then go to the next delegate on the waiting"),
        (False, "en", "so that the secretariat can offer your seat to another"),
        (True, "ja", "キャンセル待ちの次の順番の方にご案内いたします"),
        (False, "ja", "事務局がお席を他の方にご案内できるよう"),
    ],
)
def test_the_approval_email_promises_what_the_event_does_with_a_freed_seat(
    promotion, language, promise, django_capture_on_commit_callbacks
):
    event = EventFactory(waitlist_promotion=promotion)
    registration = RegistrationFactory(event=event, language=language)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_approve(registration=registration, by=StaffUserFactory())
    [message] = mail.outbox
    assert promise in message.body


@pytest.mark.parametrize(
    ("promotion", "language", "promise"),
    [
        (True, "en", "your seat goes to the first delegate on the waiting list"),
        (False, "en", "the secretariat can offer your seat to another delegate"),
        (True, "ja", "キャンセル待ちの順番が最初の方"),
        (False, "ja", "事務局がお席を他の方にご案内します"),
    ],
)
def test_the_cancel_page_promises_what_the_event_does_with_the_seat(
    client, promotion, language, promise
):
    event = EventFactory(waitlist_promotion=promotion)
    registration = RegistrationFactory(event=event, status=Status.APPROVED)
    with translation.override(language):
        url = reverse(
            "registrations:private_cancel", kwargs={"token": registration.token}
        )
    text = " ".join(client.get(url).content.decode().split())
    assert promise in text
