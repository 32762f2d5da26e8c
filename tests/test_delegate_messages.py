"""Messages to chosen delegates: written in the list, previewed, sent by the outbox."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from registrations import services
from registrations.mail.outbox import email_deliver
from registrations.models import DelegateMessage, OutgoingEmail, Registration
from tests.factories import EventFactory, RegistrationFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:registrations_registration_changelist"
Status = Registration.Status
TEXTS = {
    "subject_en": "Shuttle bus for {event}",
    "body_en": "A bus leaves the station at 8:30.\n\nYour page: {link}",
    "subject_ja": "{event}：送迎バスのご案内",
    "body_ja": "8時30分に駅から送迎バスが出発いたします。\n\n{link}",
}


@pytest.fixture
def sender():
    return StaffUserFactory(
        permissions=[
            "registrations.view_registration",
            "registrations.send_delegatemessage",
        ]
    )


@pytest.fixture
def delegates():
    event = EventFactory(title="Regional Symposium", title_ja="地域シンポジウム")
    chosen = [
        RegistrationFactory(
            event=event, family_name="Santos", honorific="dr", language="en"
        ),
        RegistrationFactory(
            event=event, family_name="Yamada", name_ja="山田 花子", language="ja"
        ),
        RegistrationFactory(
            event=event, family_name="Nguyen", language="en", status=Status.APPROVED
        ),
    ]
    others = RegistrationFactory.create_batch(2, event=event)
    return chosen, others


def post_action(client, chosen, **extra):
    return client.post(
        reverse(CHANGELIST),
        {
            "action": "write_message",
            "_selected_action": [registration.pk for registration in chosen],
            **extra,
        },
    )


def deliver_all():
    for email in OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.MESSAGE):
        OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
        email_deliver(email_id=email.pk)


def test_a_message_to_three_reaches_exactly_those_three_each_in_their_language(
    client, sender, delegates
):
    chosen, others = delegates
    client.force_login(sender)
    response = post_action(client, chosen, send="1", **TEXTS)
    assert response.status_code == 302
    deliver_all()
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {registration.email for registration in chosen}
    santos, yamada, nguyen = (by_address[r.email] for r in chosen)
    assert santos.subject == "Shuttle bus for Regional Symposium"
    assert santos.body.startswith("Dear Dr Santos,")
    assert chosen[0].private_path() in santos.body
    assert yamada.subject == "地域シンポジウム：送迎バスのご案内"
    assert "山田 花子 様" in yamada.body
    assert "送迎バス" in yamada.body
    message = DelegateMessage.objects.get()
    assert message.recipient_count == 3
    assert message.sent_by == sender
    assert sorted(message.selection["registrations"]) == sorted(r.pk for r in chosen)


def test_only_staff_with_the_permission_may_send_one(client, delegates):
    chosen, _others = delegates
    reviewer = StaffUserFactory(
        permissions=[
            "registrations.view_registration",
            "registrations.review_registration",
        ]
    )
    client.force_login(reviewer)
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert "write_message" not in page
    post_action(client, chosen, send="1", **TEXTS)
    assert not DelegateMessage.objects.exists()
    assert not OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.MESSAGE).exists()


def test_the_preview_shows_one_delegate_in_each_language_and_sends_nothing(
    client, sender, delegates
):
    chosen, _others = delegates
    client.force_login(sender)
    response = post_action(client, chosen, preview="1", **TEXTS)
    page = response.content.decode()
    assert "Dear Dr Santos," in page
    assert "山田 花子 様" in page
    assert "8時30分" in page
    assert "Send to 3 delegates" in page
    assert not DelegateMessage.objects.exists()


def test_an_unknown_placeholder_is_refused_and_the_text_kept(client, sender, delegates):
    chosen, _others = delegates
    client.force_login(sender)
    texts = {**TEXTS, "body_en": "Hello {nmae}, see you there."}
    page = post_action(client, chosen, send="1", **texts).content.decode()
    assert "Unknown placeholder: {nmae}" in page
    assert "Hello {nmae}, see you there." in page
    assert not DelegateMessage.objects.exists()


def test_the_emails_leave_at_the_rate_the_setting_gives(sender, delegates, settings):
    settings.MESSAGE_EMAILS_PER_MINUTE = 2
    chosen, _others = delegates
    services.message_send(
        registrations=Registration.objects.filter(pk__in=[r.pk for r in chosen]),
        texts=services.MessageTexts(**TEXTS),
        selection={},
        by=sender,
    )
    due = sorted(
        OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.MESSAGE).values_list(
            "next_attempt_at", flat=True
        )
    )
    assert due[1] - due[0] == datetime.timedelta(seconds=30)
    assert due[2] - due[0] == datetime.timedelta(seconds=60)


def test_cancelled_delegates_get_no_message(sender, delegates):
    chosen, _others = delegates
    chosen[2].status = Status.CANCELLED
    chosen[2].save()
    message = services.message_send(
        registrations=Registration.objects.filter(pk__in=[r.pk for r in chosen]),
        texts=services.MessageTexts(**TEXTS),
        selection={},
        by=sender,
    )
    assert message.recipient_count == 2
    assert not chosen[2].emails.exists()


def test_every_message_is_listed_with_its_count(client, superuser, sender, delegates):
    chosen, _others = delegates
    client.force_login(sender)
    post_action(client, chosen, send="1", **TEXTS)
    client.force_login(superuser)
    page = client.get(
        reverse("admin:registrations_delegatemessage_changelist")
    ).content.decode()
    assert "Shuttle bus for {event}" in page
