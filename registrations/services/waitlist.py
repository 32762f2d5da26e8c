"""The waiting list moves: freed seats go to the first delegates who fit them.

A seat frees when an approved delegate cancels, or when staff raise the
capacity of the event or of a session. The delegates on the waiting list are
then approved in its order (``selectors.waiting_list``), each only if every
seat it needs is free, until the freed seats are taken: a delegate waiting for
a session that is still full is passed over for the next one, and nobody is
let in past a capacity. The approvals take the same locks as a reviewer's and
tell each delegate by email.

An event whose ``waitlist_promotion`` is off leaves this to the reviewers,
whom the admin shows the free seats and who is next in line.
"""

import logging
from collections.abc import Collection
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from registrations import emails, selectors
from registrations.models import Event, Registration, RegistrationChange, Session
from registrations.services.capacity import lock_event, lock_registration
from registrations.services.transitions import move

logger = logging.getLogger(__name__)

Status = Registration.Status
Actor = RegistrationChange.Actor


@dataclass
class FreedSeats:
    """Seats that have just become free: in the hall, and in limited sessions.

    ``sessions`` maps a session's id to the seats freed in it.
    """

    hall: int = 0
    sessions: dict[int, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.hall > 0 or any(seats > 0 for seats in self.sessions.values())

    def let_in(self, session_ids: Collection[int]) -> bool:
        """Return whether these seats are for a delegate who chose ``session_ids``."""
        return self.hall > 0 or any(self.sessions.get(pk, 0) > 0 for pk in session_ids)

    def use(self, session_ids: Collection[int]) -> None:
        """Count one delegate in: a seat in the hall and in each of their sessions."""
        self.hall = max(self.hall - 1, 0)
        for pk in session_ids:
            if pk in self.sessions:
                self.sessions[pk] = max(self.sessions[pk] - 1, 0)


def seats_freed_by(registration: Registration) -> FreedSeats:
    """Return the seats ``registration`` holds, which leaving would free."""
    if not registration.is_attending:
        return FreedSeats()
    limited = registration.sessions.filter(capacity__isnull=False)
    return FreedSeats(
        hall=1, sessions={pk: 1 for pk in limited.values_list("pk", flat=True)}
    )


def capacity_raised(
    *,
    event: Event,
    hall_before: int | None = None,
    sessions_before: dict[int, int | None] | None = None,
) -> FreedSeats:
    """Return the seats freed by new capacities, given the capacities before.

    ``hall_before`` is the event's capacity before the change (None: not
    changed); ``sessions_before`` maps a session's id to its capacity before
    (None: unlimited). A session that became unlimited frees a seat for
    everyone waiting.
    """
    freed = FreedSeats()
    if hall_before is not None:
        freed.hall = max(event.capacity - hall_before, 0)
    for session in Session.objects.filter(pk__in=list(sessions_before or {})):
        before = sessions_before[session.pk]
        if before is None:
            continue
        if session.capacity is None:
            freed.sessions[session.pk] = event.registrations.count()
        elif session.capacity > before:
            freed.sessions[session.pk] = session.capacity - before
    return freed


def waitlist_promote(*, event: Event, freed: FreedSeats) -> list[Registration]:
    """Approve, in waiting-list order, the delegates whom ``freed`` lets in.

    The event row is locked first, then its limited sessions, then each
    delegate approved, as any approval locks them; the seats are counted under
    those locks. Return the registrations approved (none when the event's
    ``waitlist_promotion`` is off). Each delegate is emailed the news.
    """
    with transaction.atomic():
        locked_event = lock_event(event.pk)
        if not locked_event.waitlist_promotion or not freed:
            return []
        list(
            Session.objects.select_for_update()
            .filter(event=locked_event, capacity__isnull=False)
            .order_by("pk")
        )
        left = selectors.seats_left(locked_event)
        with translation.override(settings.LANGUAGE_CODE):
            note = gettext("A seat became free: approved in waiting-list order.")
        promoted = []
        for candidate in selectors.waiting_list(locked_event):
            if not freed or left.hall == 0:
                break
            session_ids = selectors.chosen_session_ids(candidate)
            if not (freed.let_in(session_ids) and left.fits(session_ids)):
                continue
            locked = lock_registration(candidate)
            if locked.status != Status.WAITLISTED:
                continue  # decided by a reviewer a moment ago
            move(
                locked,
                Status.APPROVED,
                actor=Actor.SYSTEM,
                by=None,
                note=note,
                email=emails.PROMOTED,
            )
            left.take(session_ids)
            freed.use(session_ids)
            promoted.append(locked)
    if promoted:
        logger.info(
            "Event %s: %s registration(s) approved from the waiting list: %s",
            event.pk,
            len(promoted),
            ", ".join(str(registration.pk) for registration in promoted),
        )
    return promoted


def waitlist_fill_raised_capacity(
    *,
    event: Event,
    hall_before: int | None = None,
    sessions_before: dict[int, int | None] | None = None,
) -> list[Registration]:
    """Offer the seats that raised capacities freed to the waiting list.

    Staff call it, through the admin, after saving new capacities of the
    event (``hall_before``: its capacity before) or of its sessions
    (``sessions_before``: their capacities before).
    """
    with transaction.atomic():
        event.refresh_from_db()
        freed = capacity_raised(
            event=event, hall_before=hall_before, sessions_before=sessions_before
        )
        return waitlist_promote(event=event, freed=freed)
