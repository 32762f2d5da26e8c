"""Focal-point tabs nominating at the same moment never exceed the quota."""

import threading
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.db import close_old_connections, connection

from registrations import services
from registrations.models import Registration
from tests.factories import EventFactory, OrganisationFactory
from tests.marks import needs_postgresql_locks

ROUNDS = 20
TABS = 8
QUOTA = 5

pytestmark = [
    pytest.mark.django_db(transaction=True),
    needs_postgresql_locks,
]


def new_delegation(event, reviewer):
    return services.delegation_create(
        event=event,
        invite=services.DelegationInvite(
            organisation=OrganisationFactory(),
            seat_quota=QUOTA,
            focal_point_name="Focal Point",
            focal_point_email="focal@example.org",
        ),
        by=reviewer,
        send=False,
    )


def nominate_concurrently(delegation, round_number):
    """Nominate TABS members at once, each from its own connection."""
    start = threading.Barrier(TABS)
    outcomes = Counter()
    lock = threading.Lock()

    def tab(n):
        start.wait()
        try:
            services.member_nominate(
                delegation=delegation,
                email=f"r{round_number}-m{n}@example.org",
                language="en",
                given_name="Ana",
                family_name="Reyes",
                position="Director",
                country="PH",
                delegation_role="member",
                honorific="",
                protocol_rank="",
                protocol_order=0,
            )
            outcome = "nominated"
        except services.RegistrationError as refused:
            outcome = refused.code
        finally:
            connection.close()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=tab, args=(n,)) for n in range(TABS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()
    return outcomes


def test_eight_tabs_nominating_at_once_never_exceed_the_quota():
    reviewer = get_user_model().objects.create_user("reviewer")
    delegation = new_delegation(EventFactory(capacity=1000), reviewer)
    for round_number in range(ROUNDS):
        delegation.members.nominated().update(status=Registration.Status.CANCELLED)
        outcomes = nominate_concurrently(delegation, round_number)
        nominated = delegation.members.nominated().count()
        assert nominated == QUOTA, (round_number, outcomes)
        assert outcomes == {"nominated": QUOTA, "delegation_full": TABS - QUOTA}


def test_approvals_at_once_never_give_a_delegation_more_seats_than_its_quota():
    reviewer = get_user_model().objects.create_user("reviewer")
    event = EventFactory(capacity=1000)
    delegation = new_delegation(event, reviewer)
    # More members than the quota, as only a row made by hand could give.
    members = [
        Registration.objects.create(
            event=event,
            delegation=delegation,
            delegation_role="member",
            given_name="Ana",
            family_name="Reyes",
            email=f"m{n}@example.org",
            organisation=delegation.organisation,
            position="Director",
            country="PH",
            category="ngo",
        )
        for n in range(TABS)
    ]
    start = threading.Barrier(TABS)
    results = Counter()
    lock = threading.Lock()

    def approve(member):
        start.wait()
        try:
            services.registration_approve(registration=member, by=reviewer)
            outcome = "approved"
        except services.RegistrationError as refused:
            outcome = refused.code
        finally:
            connection.close()
        with lock:
            results[outcome] += 1

    threads = [threading.Thread(target=approve, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()
    assert delegation.members.attending().count() == QUOTA
    assert results == {"approved": QUOTA, "delegation_full": TABS - QUOTA}
