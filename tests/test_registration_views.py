"""What a delegate sees and does: the event page, the form, the private link."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from registrations.models import Registration, RegistrationChange
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    RegistrationFactory,
    SessionFactory,
    SessionSpeakerFactory,
)

pytestmark = pytest.mark.django_db
Status = Registration.Status


def register_url(event):
    return reverse("registrations:register", kwargs={"slug": event.slug})


def form_data(event, **overrides):
    """Return a complete, valid submission of the registration form."""
    if "organisation" in overrides:
        organisation = overrides.pop("organisation")
        organisation = getattr(organisation, "pk", organisation)
    else:
        organisation = OrganisationFactory().pk
    data = {
        "honorific": "ms",
        "given_name": "Hanako",
        "family_name": "Yamada",
        "name_ja": "山田 花子",
        "email": "hanako.yamada@example.jp",
        "email_confirmation": "hanako.yamada@example.jp",
        "organisation": organisation,
        "organisation_other": "",
        "position": "Counsellor",
        "country": "JP",
        "category": Registration.Category.GOVERNMENT,
        "sessions": [],
        "dietary_needs": "",
        "accessibility_needs": "",
        "interpretation": Registration.Interpretation.INTO_ENGLISH,
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def event_under_way():
    """Return an event that started an hour ago."""
    started = timezone.now() - datetime.timedelta(hours=1)
    return EventFactory(
        starts_at=started,
        ends_at=started + datetime.timedelta(hours=8),
        registration_opens_at=started - datetime.timedelta(days=30),
        registration_closes_at=started - datetime.timedelta(days=1),
    )


def private_link_in(message) -> str:
    match = re.search(r"https?://\S+/registration/[\w-]+/", message.body)
    assert match, message.body
    return match.group(0)


# The event page


def test_the_site_root_leads_to_the_event_page_in_one_step(client, event):
    response = client.get("/", headers={"accept-language": "en"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert event.title in page.content.decode()


def test_the_event_page_shows_date_venue_host_programme_and_a_way_to_register(client):
    event = EventFactory(capacity=200)
    keynote = SessionFactory(event=event, title="Keynote on human security")
    SessionSpeakerFactory(session=keynote, speaker__name="Carol Bellamy")
    SessionFactory(event=event, title="Legal framework", capacity=3, room="Room B")
    OrganisationFactory(name="ECPAT International", invited=True)
    OrganisationFactory(name="Not invited at all", invited=False)

    page = client.get(reverse("registrations:home")).content.decode()

    assert event.title in page
    assert "Japan Standard Time" in page
    assert event.venue in page and event.host in page
    assert "Keynote on human security" in page and "Carol Bellamy" in page
    assert "Room B" in page and "3 seats left" in page
    assert "ECPAT International" in page and "Not invited at all" not in page
    assert register_url(event) in page


def test_a_full_session_is_marked_on_the_event_page(client, event):
    session = SessionFactory(event=event, capacity=1)
    RegistrationFactory(event=event, status=Status.APPROVED, sessions=[session])
    page = client.get(reverse("registrations:home")).content.decode()
    assert "Full: waiting list only" in page


def test_the_event_page_and_the_form_use_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    event = EventFactory()
    sessions = SessionFactory.create_batch(50, event=event, capacity=500)
    for session in sessions[:10]:
        SessionSpeakerFactory(session=session)
    OrganisationFactory.create_batch(5, invited=True)
    registrations = RegistrationFactory.build_batch(
        10_000, event=event, organisation=None, organisation_other="NGO"
    )
    Registration.objects.bulk_create(registrations, batch_size=1000)
    Through = Registration.sessions.through
    Through.objects.bulk_create(
        [
            Through(registration_id=r.pk, session_id=sessions[i % 50].pk)
            for i, r in enumerate(Registration.objects.only("pk"))
        ],
        batch_size=2000,
    )
    with django_assert_max_num_queries(6):
        assert client.get(reverse("registrations:home")).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(register_url(event)).status_code == 200


# The form


def test_every_field_has_a_visible_label_bound_to_its_input(client, event):
    page = client.get(register_url(event)).content.decode()
    for name in [
        "honorific",
        "given_name",
        "family_name",
        "name_ja",
        "email",
        "email_confirmation",
        "organisation",
        "organisation_other",
        "position",
        "country",
        "category",
        "dietary_needs",
        "accessibility_needs",
        "consent",
    ]:
        assert f'for="id_{name}"' in page, name
        assert f'id="id_{name}"' in page, name
    assert "How we use your data" in page


def test_full_sessions_are_marked_in_the_form(client, event):
    full = SessionFactory(event=event, capacity=1, title="Small room")
    RegistrationFactory(event=event, status=Status.APPROVED, sessions=[full])
    page = client.get(register_url(event)).content.decode()
    assert "Small room" in page
    assert "Full: choosing it puts your registration on the waiting list" in page


def test_a_valid_registration_is_pending_and_confirmed_by_email(
    client, event, django_capture_on_commit_callbacks
):
    sessions = SessionFactory.create_batch(2, event=event)
    data = form_data(event, sessions=[s.pk for s in sessions])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(register_url(event), data)

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "registrations:registered", kwargs={"slug": event.slug}
    )
    registration = Registration.objects.get()
    assert registration.status == Status.PENDING
    assert registration.name_ja == "山田 花子"
    assert registration.language == "en"
    assert set(registration.sessions.all()) == set(sessions)
    assert registration.changes.get().to_status == Status.PENDING

    [message] = mail.outbox
    assert message.to == ["hanako.yamada@example.jp"]
    assert event.title in message.subject
    assert private_link_in(message).endswith(registration.private_path())
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and registration.private_path() in html

    done = client.get(response["Location"]).content.decode()
    assert "What happens next" in done
    assert "hanako.yamada@example.jp" in done


def test_choosing_a_full_session_gets_the_waiting_list_wording(client, event):
    full = SessionFactory(event=event, capacity=1, title="Small room")
    RegistrationFactory(event=event, status=Status.APPROVED, sessions=[full])
    response = client.post(
        register_url(event), form_data(event, sessions=[full.pk]), follow=True
    )
    page = response.content.decode()
    assert "waiting list" in page
    assert "Small room" in page


def test_registering_twice_creates_nothing_and_sends_a_new_link_the_old_one_void(
    client, event, django_capture_on_commit_callbacks
):
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    existing = RegistrationFactory(
        event=event, email="Hanako.Yamada@example.jp", token_issued_at=an_hour_ago
    )
    old_link = existing.private_path()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(register_url(event), form_data(event), follow=True)
    assert Registration.objects.count() == 1
    [message] = mail.outbox
    existing.refresh_from_db()
    assert private_link_in(message).endswith(existing.private_path())
    assert existing.private_path() != old_link
    assert "Links sent before no longer work" in message.body
    assert message.to == ["Hanako.Yamada@example.jp"]
    assert "It says what we have recorded" in response.content.decode()
    assert client.get(old_link).status_code == 404
    assert client.get(existing.private_path()).status_code == 200
    assert existing.changes.get().fields == ["token"]


def test_registering_again_minutes_after_the_last_link_sends_nothing_more(
    client, event, django_capture_on_commit_callbacks
):
    existing = RegistrationFactory(event=event, email="Hanako.Yamada@example.jp")
    link = existing.private_path()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(register_url(event), form_data(event))
    assert mail.outbox == []
    existing.refresh_from_db()
    assert existing.private_path() == link


def test_the_answer_does_not_reveal_whether_an_address_was_registered(client, event):
    RegistrationFactory(event=event, email="known@example.org")
    organisation = OrganisationFactory()

    def answer(email):
        data = form_data(
            event, email=email, email_confirmation=email, organisation=organisation
        )
        page = client.post(register_url(event), data, follow=True).content.decode()
        return page.replace(email, "EMAIL")

    assert answer("known@example.org") == answer("new@example.org")


def test_the_done_page_shows_only_what_its_own_signed_cookie_says(client, event):
    other = EventFactory()
    response = client.post(register_url(event), form_data(event))
    done_url = response["Location"]
    cookie = response.cookies["registration_done"]
    assert cookie["path"] == done_url and cookie["httponly"]
    assert "hanako.yamada@example.jp" in client.get(done_url).content.decode()

    # Another event's done page, or a cookie changed by hand, names nobody.
    other_done = reverse("registrations:registered", kwargs={"slug": other.slug})
    client.cookies["registration_done"] = cookie.value
    page = client.get(other_done)
    assert page.status_code == 200 and "hanako" not in page.content.decode()
    signed = cookie.value
    altered = signed[:-1] + ("A" if signed[-1] != "A" else "B")
    for forged in (altered, "{}", "x:y:z"):
        client.cookies["registration_done"] = forged
        page = client.get(done_url)
        assert page.status_code == 200 and "hanako" not in page.content.decode()
        assert "What happens next" in page.content.decode()


def test_registration_closed_before_it_opens_and_after_it_closes(client):
    now = timezone.now()
    early = EventFactory(registration_opens_at=now + datetime.timedelta(days=1))
    late = EventFactory(
        registration_opens_at=now - datetime.timedelta(days=9),
        registration_closes_at=now - datetime.timedelta(minutes=1),
    )
    assert "Registration opens on" in client.get(register_url(early)).content.decode()
    assert "Registration is closed" in client.get(register_url(late)).content.decode()
    for event in (early, late):
        response = client.post(register_url(event), form_data(event))
        assert response.status_code == 403
    assert not Registration.objects.exists()


BAD_INPUTS = {
    "missing names": ({"given_name": "", "family_name": ""}, "given_name"),
    "overlong position": ({"position": "x" * 201}, "position"),
    "script in a name": ({"family_name": "<script>alert(1)</script>"}, "family_name"),
    "digits in a name": ({"given_name": "R2D2"}, "given_name"),
    "latin in the japanese name": ({"name_ja": "Yamada"}, "name_ja"),
    "invalid email": ({"email": "hanako@", "email_confirmation": "hanako@"}, "email"),
    "emails differ": (
        {"email_confirmation": "hanako.yamada@example.com"},
        "email_confirmation",
    ),
    "unknown session": ({"sessions": ["999999"]}, "sessions"),
    "non-numeric session": ({"sessions": ["x; DROP TABLE"]}, "sessions"),
    "unknown organisation": ({"organisation": "999999"}, "organisation"),
    "no organisation at all": (
        {"organisation": "", "organisation_other": ""},
        "organisation",
    ),
    "tampered category": ({"category": "spy"}, "category"),
    "tampered country": ({"country": "XX"}, "country"),
    "no consent": ({"consent": ""}, "consent"),
    "null character": ({"position": "Director\x00"}, "position"),
}


@pytest.mark.parametrize("case", BAD_INPUTS.keys())
def test_bad_input_gets_a_clear_error_and_saves_nothing(client, event, case):
    overrides, field = BAD_INPUTS[case]
    response = client.post(register_url(event), form_data(event, **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    page = response.content.decode()
    assert re.search(r"There (is|are) \d+ problems? with what you sent", page)
    assert "<script>alert(1)</script>" not in page
    assert not Registration.objects.exists()
    assert not mail.outbox


def test_a_session_of_another_event_is_refused(client, event):
    foreign = SessionFactory()
    response = client.post(register_url(event), form_data(event, sessions=[foreign.pk]))
    assert "not in this programme" in response.context["form"].errors["sessions"][0]
    assert not Registration.objects.exists()


def test_the_answers_are_kept_when_the_form_is_refused(client, event):
    response = client.post(register_url(event), form_data(event, consent=""))
    page = response.content.decode()
    assert 'value="Counsellor"' in page and 'value="Hanako"' in page


def test_a_replayed_post_creates_one_registration(client, event):
    data = form_data(event)
    client.post(register_url(event), data)
    client.post(register_url(event), data)
    assert Registration.objects.count() == 1


def test_the_honeypot_catches_bots_without_saving(client, event):
    response = client.post(register_url(event), form_data(event, website="http://spam"))
    assert response.status_code == 302
    assert not Registration.objects.exists()
    assert not mail.outbox


def test_submissions_are_rate_limited_per_address_and_the_answers_kept(
    client, event, settings
):
    settings.REGISTRATION_RATE_LIMIT = "2/h"
    organisation = OrganisationFactory()
    for number in range(2):
        email = f"d{number}@example.org"
        response = client.post(
            register_url(event),
            form_data(
                event, email=email, email_confirmation=email, organisation=organisation
            ),
        )
        assert response.status_code == 302
    response = client.post(
        register_url(event),
        form_data(
            event,
            email="d3@example.org",
            email_confirmation="d3@example.org",
            organisation=organisation,
        ),
        REMOTE_ADDR="127.0.0.1",
    )
    assert response.status_code == 429
    assert (
        "Too many forms have been sent from your network" in response.content.decode()
    )
    assert 'value="d3@example.org"' in response.content.decode()
    assert Registration.objects.count() == 2
    other_address = client.post(
        register_url(event),
        form_data(
            event,
            email="d4@example.org",
            email_confirmation="d4@example.org",
            organisation=organisation,
        ),
        REMOTE_ADDR="192.0.2.7",
    )
    assert other_address.status_code == 302


def test_invalid_submissions_do_not_use_up_the_rate_limit(client, event, settings):
    settings.REGISTRATION_RATE_LIMIT = "1/h"
    for _ in range(3):
        client.post(register_url(event), form_data(event, consent=""))
    assert client.post(register_url(event), form_data(event)).status_code == 302


# The private link


def test_the_private_page_shows_status_and_details(client):
    registration = RegistrationFactory(
        given_name="Maria", family_name="Santos", position="Legal Adviser"
    )
    page = client.get(registration.private_path()).content.decode()
    assert "Pending review" in page
    assert "Maria Santos" in page and "Legal Adviser" in page
    assert registration.email in page


def test_a_waitlisted_delegate_sees_their_position(client, event):
    first = RegistrationFactory(event=event, status=Status.WAITLISTED)
    second = RegistrationFactory(
        event=event,
        status=Status.WAITLISTED,
        status_changed_at=first.status_changed_at + datetime.timedelta(minutes=5),
    )
    assert "in position 2" in client.get(second.private_path()).content.decode()


@pytest.mark.parametrize(
    "token", ["nope", "A" * 43, "../../admin", "A" * 42 + "%2F", "A" * 500]
)
@pytest.mark.parametrize("page", ["", "edit/", "cancel/"])
def test_a_wrong_link_is_a_friendly_404(client, token, page):
    RegistrationFactory()
    response = client.get(f"/en/registration/{token}/{page}")
    assert response.status_code == 404


def test_the_friendly_404_page_explains_what_to_do(client, settings):
    settings.DEBUG = False
    response = client.get(reverse("registrations:private", kwargs={"token": "x" * 43}))
    assert response.status_code == 404
    assert "We could not find this page" in response.content.decode()


def test_a_link_expires_months_after_the_event(client, settings):
    settings.REGISTRATION_RETENTION_DAYS = 30
    long_ago = timezone.now() - datetime.timedelta(days=40)
    event = EventFactory(
        starts_at=long_ago,
        ends_at=long_ago + datetime.timedelta(hours=8),
        registration_opens_at=long_ago - datetime.timedelta(days=30),
        registration_closes_at=long_ago - datetime.timedelta(days=1),
    )
    registration = RegistrationFactory(event=event)
    assert client.get(registration.private_path()).status_code == 404


def test_a_pending_delegate_corrects_details_and_sessions_and_it_is_recorded(
    client, event
):
    first, second = SessionFactory.create_batch(2, event=event)
    registration = RegistrationFactory(event=event, sessions=[first])
    edit_url = reverse(
        "registrations:private_edit", kwargs={"token": registration.token}
    )
    data = form_data(
        event,
        organisation=registration.organisation,
        position="Director",
        sessions=[second.pk],
    )
    response = client.post(edit_url, data)
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.position == "Director"
    assert list(registration.sessions.all()) == [second]
    change = RegistrationChange.objects.get(registration=registration)
    assert change.actor == RegistrationChange.Actor.DELEGATE
    assert {"position", "sessions"} <= set(change.fields)


def test_an_edit_with_bad_input_changes_nothing(client, event):
    registration = RegistrationFactory(event=event, family_name="Santos")
    edit_url = reverse(
        "registrations:private_edit", kwargs={"token": registration.token}
    )
    response = client.post(edit_url, form_data(event, family_name="<b>x</b>"))
    assert response.status_code == 200
    registration.refresh_from_db()
    assert registration.family_name == "Santos"
    assert not registration.changes.exists()


def test_a_reviewed_registration_can_no_longer_be_edited(client, event):
    registration = RegistrationFactory(
        event=event, status=Status.APPROVED, position="Counsellor"
    )
    edit_url = reverse(
        "registrations:private_edit", kwargs={"token": registration.token}
    )
    response = client.post(edit_url, form_data(event, position="Minister"))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.position == "Counsellor"


def test_a_delegate_cancels_after_confirming_and_it_is_recorded(
    client, event, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(event=event, status=Status.APPROVED)
    cancel_url = reverse(
        "registrations:private_cancel", kwargs={"token": registration.token}
    )
    question = client.get(cancel_url).content.decode()
    assert "Yes, cancel my registration" in question
    assert "your seat goes to the first delegate on the waiting list" in question
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(cancel_url, follow=True)
    registration.refresh_from_db()
    assert registration.status == Status.CANCELLED
    assert "has been cancelled" in response.content.decode()
    change = registration.changes.get()
    assert (change.from_status, change.to_status, change.actor) == (
        Status.APPROVED,
        Status.CANCELLED,
        RegistrationChange.Actor.DELEGATE,
    )
    assert mail.outbox[0].to == [registration.email]


def test_a_delegate_cannot_cancel_once_the_event_has_started(client):
    event = event_under_way()
    registration = RegistrationFactory(event=event, status=Status.APPROVED)
    cancel_url = reverse(
        "registrations:private_cancel", kwargs={"token": registration.token}
    )
    response = client.post(cancel_url, follow=True)
    registration.refresh_from_db()
    assert registration.status == Status.APPROVED
    assert "The event has started" in response.content.decode()


def test_one_delegates_link_never_shows_another_delegates_data(client, event):
    mine = RegistrationFactory(event=event, family_name="Mine")
    theirs = RegistrationFactory(event=event, family_name="Theirs")
    page = client.get(mine.private_path()).content.decode()
    assert "Mine" in page and "Theirs" not in page and theirs.email not in page


def test_session_times_in_the_form_are_in_japan_standard_time(client):
    event = EventFactory()
    SessionFactory(
        event=event,
        title="Keynote",
        starts_at=datetime.datetime(2027, 1, 20, 0, 30, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2027, 1, 20, 1, 15, tzinfo=datetime.UTC),
    )
    page = client.get(register_url(event)).content.decode()
    assert "09:30–10:15 Keynote" in page


def test_the_form_sends_only_a_few_emails_to_one_address(client, event, settings):
    settings.REGISTRATION_ADDRESS_RATE_LIMIT = "2/h"
    organisation = OrganisationFactory()
    answers = [
        client.post(register_url(event), form_data(event, organisation=organisation))
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [302, 302, 429]
    assert "already sent several emails to this address" in answers[2].content.decode()
    assert Registration.objects.count() == 1


def test_an_address_differing_only_in_unusual_capitals_is_no_server_error(
    client, event
):
    organisation = OrganisationFactory()
    for email in ["y@ka.jp", "y@\u212aa.jp"]:  # the second K is the Kelvin sign
        response = client.post(
            register_url(event),
            form_data(
                event, email=email, email_confirmation=email, organisation=organisation
            ),
        )
        assert response.status_code == 302


def test_a_pending_delegate_cannot_edit_once_the_event_has_started(client):
    event = event_under_way()
    registration = RegistrationFactory(event=event, position="Counsellor")
    edit_url = reverse(
        "registrations:private_edit", kwargs={"token": registration.token}
    )
    response = client.post(edit_url, form_data(event, position="Minister"))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.position == "Counsellor"
    assert (
        "Correct my details"
        not in client.get(registration.private_path()).content.decode()
    )


def test_the_language_switch_never_points_to_another_site(client, settings):
    settings.DEBUG = False
    page = client.get("//evil.example/en/").content.decode()
    assert "//evil.example" not in page


def test_an_address_holding_a_nul_character_is_a_bad_request(client, event):
    assert client.get("/en/?q=%00").status_code == 400
    assert client.get("/en/registration/%00/").status_code == 400
    assert client.get("/en/registration/" + "A" * 42 + "%00/edit/").status_code == 400
    assert client.get(register_url(event) + "?x=a%00b").status_code == 400


LOOKALIKES = [
    "hanako@example.org",
    "hanako@ｅｘａｍｐｌｅ.org",
    "hanako@EXAMPLE.ORG",
    "hanako@ℯxamp\u217ce.\u2134rg",
    "ｈａｎａｋｏ@example.org",
    "hanako@example。org",
]


def test_lookalikes_of_one_mailbox_register_once_and_share_one_email_limit(
    client, event, settings, django_capture_on_commit_callbacks
):
    settings.REGISTRATION_ADDRESS_RATE_LIMIT = "3/h"
    organisation = OrganisationFactory()
    statuses = []
    with django_capture_on_commit_callbacks(execute=True):
        for email in LOOKALIKES:
            data = form_data(
                event, email=email, email_confirmation=email, organisation=organisation
            )
            statuses.append(client.post(register_url(event), data).status_code)
    assert statuses == [302, 302, 302, 429, 429, 429]
    [registration] = Registration.objects.all()
    assert registration.email == "hanako@example.org"
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "email",
    [
        "hanako@exa\u00admple.org",
        "hanako@exam\u200bple.org",
        "hanako@example.org\u200b",
        "hanako@[192.0.2.1]",
        '"hanako"@example.org',
        "hanako@exаmple.org",
    ],
)
def test_addresses_that_disguise_a_mailbox_are_refused_with_a_reason(
    client, event, email
):
    data = form_data(event, email=email, email_confirmation=email)
    response = client.post(register_url(event), data)
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    "field", ["given_name", "organisation_other", "position", "dietary_needs"]
)
def test_free_text_with_a_bidi_override_or_control_character_is_refused(
    client, event, field
):
    data = form_data(event, organisation="", organisation_other="Ministry of Justice")
    data[field] = "Ministry\u202eecitsuJ"
    response = client.post(register_url(event), data)
    assert response.status_code == 200
    [error] = response.context["form"].errors[field]
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in error
    assert not Registration.objects.exists()
