"""seed_fake_registrations fills an event with realistic, varied delegates."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from registrations import validators
from registrations.models import Registration
from tests.factories import EventFactory, OrganisationFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    event = EventFactory(capacity=40)
    sessions = [
        SessionFactory(event=event, capacity=capacity)
        for capacity in (None, None, 15, 5)
    ]
    # Two more in parallel with the first, as the programme's afternoon has.
    sessions += [
        SessionFactory(
            event=event, starts_at=sessions[0].starts_at, ends_at=sessions[0].ends_at
        )
        for _ in range(2)
    ]
    OrganisationFactory.create_batch(3)
    return event, sessions


def seed(*args):
    out = StringIO()
    call_command("seed_fake_registrations", *args, stdout=out)
    return out.getvalue()


def test_it_creates_the_number_asked_for_with_a_mix_of_everything(programme):
    event, _ = programme
    output = seed("--count", "600", "--seed", "7")
    registrations = Registration.objects.filter(event=event)
    assert registrations.count() == 600
    assert "Created 600 registrations" in output
    for field, at_least in [("status", 5), ("category", 5), ("country", 10)]:
        assert registrations.values(field).distinct().count() >= at_least
    assert registrations.exclude(name_ja="").count() > 60
    assert (
        registrations.filter(organisation__isnull=True)
        .exclude(organisation_other="")
        .exists()
    )
    assert Registration.sessions.through.objects.count() >= 600
    assert not mail.outbox


def test_approved_registrations_stay_within_every_capacity(programme):
    event, sessions = programme
    seed("--count", "600", "--seed", "3")
    assert event.registrations.attending().count() <= event.capacity
    for session in sessions:
        if session.capacity is not None:
            approved = session.registrations.filter(
                status=Registration.Status.APPROVED
            ).count()
            assert approved <= session.capacity


def test_a_second_run_adds_more_with_fresh_email_addresses(programme):
    seed("--count", "50")
    seed("--count", "50")
    assert Registration.objects.count() == 100


def test_it_refuses_without_an_event_or_with_a_bad_count():
    with pytest.raises(CommandError, match="load_symposium"):
        seed("--count", "10")
    EventFactory()
    with pytest.raises(CommandError, match="at least 1"):
        seed("--count", "0")
    with pytest.raises(CommandError, match="No event"):
        seed("--count", "1", "--event", "nope")


def test_no_delegate_holds_two_sessions_at_the_same_time(programme):
    event, sessions = programme
    seed("--count", "300", "--seed", "5")
    for registration in Registration.objects.filter(event=event).prefetch_related(
        "sessions"
    ):
        assert validators.overlapping_pair(registration.sessions.all()) is None
