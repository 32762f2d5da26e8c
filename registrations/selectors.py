"""Reads that several places need, each defined once.

Views, the admin, emails, documents and the services ask these functions
rather than writing their own query for the same question: how many seats are
taken, where a delegate stands on the waiting list, who may review or export.
Nothing here changes data.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import Count, F, Prefetch, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from registrations.models import (
    Event,
    Organisation,
    Registration,
    Session,
    SessionSpeaker,
)

Status = Registration.Status

REVIEW_PERMISSION = "registrations.review_registration"
EXPORT_PERMISSION = "registrations.export_registration"


# Who may


def can_review(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Return whether ``user`` may approve, reject and waitlist registrations."""
    return user.has_perm(REVIEW_PERMISSION)


def can_export(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Return whether ``user`` may take attendee lists out of the system."""
    return user.has_perm(EXPORT_PERMISSION)


# Seats


def seats_taken(event: Event) -> int:
    """Return the seats in the hall that approved delegates hold."""
    return event.registrations.approved().count()


def full_sessions_among(sessions: Iterable[Session]) -> list[Session]:
    """Return the sessions among ``sessions`` whose approved seats are all taken."""
    limited = [session.pk for session in sessions if session.capacity is not None]
    if not limited:
        return []
    counted = Session.objects.filter(pk__in=limited).with_approved_count()
    return [s for s in counted if s.approved_count >= s.capacity]


def full_sessions_added(
    *, registration: Registration, sessions: Iterable[Session]
) -> list[Session]:
    """Return the full sessions an approved registration would newly hold a seat in."""
    if registration.status != Status.APPROVED:
        return []
    current = set(registration.sessions.values_list("pk", flat=True))
    return full_sessions_among(s for s in sessions if s.pk not in current)


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


def status_counts(queryset) -> dict[str, int]:
    """Return how many registrations of ``queryset`` are in each status."""
    counts = dict(queryset.order_by().values_list("status").annotate(total=Count("pk")))
    return {status: counts.get(status, 0) for status in Status.values}


def waitlist_positions(registrations: Iterable[Registration]) -> dict[int, int]:
    """Return the waiting-list place (1 is next) of each waitlisted registration.

    One query whatever the number asked for: the waiting lists of their events
    are numbered, oldest first, and only the places asked for are read back.
    """
    waiting = [r for r in registrations if r.status == Status.WAITLISTED]
    if not waiting:
        return {}
    numbered = (
        Registration.objects.filter(
            status=Status.WAITLISTED, event_id__in={r.event_id for r in waiting}
        )
        .annotate(
            numbered_id=F("pk"),
            place=Window(
                RowNumber(),
                partition_by=[F("event_id")],
                order_by=[F("status_changed_at").asc(), F("pk").asc()],
            ),
        )
        .values_list("numbered_id", "place")
        .order_by()
    )
    # The window must see the whole waiting list, so the registrations asked
    # for are picked out around it rather than inside it.
    sql, params = numbered.query.sql_with_params()
    wanted = [registration.pk for registration in waiting]
    marks = ", ".join(["%s"] * len(wanted))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT numbered_id, place FROM ({sql}) numbered "
            f"WHERE numbered_id IN ({marks})",
            [*params, *wanted],
        )
        return dict(cursor.fetchall())


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
