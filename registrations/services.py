"""The rules of registration: every change of a registration goes through here.

Views, admin actions and management commands call these functions and turn a
``RegistrationError`` into a message for their user. Each function runs in one
transaction; the emails it causes are recorded in the outbox inside it
(``registrations.mail.outbox``) and leave only if it commits.

Capacity is guarded by locking before counting: the approving transaction
locks the event row (and the session rows it counts against) with
``SELECT ... FOR UPDATE`` on PostgreSQL, so two reviewers approving at the same
moment are serialised. SQLite has no row locks; there every transaction starts
with ``BEGIN IMMEDIATE`` (see ``symposium.env.database_config``), which takes
the database's write lock before the count.
"""

import datetime
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone, translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from registrations import caching, emails, validators
from registrations.mail import outbox
from registrations.models import (
    Event,
    Registration,
    RegistrationChange,
    Session,
    new_private_token,
)

logger = logging.getLogger(__name__)

Status = Registration.Status
Actor = RegistrationChange.Actor

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PENDING: frozenset(
        {
            Status.APPROVED,
            Status.REJECTED,
            Status.WAITLISTED,
            Status.CANCELLED,
        }
    ),
    Status.WAITLISTED: frozenset({Status.APPROVED, Status.REJECTED, Status.CANCELLED}),
    Status.APPROVED: frozenset({Status.CANCELLED}),
    Status.REJECTED: frozenset(),
    Status.CANCELLED: frozenset(),
}

DELEGATE_FIELDS = Registration.DELEGATE_FIELDS


class RegistrationError(Exception):
    """A rule refused the change; ``message`` says why in the active language.

    The text is put together only when it is read, so that the same refusal
    can be told to a reviewer in the admin's language and written into a
    delegate's email in theirs.
    """

    def __init__(self, message, *, code: str, params: dict | None = None):
        super().__init__(message)
        self.template = message
        self.params = params or {}
        self.code = code

    @property
    def message(self) -> str:
        if not self.params:
            return str(self.template)
        return str(self.template) % {k: str(v) for k, v in self.params.items()}

    def __str__(self):
        return self.message


def _lower_label(choice) -> Promise:
    """Return a choice's label in lower case, in the language active when read."""
    return lazy(lambda: str(choice.label).lower(), str)()


def _session_full(session: Session) -> RegistrationError:
    return RegistrationError(
        _("The session “%(session)s” is full: all %(capacity)s seats are taken."),
        code="session_full",
        params={
            "session": lazy(lambda: session.localized.title, str)(),
            "capacity": session.capacity,
        },
    )


@dataclass
class SubmitResult:
    """What ``registration_submit`` did: created a registration, or re-sent a link."""

    registration: Registration | None
    created: bool
    full_sessions: list[Session] = field(default_factory=list)


@dataclass
class ReviewOutcome:
    """The result of reviewing several registrations at once.

    ``not_reached``: those left as they were because the time limit ran out.
    """

    changed: list[Registration] = field(default_factory=list)
    refused: list[tuple[Registration, str]] = field(default_factory=list)
    not_reached: list[Registration] = field(default_factory=list)


def _check_input(event_id: int, details: dict, sessions: Sequence[Session]) -> None:
    """Refuse fields a delegate does not give, and sessions of another event."""
    unknown = set(details) - set(DELEGATE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown registration fields: {sorted(unknown)}")
    if any(session.event_id != event_id for session in sessions):
        raise RegistrationError(
            _("A chosen session is not part of this event."), code="foreign_session"
        )


def can_transition(*, registration: Registration, to_status: str) -> bool:
    """Return whether the workflow allows ``registration`` to reach ``to_status``."""
    return to_status in ALLOWED_TRANSITIONS[registration.status]


def delegate_can_edit(*, registration: Registration, at=None) -> bool:
    """Return whether the delegate may still correct their registration.

    Only while it is pending, and only until the event starts.
    """
    at = at or timezone.now()
    return registration.status == Status.PENDING and at < registration.event.starts_at


def delegate_can_cancel(*, registration: Registration, at=None) -> bool:
    """Return whether the delegate may cancel: any live status, until the event."""
    at = at or timezone.now()
    return (
        can_transition(registration=registration, to_status=Status.CANCELLED)
        and at < registration.event.starts_at
    )


def _check_transition(registration: Registration, to_status: str) -> None:
    if can_transition(registration=registration, to_status=to_status):
        return
    if registration.status == to_status:
        message = _("The registration is already %(status)s.")
    else:
        message = _("A registration that is %(status)s cannot become %(target)s.")
    raise RegistrationError(
        message,
        code="illegal_transition",
        params={
            "status": _lower_label(Status(registration.status)),
            "target": _lower_label(Status(to_status)),
        },
    )


def _record(
    registration: Registration,
    *,
    actor: str,
    by: AbstractBaseUser | None = None,
    from_status: str = "",
    to_status: str = "",
    fields: Sequence[str] = (),
    note: str = "",
    at=None,
) -> RegistrationChange:
    return RegistrationChange.objects.create(
        registration=registration,
        changed_at=at or timezone.now(),
        actor=actor,
        changed_by=by,
        from_status=from_status,
        to_status=to_status,
        fields=list(fields),
        note=note,
    )


def _move(
    registration: Registration,
    to_status: str,
    *,
    actor: str,
    by: AbstractBaseUser | None,
    note: str,
) -> None:
    """Change the status of a locked registration, record it, and tell the delegate."""
    from_status = registration.status
    now = timezone.now()
    registration.status = to_status
    registration.status_changed_at = now
    update_fields = ["status", "status_changed_at"]
    if actor == Actor.STAFF and to_status != Status.CANCELLED:
        registration.reviewed_by = by
        registration.reviewed_at = now
        registration.review_note = note
        update_fields += ["reviewed_by", "reviewed_at", "review_note"]
    registration.save(update_fields=update_fields)
    if Status.APPROVED in (from_status, to_status):
        # The seats left on the public pages change.
        caching.public_pages_changed()
    _record(
        registration,
        actor=actor,
        by=by,
        from_status=from_status,
        to_status=to_status,
        note=note,
        at=now,
    )
    _schedule_email(registration, to_status)


def _lock(registration: Registration) -> Registration:
    """Return the registration re-read under a row lock, for a change to it."""
    return Registration.objects.select_for_update().get(pk=registration.pk)


def _schedule_email(registration: Registration, kind: str) -> None:
    """Record the email in the outbox, in the caller's transaction."""
    outbox.email_record(registration=registration, kind=kind)


# Capacity


def seats_taken(event: Event) -> int:
    return event.registrations.approved().count()


def full_sessions_among(sessions: Iterable[Session]) -> list[Session]:
    """Return the sessions among ``sessions`` whose approved seats are all taken."""
    limited = [session.pk for session in sessions if session.capacity is not None]
    if not limited:
        return []
    counted = Session.objects.filter(pk__in=limited).with_approved_count()
    return [s for s in counted if s.approved_count >= s.capacity]


def _refuse_if_sessions_full(sessions: Sequence[Session]) -> None:
    """Lock ``sessions`` and raise if one of them has no seat left.

    Rows are locked in primary-key order, so that two transactions never wait
    for each other in a cycle.
    """
    locked = list(
        Session.objects.select_for_update()
        .filter(pk__in=[session.pk for session in sessions])
        .order_by("pk")
    )
    for session in full_sessions_among(locked):
        raise _session_full(session)


def _refuse_if_full(registration: Registration) -> None:
    """Raise if approving ``registration`` would exceed a capacity.

    The caller holds the transaction and the registration's row lock; this
    locks the event row, then the chosen sessions' rows, before counting.
    """
    event = Event.objects.select_for_update().get(pk=registration.event_id)
    if seats_taken(event) >= event.capacity:
        raise RegistrationError(
            _("The event is full: all %(capacity)s seats are taken."),
            code="event_full",
            params={"capacity": event.capacity},
        )
    _refuse_if_sessions_full(list(registration.sessions.all()))


def check_seats_for_sessions(
    *, registration: Registration, sessions: Sequence[Session]
) -> None:
    """Raise if an approved registration would join a session that is full.

    A quick check for forms; ``registration_correct`` repeats it under locks.
    """
    if registration.status != Status.APPROVED:
        return
    current = set(registration.sessions.values_list("pk", flat=True))
    added = [session for session in sessions if session.pk not in current]
    for session in full_sessions_among(added):
        raise _session_full(session)


# The delegate's side


def _live_registration(event: Event, email: str) -> Registration | None:
    """Return the event's registration holding ``email``, or None.

    The unique constraint allows one at most. Asked without an order, the
    query is answered from the constraint's index on PostgreSQL; ordered, it
    walks the registrations by date.
    """
    try:
        return Registration.objects.live().filter(event=event).with_email(email).get()
    except Registration.DoesNotExist:
        return None


def _normalised_email(email: str) -> str:
    """Return the address in the one form stored and compared, or refuse it."""
    try:
        return validators.normalise_email(email)
    except ValidationError as error:
        raise RegistrationError(
            error.message, code=error.code or "invalid_email", params=error.params
        ) from None


def registration_submit(
    *,
    event: Event,
    email: str,
    sessions: Sequence[Session],
    language: str,
    **details,
) -> SubmitResult:
    """Create a pending registration, or re-send the link of the existing one.

    ``details`` are the fields of ``DELEGATE_FIELDS``. The result does not tell
    the caller's user whether the address was registered before: both cases
    end in an email to that address.
    """
    if not event.is_registration_open():
        raise RegistrationError(
            _("Registration for this event is not open."), code="closed"
        )
    _check_input(event.pk, details, sessions)
    email = _normalised_email(email)

    with transaction.atomic():
        existing = _live_registration(event, email)
        if existing is None:
            try:
                with transaction.atomic():
                    registration = Registration.objects.create(
                        event=event,
                        email=email,
                        language=language,
                        consent_given_at=timezone.now(),
                        **details,
                    )
            except IntegrityError:
                # Another submission with this address committed first.
                existing = _live_registration(event, email)
                if existing is None:
                    raise
            else:
                # New, it has no sessions yet: adding them is one INSERT.
                registration.sessions.add(*sessions)
                _record(registration, actor=Actor.DELEGATE, to_status=Status.PENDING)
                _schedule_email(registration, emails.CONFIRMATION)
                return SubmitResult(
                    registration=registration,
                    created=True,
                    full_sessions=full_sessions_among(sessions),
                )
        _send_new_link_unless_just_sent(existing)
        # The same answer as for a new registration, so that the page shown
        # does not tell whether the address was registered before.
        return SubmitResult(
            registration=None,
            created=False,
            full_sessions=full_sessions_among(sessions),
        )


def registration_update(
    *,
    registration: Registration,
    sessions: Sequence[Session],
    **details,
) -> list[str]:
    """Apply a delegate's corrections to a pending registration.

    Return the names of the fields that changed (``sessions`` among them).
    """
    _check_input(registration.event_id, details, sessions)
    with transaction.atomic():
        locked = _lock(registration)
        if locked.status != Status.PENDING:
            raise RegistrationError(
                _("Details can be corrected only while the registration is pending."),
                code="not_pending",
            )
        if not delegate_can_edit(registration=locked):
            raise RegistrationError(
                _("The event has started; please write to the secretariat."),
                code="event_started",
            )
        changed = _apply_changes(locked, details, sessions)
        if changed:
            _record(locked, actor=Actor.DELEGATE, fields=changed)
    registration.refresh_from_db()
    return changed


def _apply_changes(
    locked: Registration, details: dict, sessions: Sequence[Session]
) -> list[str]:
    """Save the changed ``details`` and ``sessions``; return the changed names."""
    changed = [
        name for name, value in details.items() if getattr(locked, name) != value
    ]
    for name in changed:
        setattr(locked, name, details[name])
    if changed:
        locked.save(update_fields=changed)
    new_ids = {session.pk for session in sessions}
    old_ids = set(locked.sessions.values_list("pk", flat=True))
    if new_ids != old_ids:
        if locked.status == Status.APPROVED:
            # An approved delegate holds a seat in every session chosen.
            Event.objects.select_for_update().get(pk=locked.event_id)
            _refuse_if_sessions_full(
                [session for session in sessions if session.pk not in old_ids]
            )
        locked.sessions.set(sessions)
        changed.append("sessions")
        if locked.status == Status.APPROVED:
            caching.public_pages_changed()
    return changed


def registration_correct(
    *,
    registration: Registration,
    by: AbstractBaseUser,
    sessions: Sequence[Session],
    note: str = "",
    **details,
) -> list[str]:
    """Apply a staff member's corrections, in any status, and record them.

    Return the names of the fields that changed.
    """
    _check_input(registration.event_id, details, sessions)
    with transaction.atomic():
        locked = _lock(registration)
        changed = _apply_changes(locked, details, sessions)
        if changed:
            _record(locked, actor=Actor.STAFF, by=by, fields=changed, note=note)
    registration.refresh_from_db()
    return changed


def registration_cancel(
    *,
    registration: Registration,
    by: AbstractBaseUser | None = None,
    note: str = "",
) -> Registration:
    """Cancel a registration; ``by`` is the staff member, or None for the delegate.

    A delegate may cancel until the event starts; staff at any time. An approved
    delegate's seat is free again as soon as this commits.
    """
    with transaction.atomic():
        locked = _lock(registration)
        _check_transition(locked, Status.CANCELLED)
        if by is None and not delegate_can_cancel(registration=locked):
            raise RegistrationError(
                _("The event has started; please write to the secretariat."),
                code="event_started",
            )
        actor = Actor.DELEGATE if by is None else Actor.STAFF
        _move(locked, Status.CANCELLED, actor=actor, by=by, note=note)
    return locked


# A private link is a bearer secret: sending it again means making a new one,
# so that a link forwarded or seen over a shoulder stops working. The form may
# ask for that at most once in this interval per registration, so that twenty
# submissions of one address at once send one email, not twenty.
LINK_RESEND_INTERVAL = datetime.timedelta(minutes=10)


def _replace_token(
    locked: Registration,
    *,
    actor: str,
    by: AbstractBaseUser | None = None,
    note: str = "",
) -> None:
    """Give a locked registration a new private link; the old one stops working."""
    locked.token = new_private_token()
    locked.token_issued_at = timezone.now()
    locked.save(update_fields=["token", "token_issued_at"])
    _record(
        locked,
        actor=actor,
        by=by,
        fields=["token"],
        note=note,
        at=locked.token_issued_at,
    )


def _send_new_link_unless_just_sent(registration: Registration) -> None:
    """Send a new private link for an address registered again, at most so often."""
    locked = _lock(registration)
    if locked.token_issued_at > timezone.now() - LINK_RESEND_INTERVAL:
        logger.info(
            "Registration %s: registered again; its link went out minutes ago",
            locked.pk,
        )
        return
    _replace_token(locked, actor=Actor.SYSTEM)
    _schedule_email(locked, emails.LINK_RESENT)
    logger.info("Registration %s: registered again; a new link was sent", locked.pk)


def registration_replace_link(
    *, registration: Registration, by: AbstractBaseUser, note: str = ""
) -> Registration:
    """Revoke the delegate's private link and email them a new one.

    Staff use it when a link may have reached someone else; the delegate's
    old link stops working at once, whatever its status.
    """
    with transaction.atomic():
        locked = _lock(registration)
        _replace_token(locked, actor=Actor.STAFF, by=by, note=note)
        _schedule_email(locked, emails.LINK_REPLACED)
    return locked


# The reviewer's side


def registration_approve(
    *,
    registration: Registration,
    by: AbstractBaseUser,
    note: str = "",
    waitlist_if_full: bool = False,
) -> Registration:
    """Approve a pending or waitlisted registration if its seats are free.

    When the event or a chosen session is full the approval is refused, or,
    with ``waitlist_if_full``, a pending registration goes to the waiting list.
    """
    with transaction.atomic():
        locked = _lock(registration)
        _check_transition(locked, Status.APPROVED)
        try:
            _refuse_if_full(locked)
        except RegistrationError as full:
            if not (
                waitlist_if_full
                and can_transition(registration=locked, to_status=Status.WAITLISTED)
            ):
                raise
            if not note:
                # The note goes to the delegate: say why in their language.
                with translation.override(locked.language):
                    note = full.message
            _move(locked, Status.WAITLISTED, actor=Actor.STAFF, by=by, note=note)
            return locked
        _move(locked, Status.APPROVED, actor=Actor.STAFF, by=by, note=note)
    return locked


def _decide(
    registration: Registration, to_status: str, *, by: AbstractBaseUser, note: str
) -> Registration:
    with transaction.atomic():
        locked = _lock(registration)
        _check_transition(locked, to_status)
        _move(locked, to_status, actor=Actor.STAFF, by=by, note=note)
    return locked


def registration_reject(
    *, registration: Registration, by: AbstractBaseUser, note: str = ""
) -> Registration:
    """Reject a pending or waitlisted registration; the note goes to the delegate."""
    return _decide(registration, Status.REJECTED, by=by, note=note)


def registration_waitlist(
    *, registration: Registration, by: AbstractBaseUser, note: str = ""
) -> Registration:
    """Put a pending registration on the waiting list, at its end."""
    return _decide(registration, Status.WAITLISTED, by=by, note=note)


REVIEW_DECISIONS = {
    Status.APPROVED: registration_approve,
    Status.REJECTED: registration_reject,
    Status.WAITLISTED: registration_waitlist,
    # Staff cancel for a delegate in the admin, recorded as staff, rather
    # than through the delegate's private link.
    Status.CANCELLED: registration_cancel,
}


def registrations_review(
    *,
    registrations: Iterable[Registration],
    decision: str,
    by: AbstractBaseUser,
    note: str = "",
    waitlist_if_full: bool = False,
    time_limit: float | None = None,
) -> ReviewOutcome:
    """Apply one decision to several registrations, each in its own transaction.

    The waiting list comes first, in its order, then the others oldest first:
    when seats run out, those who have waited longest have been served.

    With ``time_limit`` (seconds), no registration is started after that time:
    the rest are returned as ``not_reached``, so that a web request ends, and
    says what it did, before the server's own timeout would cut it off.
    """
    review = REVIEW_DECISIONS[decision]
    options = (
        {"waitlist_if_full": waitlist_if_full} if decision == Status.APPROVED else {}
    )
    outcome = ReviewOutcome()
    ordered = sorted(
        registrations,
        key=lambda r: (r.status != Status.WAITLISTED, r.status_changed_at, r.pk),
    )
    deadline = None if time_limit is None else time.monotonic() + time_limit
    for position, registration in enumerate(ordered):
        if deadline is not None and time.monotonic() >= deadline:
            outcome.not_reached = ordered[position:]
            logger.warning(
                "Review (%s) stopped at its time limit of %s s: %s done, %s not "
                "reached",
                decision,
                time_limit,
                position,
                len(outcome.not_reached),
            )
            break
        try:
            outcome.changed.append(
                review(registration=registration, by=by, note=note, **options)
            )
        except RegistrationError as error:
            outcome.refused.append((registration, str(error.message)))
    return outcome


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


def status_counts(queryset) -> dict[str, int]:
    """Return how many registrations of ``queryset`` are in each status."""
    counts = dict(queryset.order_by().values_list("status").annotate(total=Count("pk")))
    return {status: counts.get(status, 0) for status in Status.values}


# Personal data


def retention_cutoff() -> datetime.datetime:
    """Return when an event must have ended for its registrations to be deleted."""
    retention = datetime.timedelta(days=settings.REGISTRATION_RETENTION_DAYS)
    return timezone.now() - retention


def registrations_delete_expired(*, dry_run: bool = False) -> int:
    """Delete the registrations of events that ended before the retention cutoff.

    Their history goes with them; export records keep no personal data and
    stay. Return how many registrations were (or, with ``dry_run``, would be)
    deleted.
    """
    expired = Registration.objects.filter(event__ends_at__lt=retention_cutoff())
    count = expired.count()
    if not dry_run and count:
        with transaction.atomic():
            expired.delete()
            caching.public_pages_changed()
        logger.info("Deleted %s registrations past their retention period", count)
    return count
