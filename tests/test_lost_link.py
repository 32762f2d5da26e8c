"""A lost private link can be replaced from the "Lost your link?" page.

Only an email address is asked for; the answer is the same whether or not it
is registered; the registered delegate gets a fresh link (the old one stops
working) through the outbox; the page counts against the same per-address
limit as the registration form, and against its own per-network one.
"""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from registrations.models import OutgoingEmail, Registration, RegistrationChange
from tests.factories import RegistrationFactory
from tests.test_registration_views import form_data, private_link_in, register_url

pytestmark = pytest.mark.django_db
Status = Registration.Status
AN_HOUR_AGO = datetime.timedelta(hours=1)


def lost_link_url(event, language="en"):
    with translation.override(language):
        return reverse("registrations:lost_link", kwargs={"slug": event.slug})


@pytest.fixture
def registered(event):
    return RegistrationFactory(
        event=event,
        email="maria.santos@doj.example",
        token_issued_at=timezone.now() - AN_HOUR_AGO,
    )


def ask(client, event, email, *, language="en"):
    return client.post(lost_link_url(event, language), {"email": email}, follow=True)


def test_a_registered_delegate_gets_a_fresh_link_and_the_old_one_stops(
    client, event, registered, django_capture_on_commit_callbacks
):
    old_link = registered.private_path()
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, event, "Maria.Santos@DOJ.example")
    assert response.redirect_chain[-1][0].endswith("/lost-link/sent/")
    [message] = mail.outbox
    registered.refresh_from_db()
    assert message.to == ["maria.santos@doj.example"]
    assert private_link_in(message).endswith(registered.private_path())
    assert "the links sent before no longer work" in message.body
    assert client.get(old_link).status_code == 404
    assert client.get(registered.private_path()).status_code == 200
    [email] = OutgoingEmail.objects.all()
    assert email.kind == OutgoingEmail.Kind.LINK_REQUESTED
    change = registered.changes.get()
    assert (change.actor, change.fields) == (
        RegistrationChange.Actor.DELEGATE,
        ["token"],
    )


def answer(response) -> str:
    """Return the page's main text, with the address asked for taken out."""
    main = re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)
    return re.sub(r"<strong>[^<]*</strong>", "<strong></strong>", main)


def test_the_answer_is_the_same_whether_or_not_the_address_is_registered(
    client, event, registered, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = ask(client, event, "maria.santos@doj.example")
        unknown = ask(client, event, "nobody@doj.example")
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == [
        (reverse("registrations:lost_link_sent", kwargs={"slug": event.slug}), 302)
    ]
    assert unknown.redirect_chain == known.redirect_chain
    assert answer(known) == answer(unknown)
    assert "If <strong>nobody@doj.example</strong> is registered" in (
        unknown.content.decode()
    )
    assert [message.to for message in mail.outbox] == [["maria.santos@doj.example"]]


def test_a_cancelled_registration_gets_no_link(client, event):
    RegistrationFactory(event=event, email="gone@doj.example", status=Status.CANCELLED)
    response = ask(client, event, "gone@doj.example")
    assert response.status_code == 200
    assert not OutgoingEmail.objects.exists()


def test_asking_twice_at_once_sends_one_link(
    client, event, registered, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, event, "maria.santos@doj.example")
        ask(client, event, "maria.santos@doj.example")
    assert len(mail.outbox) == 1


def test_the_page_shares_the_per_address_limit_with_the_registration_form(
    client, event, registered, settings
):
    settings.REGISTRATION_ADDRESS_RATE_LIMIT = "2/h"
    client.post(
        register_url(event),
        form_data(
            event,
            email="maria.santos@doj.example",
            email_confirmation="maria.santos@doj.example",
        ),
    )
    Registration.objects.filter(pk=registered.pk).update(
        token_issued_at=timezone.now() - AN_HOUR_AGO
    )
    assert ask(client, event, "maria.santos@doj.example").status_code == 200
    refused = ask(client, event, "maria.santos@doj.example")
    assert refused.status_code == 429
    assert "several emails to this address" in refused.content.decode()
    # An unknown address is refused the same way: the limit tells nothing.
    for _ in range(2):
        ask(client, event, "nobody@doj.example")
    assert ask(client, event, "nobody@doj.example").status_code == 429


def test_the_page_is_limited_per_network(client, event, settings):
    settings.REGISTRATION_RATE_LIMIT = "2/h"
    for number in range(2):
        assert ask(client, event, f"guess{number}@doj.example").status_code == 200
    refused = ask(client, event, "guess3@doj.example")
    assert refused.status_code == 429
    assert "Too many forms have been sent from your network" in (
        refused.content.decode()
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [("", "This field is required."), ("not-an-address", "Enter a valid email")],
)
def test_a_bad_address_gets_a_clear_error(client, event, value, message):
    response = client.post(lost_link_url(event), {"email": value})
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "<title>Error: " in page
    assert not OutgoingEmail.objects.exists()


@pytest.mark.parametrize(
    ("language", "heading", "promise"),
    [
        ("en", "Lost your link?", "we will send a new private link"),
        ("ja", "専用リンクを紛失された方", "新しい専用リンクをお送りします"),
    ],
)
def test_the_page_speaks_both_languages(client, event, language, heading, promise):
    page = client.get(lost_link_url(event, language)).content.decode()
    assert f">{heading}</h1>" in page or heading in page
    assert promise in page


def test_the_japanese_answer_and_email(
    client, event, django_capture_on_commit_callbacks
):
    RegistrationFactory(
        event=event,
        email="hanako@example.jp",
        language="ja",
        token_issued_at=timezone.now() - AN_HOUR_AGO,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, event, "hanako@example.jp", language="ja")
    assert "新しい専用リンクをお送りしています" in response.content.decode()
    [message] = mail.outbox
    assert message.subject.startswith("新しい専用リンクのお知らせ")
    assert "新しい専用リンクのお申込みがありました" in message.body


def test_the_event_page_and_the_not_found_page_lead_to_it(client, event):
    home = client.get(reverse("registrations:event", kwargs={"slug": event.slug}))
    assert lost_link_url(event) in home.content.decode()
    missing = client.get("/en/registration/" + "x" * 43 + "/")
    assert missing.status_code == 404
    assert reverse("registrations:lost_link_current") in missing.content.decode()
    assert client.get(reverse("registrations:lost_link_current")).url == (
        lost_link_url(event)
    )
