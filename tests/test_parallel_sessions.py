"""Sessions at the same time run in parallel: nobody holds two of them.

The rule is the services', so the public form, the delegate's corrections and
the staff's corrections in the admin all refuse two sessions whose times
overlap, naming both, and store nothing.
"""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from registrations import services, validators
from registrations.models import Registration
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    RegistrationFactory,
    SessionFactory,
    StaffUserFactory,
)
from tests.test_registration_views import form_data, register_url
from tests.test_validation_parity import change_url
from tests.test_validation_parity import form_data as admin_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def afternoon():
    """Two sessions at 13:30 in different rooms, and one after them."""
    event = EventFactory()
    starts = event.starts_at + datetime.timedelta(hours=4)
    law = SessionFactory(
        event=event,
        title="Law enforcement",
        title_ja="法執行と警察協力",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=90),
    )
    legal = SessionFactory(
        event=event,
        title="The legal framework",
        title_ja="国際連合の法的枠組み",
        room="Room B",
        starts_at=starts + datetime.timedelta(minutes=30),
        ends_at=starts + datetime.timedelta(minutes=90),
    )
    # Starts as the other two end: no overlap.
    protecting = SessionFactory(
        event=event,
        title="Protecting women and children",
        starts_at=starts + datetime.timedelta(minutes=90),
        ends_at=starts + datetime.timedelta(minutes=180),
    )
    return event, law, legal, protecting


def details(**overrides):
    values = {
        "given_name": "Maria",
        "family_name": "Santos",
        "organisation": OrganisationFactory(),
        "position": "Prosecutor",
        "country": "PH",
        "category": Registration.Category.GOVERNMENT,
    }
    values.update(overrides)
    return values


def test_the_overlap_rule_names_the_first_pair_and_lets_back_to_back_sessions_be(
    afternoon,
):
    event, law, legal, protecting = afternoon
    assert validators.overlapping_pair([protecting, legal, law]) == (law, legal)
    assert validators.overlapping_pair([law, protecting]) is None
    assert validators.overlapping_pair([legal, protecting]) is None
    assert validators.overlapping_pair([]) is None


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "en",
            "“Law enforcement” and “The legal framework” take place at the same "
            "time: please choose one of them.",
        ),
        (
            "ja",
            "「法執行と警察協力」と「国際連合の法的枠組み」は同じ時間帯に行われます。"
            "いずれか一つをお選びください。",
        ),
    ],
)
def test_registering_for_two_sessions_at_once_is_refused_by_the_services(
    afternoon, language, message
):
    event, law, legal, _ = afternoon
    with pytest.raises(services.RegistrationError) as refusal:
        services.registration_submit(
            event=event,
            email="maria@example.org",
            sessions=[legal, law],
            language="en",
            **details(),
        )
    assert refusal.value.code == "overlapping_sessions"
    with translation.override(language):
        assert refusal.value.message == message
    assert not Registration.objects.exists()


def test_a_delegates_correction_cannot_add_a_parallel_session(afternoon):
    event, law, legal, _ = afternoon
    registration = RegistrationFactory(event=event, sessions=[law])
    with pytest.raises(services.RegistrationError, match="Law enforcement"):
        services.registration_update(
            registration=registration, sessions=[law, legal], position="Counsellor"
        )
    registration.refresh_from_db()
    assert list(registration.sessions.all()) == [law]
    assert registration.position == "Programme Officer"


def test_staff_cannot_give_a_delegate_two_parallel_sessions_either(afternoon):
    event, law, legal, protecting = afternoon
    registration = RegistrationFactory(event=event, sessions=[law])
    staff = StaffUserFactory()
    with pytest.raises(services.RegistrationError) as refusal:
        services.registration_correct(
            registration=registration, by=staff, sessions=[law, legal]
        )
    assert refusal.value.code == "overlapping_sessions"
    assert list(registration.sessions.all()) == [law]
    # Back to back is fine.
    services.registration_correct(
        registration=registration, by=staff, sessions=[law, protecting]
    )
    assert set(registration.sessions.all()) == {law, protecting}


def test_the_public_form_shows_the_refusal_at_the_sessions(client, afternoon):
    event, law, legal, _ = afternoon
    response = client.post(
        register_url(event), form_data(event, sessions=[law.pk, legal.pk])
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors.as_data()["sessions"][0].code == "overlapping_sessions"
    assert "“Law enforcement” and “The legal framework”" in response.content.decode()
    assert not Registration.objects.exists()


def test_the_delegates_edit_form_refuses_them_too(client, afternoon):
    event, law, legal, _ = afternoon
    registration = RegistrationFactory(event=event, sessions=[law])
    data = admin_form_data(registration, sessions=[law.pk, legal.pk])
    response = client.post(
        reverse("registrations:private_edit", kwargs={"token": registration.token}),
        data,
    )
    assert response.status_code == 200
    assert "take place at the same time" in response.content.decode()
    assert list(registration.sessions.all()) == [law]


def test_the_admin_refuses_them_at_the_sessions_field_and_saves_nothing(
    client, afternoon
):
    event, law, legal, _ = afternoon
    registration = RegistrationFactory(event=event, sessions=[law])
    reviewer = StaffUserFactory()
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    client.force_login(reviewer)
    data = admin_form_data(
        registration, position="Minister", sessions=[law.pk, legal.pk]
    )
    response = client.post(change_url(registration), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["sessions"]
    assert "The legal framework" in str(errors["sessions"])
    registration.refresh_from_db()
    assert registration.position == "Programme Officer"
    assert list(registration.sessions.all()) == [law]
    assert not registration.changes.exists()
