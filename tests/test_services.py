"""The review workflow's rules: transitions, capacity, history and emails."""

import datetime
import logging
import smtplib
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from registrations import selectors, services
from registrations.models import Registration, RegistrationChange
from tests.factories import EventFactory, RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db
Status = Registration.Status
Actor = RegistrationChange.Actor

ALLOWED = {
    (Status.PENDING, Status.APPROVED),
    (Status.PENDING, Status.REJECTED),
    (Status.PENDING, Status.WAITLISTED),
    (Status.PENDING, Status.CANCELLED),
    (Status.WAITLISTED, Status.APPROVED),
    (Status.WAITLISTED, Status.REJECTED),
    (Status.WAITLISTED, Status.CANCELLED),
    (Status.APPROVED, Status.CANCELLED),
}
TARGETS = [Status.APPROVED, Status.REJECTED, Status.WAITLISTED, Status.CANCELLED]
ALL_PAIRS = [(source, target) for source in Status.values for target in TARGETS]


@pytest.fixture
def reviewer(db):
    return get_user_model().objects.create_user("reviewer", password="x" * 16)


def decide(registration, target, reviewer, **options):
    """Ask the services module to move ``registration`` to ``target``."""
    if target == Status.CANCELLED:
        return services.registration_cancel(
            registration=registration, by=reviewer, **options
        )
    return services.REVIEW_DECISIONS[target](
        registration=registration, by=reviewer, **options
    )


@pytest.mark.parametrize(("source", "target"), sorted(ALLOWED))
def test_every_allowed_transition_happens_and_is_recorded(
    source, target, reviewer, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(status=source)
    with django_capture_on_commit_callbacks(execute=True):
        decide(registration, target, reviewer, note="Checked with the embassy")
    registration.refresh_from_db()
    assert registration.status == target
    change = registration.changes.get()
    assert (change.from_status, change.to_status) == (source, target)
    assert change.changed_by == reviewer and change.actor == Actor.STAFF
    assert change.note == "Checked with the embassy"
    assert change.changed_at == registration.status_changed_at
    assert [message.to for message in mail.outbox] == [[registration.email]]


@pytest.mark.parametrize(
    ("source", "target"), [pair for pair in ALL_PAIRS if pair not in ALLOWED]
)
def test_every_other_transition_is_refused_with_the_reason(source, target, reviewer):
    registration = RegistrationFactory(status=source)
    with pytest.raises(services.RegistrationError) as refused:
        decide(registration, target, reviewer)
    assert refused.value.code == "illegal_transition"
    assert Status(source).label.lower() in str(refused.value)
    registration.refresh_from_db()
    assert registration.status == source
    assert not registration.changes.exists()


def test_a_decision_records_the_reviewer_on_the_registration(reviewer):
    registration = RegistrationFactory()
    services.registration_reject(
        registration=registration, by=reviewer, note="Not a delegate"
    )
    registration.refresh_from_db()
    assert registration.reviewed_by == reviewer
    assert registration.reviewed_at is not None
    assert registration.review_note == "Not a delegate"


def test_the_history_keeps_every_step_in_order(reviewer):
    registration = RegistrationFactory()
    services.registration_waitlist(registration=registration, by=reviewer)
    services.registration_approve(registration=registration, by=reviewer)
    services.registration_cancel(registration=registration)
    steps = [(c.from_status, c.to_status, c.actor) for c in registration.changes.all()]
    assert steps == [
        (Status.PENDING, Status.WAITLISTED, Actor.STAFF),
        (Status.WAITLISTED, Status.APPROVED, Actor.STAFF),
        (Status.APPROVED, Status.CANCELLED, Actor.DELEGATE),
    ]


# Capacity


def test_approval_is_refused_when_the_event_is_full(reviewer):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event, status=Status.APPROVED)
    registration = RegistrationFactory(event=event)
    with pytest.raises(services.RegistrationError, match="event is full") as refused:
        services.registration_approve(registration=registration, by=reviewer)
    assert refused.value.code == "event_full"
    registration.refresh_from_db()
    assert registration.status == Status.PENDING


def test_approval_is_refused_when_a_chosen_session_is_full_naming_it(reviewer):
    event = EventFactory()
    full = SessionFactory(event=event, capacity=1, title="Legal framework")
    free = SessionFactory(event=event, capacity=None)
    RegistrationFactory(event=event, status=Status.APPROVED, sessions=[full])
    registration = RegistrationFactory(event=event, sessions=[free, full])
    with pytest.raises(services.RegistrationError, match="Legal framework"):
        services.registration_approve(registration=registration, by=reviewer)


def test_a_full_event_can_send_the_registration_to_the_waiting_list(
    reviewer, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event, status=Status.APPROVED)
    registration = RegistrationFactory(event=event)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_approve(
            registration=registration, by=reviewer, waitlist_if_full=True
        )
    registration.refresh_from_db()
    assert registration.status == Status.WAITLISTED
    assert "event is full" in registration.review_note
    assert "Waiting list" in mail.outbox[0].subject


def test_a_waitlisted_registration_stays_put_when_still_no_seat(reviewer):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event, status=Status.APPROVED)
    registration = RegistrationFactory(event=event, status=Status.WAITLISTED)
    with pytest.raises(services.RegistrationError, match="event is full"):
        services.registration_approve(
            registration=registration, by=reviewer, waitlist_if_full=True
        )


def test_a_cancelled_approval_frees_the_seat(reviewer):
    # The reviewers give freed seats themselves (tests/test_waitlist.py has
    # the waiting list that moves by itself).
    event = EventFactory(capacity=1, waitlist_promotion=False)
    seated = RegistrationFactory(event=event, status=Status.APPROVED)
    waiting = RegistrationFactory(event=event, status=Status.WAITLISTED)
    services.registration_cancel(registration=seated)
    services.registration_approve(registration=waiting, by=reviewer)
    waiting.refresh_from_db()
    assert waiting.status == Status.APPROVED


def test_capacity_counts_only_approved_registrations(reviewer):
    event = EventFactory(capacity=1)
    for status in (
        Status.PENDING,
        Status.WAITLISTED,
        Status.REJECTED,
        Status.CANCELLED,
    ):
        RegistrationFactory(event=event, status=status)
    registration = RegistrationFactory(event=event)
    services.registration_approve(registration=registration, by=reviewer)
    assert selectors.seats_taken(event) == 1


def test_waiting_list_positions_go_oldest_first():
    event = EventFactory()
    start = timezone.now()
    queue = [
        RegistrationFactory(
            event=event,
            status=Status.WAITLISTED,
            status_changed_at=start + datetime.timedelta(minutes=minutes),
        )
        for minutes in (30, 10, 20)
    ]
    assert [selectors.waitlist_position(r) for r in queue] == [3, 1, 2]
    places = selectors.waitlist_positions(Registration.objects.all())
    assert [places[r.pk] for r in queue] == [3, 1, 2]
    assert selectors.waitlist_position(RegistrationFactory(event=event)) is None


def test_waiting_list_places_of_a_stretch_count_everyone_ahead_of_it():
    # Two events' lists at once, each asked from the middle, with ties at the
    # earliest time asked: ties go by id, and those ahead are counted.
    start = timezone.now()
    places = {}
    for event in (EventFactory(), EventFactory()):
        queue = [
            RegistrationFactory(
                event=event,
                status=Status.WAITLISTED,
                status_changed_at=start + datetime.timedelta(minutes=minutes),
            )
            for minutes in (0, 5, 10, 10, 10, 20, 30, 40)
        ]
        places[event.pk] = {r.pk: place for place, r in enumerate(queue, 1)}
        RegistrationFactory(event=event, status=Status.PENDING)
    asked = [
        r
        for r in Registration.objects.order_by("-pk")
        if places.get(r.event_id, {}).get(r.pk) in (4, 5, 7)
        or r.status != Status.WAITLISTED
    ]
    expected = {
        r.pk: places[r.event_id][r.pk] for r in asked if r.status == Status.WAITLISTED
    }
    assert len(expected) == 6
    with CaptureQueriesContext(connection) as queries:
        assert selectors.waitlist_positions(asked) == expected
    assert len(queries) == 1


def test_bulk_review_takes_the_oldest_first_and_reports_refusals(reviewer):
    event = EventFactory(capacity=2)
    start = timezone.now()
    registrations = [
        RegistrationFactory(
            event=event, status_changed_at=start + datetime.timedelta(minutes=n)
        )
        for n in (3, 1, 2)
    ]
    outcome = services.registrations_review(
        registrations=registrations, decision=Status.APPROVED, by=reviewer
    )
    assert [r.pk for r in outcome.changed] == [registrations[1].pk, registrations[2].pk]
    [(refused, reason)] = outcome.refused
    assert refused.pk == registrations[0].pk and "event is full" in reason


# Staff corrections


def test_staff_corrections_are_recorded_with_the_fields_changed(reviewer):
    session = SessionFactory()
    registration = RegistrationFactory(event=session.event, position="Counsellor")
    changed = services.registration_correct(
        registration=registration,
        by=reviewer,
        sessions=[session],
        position="Minister-Counsellor",
    )
    assert changed == ["position", "sessions"]
    change = registration.changes.get()
    assert change.changed_by == reviewer and change.fields == changed


def test_an_approved_delegate_cannot_be_moved_into_a_full_session(reviewer):
    event = EventFactory()
    full = SessionFactory(event=event, capacity=1, title="Small room")
    RegistrationFactory(event=event, status=Status.APPROVED, sessions=[full])
    registration = RegistrationFactory(event=event, status=Status.APPROVED)
    with pytest.raises(services.RegistrationError, match="Small room"):
        services.check_seats_for_sessions(registration=registration, sessions=[full])
    with pytest.raises(services.RegistrationError, match="Small room"):
        services.registration_correct(
            registration=registration, by=reviewer, sessions=[full]
        )
    assert not registration.sessions.exists()


# Emails


def test_the_approval_email_has_the_practical_details_and_the_sessions(
    reviewer, django_capture_on_commit_callbacks
):
    event = EventFactory(venue="Hotel New Otani, Tokyo")
    session = SessionFactory(event=event, title="Protecting women and children")
    registration = RegistrationFactory(event=event, sessions=[session])
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_approve(registration=registration, by=reviewer)
    [message] = mail.outbox
    assert message.subject.startswith("Registration approved")
    assert "Hotel New Otani, Tokyo" in message.body
    assert "Japan Standard Time" in message.body
    assert "Protecting women and children" in message.body
    assert "photo identification" in message.body
    assert registration.private_path() in message.body
    assert message.alternatives[0][1] == "text/html"


def test_the_rejection_email_carries_the_reviewers_note(
    reviewer, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_reject(
            registration=registration,
            by=reviewer,
            note="Attendance is limited to invited organisations.",
        )
    [message] = mail.outbox
    assert "Attendance is limited to invited organisations." in message.body
    assert "unable to confirm" in message.body


def test_the_waiting_list_email_gives_the_position(
    reviewer, django_capture_on_commit_callbacks
):
    event = EventFactory()
    RegistrationFactory(event=event, status=Status.WAITLISTED)
    registration = RegistrationFactory(event=event)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_waitlist(registration=registration, by=reviewer)
    [message] = mail.outbox
    assert "Your position on the waiting list: 2." in message.body


def test_no_email_leaves_before_the_decision_commits(reviewer):
    registration = RegistrationFactory()
    # The test's transaction never commits, so on_commit callbacks never run.
    services.registration_approve(registration=registration, by=reviewer)
    assert mail.outbox == []


def test_a_failed_email_is_logged_and_does_not_undo_the_decision(
    reviewer, django_capture_on_commit_callbacks, caplog
):
    registration = RegistrationFactory()
    with (
        mock.patch(
            "django.core.mail.EmailMultiAlternatives.send",
            side_effect=smtplib.SMTPServerDisconnected("connection lost"),
        ),
        caplog.at_level(logging.WARNING),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.registration_approve(registration=registration, by=reviewer)
    registration.refresh_from_db()
    assert registration.status == Status.APPROVED
    assert f"Registration {registration.pk}: approved email not sent" in caplog.text
    assert "SMTPServerDisconnected: connection lost" in caplog.text


def test_bulk_approval_serves_the_waiting_list_before_newer_and_older_pending(
    reviewer,
):
    event = EventFactory(capacity=1)
    start = timezone.now()
    pending = RegistrationFactory(event=event, status_changed_at=start)
    waiting = RegistrationFactory(
        event=event,
        status=Status.WAITLISTED,
        status_changed_at=start + datetime.timedelta(hours=1),
    )
    outcome = services.registrations_review(
        registrations=[pending, waiting], decision=Status.APPROVED, by=reviewer
    )
    assert [r.pk for r in outcome.changed] == [waiting.pk]


def test_the_automatic_waiting_list_note_is_in_the_delegates_language(reviewer):
    from django.utils import translation

    event = EventFactory(capacity=1)
    RegistrationFactory(event=event, status=Status.APPROVED)
    japanese = RegistrationFactory(event=event, language="ja")
    with translation.override("en"):
        services.registration_approve(
            registration=japanese, by=reviewer, waitlist_if_full=True
        )
    japanese.refresh_from_db()
    assert japanese.status == Status.WAITLISTED
    assert japanese.review_note == "イベントは満席です（定員1席）。"
