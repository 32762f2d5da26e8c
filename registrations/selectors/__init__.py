"""Reads that several places need, each defined once.

Views, the admin, emails, documents and the services ask these functions
rather than writing their own query for the same question: how many seats are
taken, where a delegate stands on the waiting list, who may review or export.
Nothing here changes data. The reads about delegations and about badges
have modules of their own (``delegations``, ``badges``), and so have the
reviewers' list's (``review``); import them all from here. The door's reads
are in ``selectors.checkins``.
"""

import datetime
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import (
    Prefetch,
    QuerySet,
)
from django.utils import timezone

from registrations.models import (
    Delegation,
    Event,
    Organisation,
    Registration,
    Session,
    SessionSpeaker,
)
from registrations.selectors.badges import (
    CHANGE_PHOTO_PERMISSION,
    PRINT_BADGES_PERMISSION,
    VIEW_PHOTO_PERMISSION,
    BadgeLookup,
    badge_lookup,
    badge_lookup_by_hash,
    can_change_photos,
    can_print_badges,
    can_view_photos,
    current_badge,
)
from registrations.selectors.delegations import (
    ROLE_ORDER,
    delegation_for_portal,
    delegation_head,
    delegation_members,
    with_member_counts,
)
from registrations.selectors.review import (
    REGISTRATION_SEARCH_FIELDS,
    SHORT_LIST,
    registration_countries,
    registrations_for_review,
    registrations_searched,
    status_counts,
    submission_bounds,
    submission_dates,
    waitlist_positions,
    with_registrations,
)

Status = Registration.Status

REVIEW_PERMISSION = "registrations.review_registration"
EXPORT_PERMISSION = "registrations.export_registration"
DELEGATION_PERMISSION = "registrations.review_delegation"
NOTE_VERBALE_PERMISSION = "registrations.view_note_verbale"


# Who may


def can_review(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Return whether ``user`` may approve, reject and waitlist registrations."""
    return user.has_perm(REVIEW_PERMISSION)


def can_export(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Return whether ``user`` may take attendee lists out of the system."""
    return user.has_perm(EXPORT_PERMISSION)


def can_manage_delegations(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Return whether ``user`` may invite, remind and confirm delegations."""
    return user.has_perm(DELEGATION_PERMISSION)


def can_read_notes_verbales(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Return whether ``user`` may open the notes verbales delegations sent."""
    return user.has_perm(NOTE_VERBALE_PERMISSION)


# Seats


def seats_taken(event: Event) -> int:
    """Return the seats in the hall that approved delegates hold."""
    return event.registrations.attending().count()


def seats_held(event: Event, *, exclude: Delegation | None = None) -> int:
    """Return the seats kept for delegations: their quotas' places not yet approved.

    Nothing is held unless the event holds its delegations' seats; a declined
    delegation holds none. ``exclude`` leaves one delegation out of the sum.
    """
    if not event.hold_delegation_seats:
        return 0
    delegations = with_member_counts(event.delegations.active())
    if exclude is not None:
        delegations = delegations.exclude(pk=exclude.pk)
    return sum(
        max(quota - approved, 0)
        for quota, approved in delegations.values_list("seat_quota", "approved_count")
    )


def full_sessions_among(sessions: Iterable[Session]) -> list[Session]:
    """Return the sessions among ``sessions`` whose approved seats are all taken.

    Sessions that carry their seats taken (``with_approved_count``) are judged
    by that count; the others are counted now.
    """
    sessions = list(sessions)
    if all(hasattr(session, "approved_count") for session in sessions):
        return [session for session in sessions if session.is_full]
    limited = [session.pk for session in sessions if session.capacity is not None]
    if not limited:
        return []
    counted = Session.objects.filter(pk__in=limited).with_approved_count()
    return [s for s in counted if s.approved_count >= s.capacity]


def full_sessions_added(
    *, registration: Registration, sessions: Iterable[Session]
) -> list[Session]:
    """Return the full sessions an approved registration would newly hold a seat in."""
    if not registration.is_attending:
        return []
    current = set(registration.sessions.values_list("pk", flat=True))
    return full_sessions_among(s for s in sessions if s.pk not in current)


@dataclass
class SeatsLeft:
    """The seats free in the hall and in each limited session of one event."""

    hall: int
    # Limited sessions only, by id; the others have seats for everyone.
    sessions: dict[int, int]

    def fits(self, session_ids: Collection[int]) -> bool:
        """Return whether a delegate who chose ``session_ids`` has every seat."""
        return self.hall > 0 and all(self.sessions.get(pk, 1) > 0 for pk in session_ids)

    def take(self, session_ids: Collection[int]) -> None:
        """Count one more delegate who chose ``session_ids`` in."""
        self.hall -= 1
        for pk in session_ids:
            if pk in self.sessions:
                self.sessions[pk] -= 1


def seats_left(event: Event) -> SeatsLeft:
    """Return the free seats of the event and of its limited sessions."""
    limited = event.sessions.filter(capacity__isnull=False).with_approved_count()
    return SeatsLeft(
        hall=max(event.capacity - seats_taken(event), 0),
        sessions={s.pk: max(s.capacity - s.approved_count, 0) for s in limited},
    )


# The waiting list


def waiting_list(event: Event) -> QuerySet:
    """Return the event's waiting list in its order, with the sessions each chose.

    Oldest on it first, ties broken by id, as ``waitlist_positions`` counts.
    """
    return (
        event.registrations.filter(status=Status.WAITLISTED)
        .order_by("status_changed_at", "pk")
        .prefetch_related("session_choices")
    )


def chosen_session_ids(registration: Registration) -> list[int]:
    """Return the ids of the sessions chosen (prefetched by ``waiting_list``)."""
    return [choice.session_id for choice in registration.session_choices.all()]


def next_in_line(event: Event) -> tuple[int, list[Registration]]:
    """Return the free seats in the hall and who on the waiting list would fill them.

    The delegates, in waiting-list order, whose every seat is free; what the
    reviewers are shown when the event leaves the waiting list to them.
    """
    left = seats_left(event)
    free = left.hall
    chosen = []
    if free:
        for registration in waiting_list(event):
            session_ids = chosen_session_ids(registration)
            if left.fits(session_ids):
                left.take(session_ids)
                chosen.append(registration)
            if left.hall == 0:
                break
    return free, chosen


# Registrations


def live_registration(event: Event, email: str) -> Registration | None:
    """Return the event's registration holding ``email``, or None.

    The unique constraint allows one at most. Asked without an order, the
    query is answered from the constraint's index on PostgreSQL; ordered, it
    walks the registrations by date.
    """
    try:
        return Registration.objects.live().filter(event=event).with_email(email).get()
    except Registration.DoesNotExist:
        return None


def chosen_sessions(registration: Registration) -> QuerySet:
    """Return the sessions a delegate chose, in the programme's order."""
    return registration.sessions.order_by("starts_at")


def registration_history(registration: Registration) -> QuerySet:
    """Return the changes of ``registration``, oldest first, with who made them."""
    return registration.changes.select_related("changed_by")


def waitlist_position(registration: Registration) -> int | None:
    """Return the registration's place on the waiting list (1 is next), or None."""
    return waitlist_positions([registration]).get(registration.pk)


# The programme


def event_programme(event: Event) -> QuerySet:
    """Return the event's sessions with their seats taken and their speakers."""
    return (
        event.sessions.with_approved_count()
        .prefetch_related(
            Prefetch(
                "speaker_slots",
                queryset=SessionSpeaker.objects.select_related("speaker__organisation"),
            )
        )
        .order_by("starts_at", "title")
    )


def invited_organisations() -> QuerySet:
    """Return the organisations the host formally invited."""
    return Organisation.objects.filter(invited=True)


# Personal data


def retention_cutoff() -> datetime.datetime:
    """Return when an event must have ended for its registrations to be deleted."""
    retention = datetime.timedelta(days=settings.REGISTRATION_RETENTION_DAYS)
    return timezone.now() - retention


__all__ = [
    "BadgeLookup",
    "CHANGE_PHOTO_PERMISSION",
    "DELEGATION_PERMISSION",
    "EXPORT_PERMISSION",
    "NOTE_VERBALE_PERMISSION",
    "PRINT_BADGES_PERMISSION",
    "REGISTRATION_SEARCH_FIELDS",
    "SHORT_LIST",
    "REVIEW_PERMISSION",
    "ROLE_ORDER",
    "VIEW_PHOTO_PERMISSION",
    "badge_lookup",
    "badge_lookup_by_hash",
    "can_change_photos",
    "can_export",
    "can_manage_delegations",
    "can_print_badges",
    "can_read_notes_verbales",
    "can_review",
    "can_view_photos",
    "chosen_sessions",
    "current_badge",
    "delegation_for_portal",
    "delegation_head",
    "delegation_members",
    "event_programme",
    "full_sessions_added",
    "full_sessions_among",
    "invited_organisations",
    "live_registration",
    "registration_history",
    "registrations_for_review",
    "registration_countries",
    "submission_bounds",
    "submission_dates",
    "with_registrations",
    "registrations_searched",
    "retention_cutoff",
    "seats_held",
    "seats_taken",
    "status_counts",
    "waitlist_position",
    "waitlist_positions",
    "with_member_counts",
]
