"""Approving many registrations at once: in batches, ending as one by one would."""

import datetime
import random
import types

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from registrations import services
from registrations.models import OutgoingEmail, Registration, RegistrationChange
from registrations.services import workflow
from tests.factories import (
    DelegationFactory,
    EventFactory,
    RegistrationFactory,
    SessionFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db
Status = Registration.Status


@pytest.fixture
def reviewer(db):
    return StaffUserFactory()


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of four, so that a review of a dozen crosses batch boundaries."""
    monkeypatch.setattr(workflow, "APPROVAL_BATCH", 4)


def scenario(seed: int) -> dict:
    """Return a random event: capacities, sessions, delegations and who asks."""
    rng = random.Random(seed)
    return {
        "capacity": rng.randint(2, 10),
        "hold": rng.random() < 0.5,
        "sessions": [rng.choice([None, 1, 2, 3]) for _ in range(3)],
        "quotas": [rng.randint(1, 3) for _ in range(rng.randint(0, 2))],
        "people": [
            {
                "sessions": rng.sample(range(3), rng.randint(0, 2)),
                "delegation": rng.choice([None, None, 0, 1]),
                "waitlisted": rng.random() < 0.3,
                "minutes": rng.randint(0, 1000),
                "approved": rng.random() < 0.15,
            }
            for _ in range(rng.randint(6, 14))
        ],
    }


def build(spec: dict) -> list[Registration]:
    """Make the event ``spec`` describes; return the registrations to review."""
    event = EventFactory(capacity=spec["capacity"], hold_delegation_seats=spec["hold"])
    sessions = [SessionFactory(event=event, capacity=c) for c in spec["sessions"]]
    delegations = [
        DelegationFactory(event=event, seat_quota=quota) for quota in spec["quotas"]
    ]
    start = timezone.now() - datetime.timedelta(days=2)
    registrations = []
    for person in spec["people"]:
        delegation = (
            delegations[person["delegation"]]
            if person["delegation"] is not None
            and person["delegation"] < len(delegations)
            else None
        )
        status = Status.WAITLISTED if person["waitlisted"] else Status.PENDING
        if person["approved"]:
            status = Status.APPROVED
        registrations.append(
            RegistrationFactory(
                event=event,
                status=status,
                status_changed_at=start + datetime.timedelta(minutes=person["minutes"]),
                delegation=delegation,
                delegation_role="member" if delegation else "",
                sessions=[sessions[n] for n in person["sessions"]],
            )
        )
    return registrations


def named_by_place(reason: str, registration: Registration) -> str:
    """Return ``reason`` with its event's session titles replaced by their places."""
    for place, session in enumerate(registration.event.sessions.order_by("pk")):
        reason = reason.replace(session.title, f"session {place}")
    return reason


def results(registrations: list[Registration]) -> list[tuple[str, int]]:
    """Return each registration's status now and the history steps it has."""
    return [
        (
            Registration.objects.get(pk=r.pk).status,
            RegistrationChange.objects.filter(registration=r).count(),
        )
        for r in registrations
    ]


@pytest.mark.parametrize("waitlist_if_full", [False, True])
@pytest.mark.parametrize("seed", range(12))
def test_a_review_in_batches_ends_as_approving_one_by_one_would(
    seed, waitlist_if_full, reviewer, small_batches
):
    spec = scenario(seed)
    batched, one_by_one = build(spec), build(spec)

    outcome = services.registrations_review(
        registrations=batched,
        decision=Status.APPROVED,
        by=reviewer,
        waitlist_if_full=waitlist_if_full,
    )
    # The reference: the same order, each approval in its own transaction.
    ordered = sorted(
        range(len(one_by_one)),
        key=lambda n: (
            one_by_one[n].status != Status.WAITLISTED,
            one_by_one[n].status_changed_at,
            one_by_one[n].pk,
        ),
    )
    reasons = {}
    for n in ordered:
        try:
            services.registration_approve(
                registration=one_by_one[n],
                by=reviewer,
                waitlist_if_full=waitlist_if_full,
            )
        except services.RegistrationError as refusal:
            reasons[n] = named_by_place(str(refusal.message), one_by_one[n])

    assert results(batched) == results(one_by_one)
    position = {r.pk: n for n, r in enumerate(batched)}
    assert {
        position[r.pk]: named_by_place(reason, r) for r, reason in outcome.refused
    } == reasons
    assert sorted(position[r.pk] for r in outcome.changed) == sorted(
        n for n in range(len(batched)) if n not in reasons
    )


def test_a_batch_never_lets_more_in_than_the_hall_and_a_session_hold(
    reviewer, small_batches
):
    event = EventFactory(capacity=6)
    workshop = SessionFactory(event=event, capacity=2)
    asking = [
        RegistrationFactory(event=event, sessions=[workshop] if n < 5 else [])
        for n in range(10)
    ]
    outcome = services.registrations_review(
        registrations=asking, decision=Status.APPROVED, by=reviewer
    )
    approved = Registration.objects.filter(event=event, status=Status.APPROVED)
    assert approved.count() == 6 == len(outcome.changed)
    assert approved.filter(sessions=workshop).count() == 2
    reasons = [reason for _, reason in outcome.refused]
    assert sum("is full: all 2 seats" in reason for reason in reasons) == 3
    assert sum("event is full" in reason for reason in reasons) == 1


def test_every_approval_of_a_batch_is_recorded_and_emailed(reviewer, small_batches):
    event = EventFactory()
    asking = RegistrationFactory.create_batch(9, event=event)
    services.registrations_review(
        registrations=asking, decision=Status.APPROVED, by=reviewer, note="Welcome"
    )
    for registration in Registration.objects.filter(event=event):
        assert registration.status == Status.APPROVED
        assert registration.reviewed_by == reviewer
        assert registration.review_note == "Welcome"
        step = RegistrationChange.objects.get(registration=registration)
        assert (step.from_status, step.to_status) == (Status.PENDING, Status.APPROVED)
        assert OutgoingEmail.objects.filter(registration=registration).count() == 1


def test_a_review_of_two_events_counts_each_events_seats(reviewer, small_batches):
    small, large = EventFactory(capacity=1), EventFactory(capacity=5)
    asking = [RegistrationFactory(event=e) for e in (small, large) * 3]
    outcome = services.registrations_review(
        registrations=asking, decision=Status.APPROVED, by=reviewer
    )
    assert small.registrations.filter(status=Status.APPROVED).count() == 1
    assert large.registrations.filter(status=Status.APPROVED).count() == 3
    assert len(outcome.refused) == 2


def test_a_registration_deleted_before_its_review_is_reported_not_an_error(reviewer):
    event = EventFactory()
    kept, gone = RegistrationFactory.create_batch(2, event=event)
    Registration.objects.filter(pk=gone.pk).delete()
    outcome = services.registrations_review(
        registrations=[kept, gone], decision=Status.APPROVED, by=reviewer
    )
    assert [r.pk for r in outcome.changed] == [kept.pk]
    assert outcome.refused == [(gone, "The registration no longer exists.")]


def test_a_review_that_reaches_its_time_limit_keeps_what_it_did(
    reviewer, small_batches, monkeypatch
):
    event = EventFactory()
    asking = RegistrationFactory.create_batch(6, event=event)
    clock = iter(range(100))
    # One second a step: the limit of 2.5 s is reached after three approvals.
    monkeypatch.setattr(
        workflow, "time", types.SimpleNamespace(monotonic=lambda: next(clock))
    )
    outcome = services.registrations_review(
        registrations=asking, decision=Status.APPROVED, by=reviewer, time_limit=2.5
    )
    assert len(outcome.changed) + len(outcome.not_reached) == 6
    assert 0 < len(outcome.changed) < 6
    assert Registration.objects.filter(
        event=event, status=Status.APPROVED
    ).count() == len(outcome.changed)


def approval_queries(count: int, reviewer) -> int:
    event = EventFactory()
    session = SessionFactory(event=event, capacity=500)
    asking = RegistrationFactory.create_batch(count, event=event, sessions=[session])
    with CaptureQueriesContext(connection) as queries:
        services.registrations_review(
            registrations=asking, decision=Status.APPROVED, by=reviewer
        )
    return len(queries.captured_queries)


def test_seats_are_counted_once_a_batch_not_once_an_approval(reviewer):
    # Each more approval costs its own writes only: the registration, its
    # history step and its email's row in the outbox (whose delivery is
    # scheduled once the transaction commits).
    assert approval_queries(20, reviewer) - approval_queries(10, reviewer) == 10 * 3


def test_a_batch_frees_the_held_places_its_delegation_members_took(reviewer):
    # Two of the three seats are held for the delegation until its members
    # are approved: then the third is the only one left for the others.
    event = EventFactory(capacity=3, hold_delegation_seats=True)
    delegation = DelegationFactory(event=event, seat_quota=2)
    start = timezone.now() - datetime.timedelta(hours=1)
    members = [
        RegistrationFactory(
            event=event,
            delegation=delegation,
            delegation_role="member",
            status_changed_at=start,
        )
        for _ in range(2)
    ]
    walk_ins = RegistrationFactory.create_batch(2, event=event)
    outcome = services.registrations_review(
        registrations=walk_ins + members, decision=Status.APPROVED, by=reviewer
    )
    assert event.registrations.filter(status=Status.APPROVED).count() == 3
    [(refused, reason)] = outcome.refused
    assert refused in walk_ins and "event is full" in reason
