"""What pages and emails tell a delegate is what happened, in both languages.

A waiting list chosen by a reviewer is not called "fully booked"; the page
after the form reads the same for a new address and a registered one, and
leaves no outcome out; the edit page of a registration says why it can no
longer be changed.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from registrations import services
from registrations.models import OutgoingEmail, Registration
from tests.factories import (
    RegistrationFactory,
    SessionFactory,
    StaffUserFactory,
)
from tests.test_registration_views import event_under_way, form_data, register_url

pytestmark = pytest.mark.django_db
Status = Registration.Status


# The waiting list's email


@pytest.mark.parametrize(
    ("language", "said", "not_said"),
    [
        (
            "en",
            "The secretariat has placed your registration on the waiting list",
            "No seat",
        ),
        ("ja", "事務局において、ご登録をキャンセル待ちとさせていただきました", "満席"),
    ],
)
def test_a_reviewers_waiting_list_is_not_called_fully_booked(
    language, said, not_said, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(language=language)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_waitlist(registration=registration, by=StaffUserFactory())
    [message] = mail.outbox
    assert said in message.body
    assert not_said not in message.body
    assert OutgoingEmail.objects.get().kind == OutgoingEmail.Kind.WAITLISTED


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "No seat is free at the moment in the hall or in a session you chose"),
        ("ja", "現在、会場又はご選択のセッションに空席がないため"),
    ],
)
def test_a_waiting_list_for_want_of_a_seat_says_so(
    language, said, django_capture_on_commit_callbacks
):
    session = SessionFactory(capacity=0, title="Small room")
    registration = RegistrationFactory(
        event=session.event, language=language, sessions=[session]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_approve(
            registration=registration, by=StaffUserFactory(), waitlist_if_full=True
        )
    [message] = mail.outbox
    assert said in message.body
    assert OutgoingEmail.objects.get().kind == OutgoingEmail.Kind.WAITLISTED_FULL


# The page after the form


def main_text(response) -> str:
    main = re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


@pytest.mark.parametrize(
    ("language", "outcomes", "not_said"),
    [
        (
            "en",
            "approved, placed on the waiting list, or regretfully not accepted",
            "registered already",
        ),
        (
            "ja",
            "承認、キャンセル待ち又は誠に残念ながらお受けできない旨",
            "既に登録済み",
        ),
    ],
)
def test_the_thank_you_page_is_the_same_for_a_new_and_a_registered_address(
    client, event, language, outcomes, not_said
):
    with translation.override(language):
        url = register_url(event)
    first = client.post(url, form_data(event), follow=True)
    again = client.post(url, form_data(event), follow=True)
    assert Registration.objects.count() == 1
    assert main_text(first) == main_text(again)
    assert outcomes in main_text(first)
    assert not_said not in main_text(first)


# The edit page of a registration that can no longer be edited


def edit(client, registration, language):
    with translation.override(language):
        url = reverse(
            "registrations:private_edit", kwargs={"token": registration.token}
        )
    return main_text(client.get(url, follow=True))


@pytest.mark.parametrize(
    ("status", "language", "reason"),
    [
        (
            Status.CANCELLED,
            "en",
            "This registration has been cancelled, so it can no longer be changed. "
            "To attend after all, please register again.",
        ),
        (
            Status.CANCELLED,
            "ja",
            "この参加登録は取り消されているため、変更できません。",
        ),
        (
            Status.APPROVED,
            "en",
            "Your registration has been reviewed, so its details can no longer be "
            "changed here.",
        ),
        (
            Status.WAITLISTED,
            "ja",
            "ご登録は審査済みのため、このページでは登録内容を変更できません。",
        ),
    ],
)
def test_the_edit_page_says_why_it_is_closed(client, status, language, reason):
    registration = RegistrationFactory(status=status)
    text = edit(client, registration, language)
    assert reason in text
    assert "has begun" not in text and "始まっている" not in text


@pytest.mark.parametrize(
    ("language", "reason"),
    [
        (
            "en",
            "The symposium has begun, so registrations can no longer be changed here.",
        ),
        (
            "ja",
            "シンポジウムが始まっているため、このページでは参加登録を変更できません。",
        ),
    ],
)
def test_the_edit_page_of_a_symposium_under_way_says_it_has_begun(
    client, language, reason
):
    event = event_under_way()
    registration = RegistrationFactory(event=event)
    assert reason in edit(client, registration, language)
