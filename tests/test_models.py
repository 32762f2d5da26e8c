"""The database itself refuses data that breaks the symposium's rules."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from registrations.models import Organisation, Registration
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    RegistrationFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db


def refuses(constraint_name):
    """Expect an IntegrityError from the database inside a savepoint."""
    return pytest.raises(IntegrityError, match=f"(?i){constraint_name}|constraint")


def test_event_must_end_after_it_starts():
    starts = timezone.now()
    with refuses("event_ends_after_start"), transaction.atomic():
        EventFactory(starts_at=starts, ends_at=starts)


def test_event_registration_must_close_after_it_opens():
    opens = timezone.now()
    with refuses("event_registration_closes_after_opening"), transaction.atomic():
        EventFactory(
            registration_opens_at=opens,
            registration_closes_at=opens - datetime.timedelta(hours=1),
        )


def test_event_capacity_cannot_be_negative():
    event = EventFactory()
    with refuses("capacity"), transaction.atomic():
        type(event).objects.filter(pk=event.pk).update(capacity=-1)


def test_session_must_end_after_it_starts():
    event = EventFactory()
    with refuses("session_ends_after_start"), transaction.atomic():
        SessionFactory(event=event, starts_at=event.starts_at, ends_at=event.starts_at)


def test_session_capacity_cannot_be_negative_but_may_be_unlimited():
    session = SessionFactory(capacity=None)
    assert session.capacity is None
    with refuses("capacity"), transaction.atomic():
        type(session).objects.filter(pk=session.pk).update(capacity=-5)


def test_one_live_registration_per_email_per_event_ignoring_case():
    event = EventFactory()
    RegistrationFactory(event=event, email="Hanako.Yamada@example.jp")
    with refuses("registration_unique_email_per_event"), transaction.atomic():
        RegistrationFactory(event=event, email="hanako.yamada@EXAMPLE.JP")


def test_a_cancelled_registration_frees_its_email_for_a_new_one():
    event = EventFactory()
    RegistrationFactory(
        event=event, email="a@example.org", status=Registration.Status.CANCELLED
    )
    again = RegistrationFactory(event=event, email="A@example.org")
    assert again.pk


def test_the_same_email_may_register_for_two_events():
    RegistrationFactory(email="a@example.org")
    assert RegistrationFactory(email="a@example.org").pk


def test_registration_needs_an_organisation_listed_or_typed():
    with refuses("registration_has_organisation"), transaction.atomic():
        RegistrationFactory(organisation=None, organisation_other="")
    typed = RegistrationFactory(
        organisation=None, organisation_other="Mahidol University"
    )
    assert typed.organisation_name == "Mahidol University"


def test_registration_status_must_be_a_known_one():
    registration = RegistrationFactory()
    with refuses("registration_status_valid"), transaction.atomic():
        Registration.objects.filter(pk=registration.pk).update(status="maybe")


def test_registration_needs_both_names():
    with refuses("registration_has_names"), transaction.atomic():
        RegistrationFactory(given_name="", family_name="Tanaka")


def test_organisation_names_are_unique_ignoring_case():
    OrganisationFactory(name="Save the Children")
    with refuses("organisation_unique_name_ci"), transaction.atomic():
        OrganisationFactory(name="SAVE THE CHILDREN")


def test_private_tokens_are_long_random_and_distinct():
    first, second = RegistrationFactory(), RegistrationFactory()
    assert first.token != second.token
    # 32 random bytes in URL-safe base64: 256 bits.
    assert len(first.token) >= 43


def test_display_name_puts_the_family_name_first_for_japanese_names():
    registration = RegistrationFactory.build(
        given_name="Hanako", family_name="Yamada", name_ja="山田 花子"
    )
    assert registration.display_name == "YAMADA Hanako (山田 花子)"
    other = RegistrationFactory.build(given_name="Maria", family_name="Santos")
    assert other.display_name == "Maria Santos"


def test_bilingual_fields_fall_back_to_english():
    from django.utils import translation

    organisation = Organisation(name="Interpol", name_ja="")
    with translation.override("ja"):
        assert organisation.localized.name == "Interpol"
        organisation.name_ja = "インターポール"
        assert organisation.localized.name == "インターポール"
    with translation.override("en"):
        assert organisation.localized.name == "Interpol"
