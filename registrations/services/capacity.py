"""Seats: lock, then count, then write, all in the caller's transaction.

Capacity is guarded by locking before counting: the approving transaction
locks the event row (and the session rows it counts against) with
``SELECT ... FOR UPDATE`` on PostgreSQL, so two reviewers approving at the same
moment are serialised. SQLite has no row locks; there every transaction starts
with ``BEGIN IMMEDIATE`` (see ``symposium.env.database_config``), which takes
the database's write lock before the count.
"""

from collections.abc import Sequence

from registrations import errors, selectors
from registrations.models import Delegation, Event, Registration, Session


def lock_registration(registration: Registration) -> Registration:
    """Return the registration re-read under a row lock, for a change to it."""
    return Registration.objects.select_for_update().get(pk=registration.pk)


def lock_event(event_id: int) -> Event:
    """Return the event under a row lock: its seats are counted next."""
    return Event.objects.select_for_update().get(pk=event_id)


def lock_delegation(delegation_id: int) -> Delegation:
    """Return the delegation under a row lock: its members are counted next.

    Every change that counts a delegation's members takes this lock first
    (after the registration's own lock, and after the event's for an
    approval), so that two focal-point tabs, or a tab and a reviewer, are
    served one after the other.
    """
    return Delegation.objects.select_for_update().get(pk=delegation_id)


def refuse_if_quota_reached(delegation: Delegation, *, adding: int = 1) -> None:
    """Raise if ``adding`` nominations would exceed the locked delegation's quota."""
    nominated = delegation.members.nominated().count()
    if nominated + adding > delegation.seat_quota:
        raise errors.delegation_full(delegation)


def refuse_if_hall_cannot_hold(event: Event, *, taken: int, held: int) -> None:
    """Raise if ``taken`` seats plus ``held`` ones would not fit in the locked hall."""
    if taken + held <= event.capacity:
        return
    if held and taken < event.capacity:
        raise errors.seats_held_for_delegations(event, held=held)
    raise errors.event_full(event)


def refuse_if_sessions_full(sessions: Sequence[Session]) -> None:
    """Lock ``sessions`` and raise if one of them has no seat left.

    Rows are locked in primary-key order, so that two transactions never wait
    for each other in a cycle.
    """
    locked = list(
        Session.objects.select_for_update()
        .filter(pk__in=[session.pk for session in sessions])
        .order_by("pk")
    )
    for session in selectors.full_sessions_among(locked):
        raise errors.session_full(session)


def refuse_if_full(registration: Registration) -> None:
    """Raise if approving ``registration`` would exceed a capacity.

    The caller holds the transaction and the registration's row lock; this
    locks the event row, then the chosen sessions' rows, before counting.
    """
    event = lock_event(registration.event_id)
    taken_after = selectors.seats_taken(event) + 1
    if registration.delegation_id is None:
        held = selectors.seats_held(event)
    else:
        delegation = lock_delegation(registration.delegation_id)
        approved = delegation.members.attending().count()
        if approved >= delegation.seat_quota:
            raise errors.delegation_full(delegation)
        # The seat comes out of the delegation's own held places.
        held = selectors.seats_held(event, exclude=delegation)
        if (
            event.hold_delegation_seats
            and delegation.state != Delegation.State.DECLINED
        ):
            held += delegation.seat_quota - approved - 1
    refuse_if_hall_cannot_hold(event, taken=taken_after, held=held)
    refuse_if_sessions_full(list(registration.sessions.all()))


def check_seats_for_sessions(
    *, registration: Registration, sessions: Sequence[Session]
) -> None:
    """Raise if an approved registration would join a session that is full.

    A quick check for forms; ``registration_correct`` repeats it under locks.
    """
    for session in selectors.full_sessions_added(
        registration=registration, sessions=sessions
    ):
        raise errors.session_full(session)
