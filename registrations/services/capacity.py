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


class BatchSeats:
    """The seats of one locked event, counted once for a batch of approvals.

    The caller holds the event's lock for the whole transaction, so the
    counts cannot change under it but by the batch's own approvals, which
    ``approved`` takes off. The limited sessions the batch's delegates chose
    are locked here, in primary-key order, as ``refuse_if_sessions_full``
    locks them. A delegation's member is checked against the database as a
    single approval is (its quota and held places), after which the counts
    are read again.
    """

    def __init__(self, event: Event, registrations: Sequence[Registration]):
        self.event = event
        chosen = {
            choice.session_id
            for registration in registrations
            for choice in registration.session_choices.all()
        }
        list(
            Session.objects.select_for_update()
            .filter(pk__in=chosen, capacity__isnull=False)
            .order_by("pk")
        )
        self.limited = chosen
        self.count()

    def count(self) -> None:
        self.taken = selectors.seats_taken(self.event)
        self.held = selectors.seats_held(self.event)
        counted = Session.objects.filter(
            pk__in=self.limited, capacity__isnull=False
        ).with_approved_count()
        # In the sessions' own order, as ``full_sessions_among`` reads them.
        self.sessions = {session.pk: session for session in counted}
        self.stale = False

    def refuse_if_full(self, registration: Registration) -> None:
        """Raise as ``refuse_if_full`` would if approving ``registration`` overfills."""
        if registration.delegation_id is not None:
            refuse_if_full(registration)
            self.stale = True
            return
        if self.stale:
            self.count()
        refuse_if_hall_cannot_hold(self.event, taken=self.taken + 1, held=self.held)
        chosen = {choice.session_id for choice in registration.session_choices.all()}
        for session in self.sessions.values():
            if session.pk in chosen and session.approved_count >= session.capacity:
                raise errors.session_full(session)

    def approved(self, registration: Registration) -> None:
        """Count the seats of ``registration``, just approved, as taken."""
        self.taken += 1
        for choice in registration.session_choices.all():
            session = self.sessions.get(choice.session_id)
            if session is not None:
                session.approved_count += 1
