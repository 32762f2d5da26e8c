"""Several reviewers approving at the same moment never overbook a session."""

import threading
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.db import close_old_connections, connection

from registrations import services
from registrations.models import OutgoingEmail, Registration
from tests.factories import EventFactory, RegistrationFactory, SessionFactory
from tests.marks import needs_postgresql_locks

Status = Registration.Status
ROUNDS = 20
REVIEWERS = 8
PENDING = 40
SEATS = 10

pytestmark = [
    pytest.mark.django_db(transaction=True),
    needs_postgresql_locks,
]


def approve_concurrently(registration_ids, reviewer, *, waitlist_if_full):
    """Approve every registration from REVIEWERS threads, each with its own connection.

    Return how each attempt ended: the status reached, or the refusal's code.
    """
    queue = list(registration_ids)
    queue_lock = threading.Lock()
    start = threading.Barrier(REVIEWERS)
    outcomes = Counter()

    def review():
        start.wait()
        try:
            while True:
                with queue_lock:
                    if not queue:
                        return
                    registration_id = queue.pop()
                registration = Registration.objects.get(pk=registration_id)
                try:
                    result = services.registration_approve(
                        registration=registration,
                        by=reviewer,
                        waitlist_if_full=waitlist_if_full,
                    )
                except services.RegistrationError as refused:
                    outcome = refused.code
                else:
                    outcome = result.status
                with queue_lock:
                    outcomes[outcome] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=review) for _ in range(REVIEWERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()
    return outcomes


def test_concurrent_approvals_never_exceed_a_session_capacity():
    reviewer = get_user_model().objects.create_user("reviewer")
    event = EventFactory(capacity=1000)
    session = SessionFactory(event=event, capacity=SEATS)
    registrations = [
        RegistrationFactory(event=event, sessions=[session]) for _ in range(PENDING)
    ]
    ids = [registration.pk for registration in registrations]

    for round_number in range(ROUNDS):
        Registration.objects.filter(pk__in=ids).update(status=Status.PENDING)
        waitlist_if_full = round_number % 2 == 1
        outcomes = approve_concurrently(
            ids, reviewer, waitlist_if_full=waitlist_if_full
        )

        statuses = Counter(
            Registration.objects.filter(pk__in=ids).values_list("status", flat=True)
        )
        assert statuses[Status.APPROVED] == SEATS, (round_number, statuses)
        assert outcomes[Status.APPROVED] == SEATS
        if waitlist_if_full:
            assert statuses[Status.WAITLISTED] == PENDING - SEATS
            assert outcomes[Status.WAITLISTED] == PENDING - SEATS
        else:
            assert statuses[Status.PENDING] == PENDING - SEATS
            assert outcomes["session_full"] == PENDING - SEATS
        assert sum(outcomes.values()) == PENDING


def test_concurrent_approvals_never_exceed_the_event_capacity():
    reviewer = get_user_model().objects.create_user("reviewer")
    event = EventFactory(capacity=SEATS)
    ids = [RegistrationFactory(event=event).pk for _ in range(PENDING)]
    for _ in range(3):
        Registration.objects.filter(pk__in=ids).update(status=Status.PENDING)
        outcomes = approve_concurrently(ids, reviewer, waitlist_if_full=False)
        assert Registration.objects.filter(status=Status.APPROVED).count() == SEATS
        assert outcomes["event_full"] == PENDING - SEATS


def review_in_bulk_concurrently(groups, reviewer) -> int:
    """Approve each group of ids in one review, all from threads at once.

    Return how many the reviews approved in all.
    """
    start = threading.Barrier(len(groups))
    changed = Counter()

    def review(number):
        start.wait()
        try:
            outcome = services.registrations_review(
                registrations=Registration.objects.filter(pk__in=groups[number]),
                decision=Status.APPROVED,
                by=reviewer,
            )
            changed[number] = len(outcome.changed)
        finally:
            connection.close()

    threads = [threading.Thread(target=review, args=(n,)) for n in range(len(groups))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()
    return sum(changed.values())


def test_reviewers_approving_in_bulk_at_once_never_exceed_a_capacity():
    # Eight reviewers each approve their own five of forty pending
    # registrations at the same moment: only the event's lock, which each
    # batch holds while it counts, keeps them from filling the same seats.
    reviewer = get_user_model().objects.create_user("reviewer")
    hall, workshop_seats = SEATS + 5, 4
    event = EventFactory(capacity=hall)
    workshop = SessionFactory(event=event, capacity=workshop_seats)
    ids = [
        RegistrationFactory(event=event, sessions=[workshop] if n % 2 else []).pk
        for n in range(PENDING)
    ]
    groups = [ids[n::REVIEWERS] for n in range(REVIEWERS)]
    for _ in range(3):
        Registration.objects.filter(pk__in=ids).update(status=Status.PENDING)
        changed = review_in_bulk_concurrently(groups, reviewer)

        approved = Registration.objects.filter(pk__in=ids, status=Status.APPROVED)
        assert approved.count() == hall == changed
        assert approved.filter(sessions=workshop).count() <= workshop_seats


def test_twenty_lookalike_submissions_at_once_leave_one_registration_and_one_email(
    settings,
):
    from django.core import mail
    from django.test import Client

    from tests.factories import OrganisationFactory
    from tests.test_registration_views import LOOKALIKES, form_data, register_url

    settings.REGISTRATION_RATE_LIMIT = "1000/h"
    event = EventFactory()
    organisation = OrganisationFactory()
    addresses = [LOOKALIKES[n % len(LOOKALIKES)] for n in range(20)]
    start = threading.Barrier(len(addresses))
    statuses = []

    def submit(email):
        data = form_data(
            event, email=email, email_confirmation=email, organisation=organisation
        )
        start.wait()
        try:
            statuses.append(Client().post(register_url(event), data).status_code)
        finally:
            connection.close()

    mail.outbox = []
    threads = [threading.Thread(target=submit, args=(a,)) for a in addresses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()

    assert set(statuses) <= {302, 429}, statuses
    assert Registration.objects.count() == 1
    assert len(mail.outbox) == 1


def test_eight_cancellations_at_once_promote_exactly_eight_in_order():
    """Each freed seat goes to one delegate on the waiting list, never two."""
    event = EventFactory(capacity=8)
    seated = [
        RegistrationFactory(event=event, status=Status.APPROVED) for _ in range(8)
    ]
    waiting = []
    for _ in range(12):
        waiting.append(RegistrationFactory(event=event, status=Status.WAITLISTED))
    start = threading.Barrier(len(seated))
    refusals = []

    def cancel(registration_id):
        start.wait()
        try:
            services.registration_cancel(
                registration=Registration.objects.get(pk=registration_id)
            )
        except Exception as error:  # noqa: BLE001 - reported by the assertion
            refusals.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=cancel, args=(registration.pk,))
        for registration in seated
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()

    assert refusals == []
    approved = list(
        Registration.objects.filter(event=event, status=Status.APPROVED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert approved == [registration.pk for registration in waiting[:8]]
    assert Registration.objects.filter(status=Status.WAITLISTED).count() == 4
    assert OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.PROMOTED).count() == 8
