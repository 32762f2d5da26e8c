"""The rules between a registration's fields: one organisation, the event's sessions.

Sessions that take place at the same time run in parallel: a delegate can sit
in one of them only, so a registration never holds two sessions whose times
overlap.

Given plain values and objects, so that the models may use the rules of this
package; the seats a session has left are the services' to count
(``services.check_seats_for_sessions``).
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _


def validate_one_organisation(listed: Model | None, typed: str) -> None:
    """Refuse both a listed and a typed organisation, or neither.

    The forms resolve what a person sends into one of the two
    (``forms.RegistrationDetailsForm.clean``); the services refuse anything
    else that reaches them.
    """
    if listed and typed:
        raise ValidationError(
            _("Give one organisation: one from the list or a name typed, not both."),
            code="both_organisations",
        )
    if not listed and not typed:
        raise ValidationError(
            _("Choose your organisation from the list, or type its name."),
            code="no_organisation",
        )


def validate_sessions_of_event(sessions: Iterable[Model], event: Model) -> None:
    """Refuse a session of another event's programme."""
    if any(session.event_id != event.pk for session in sessions):
        raise ValidationError(
            _("A chosen session is not part of this event."), code="foreign_session"
        )


def overlapping_pair(sessions: Iterable[Model]) -> tuple[Model, Model] | None:
    """Return the first two of ``sessions`` whose times overlap, in programme order.

    Two sessions overlap when each starts before the other ends; one that
    starts as another ends does not.
    """
    ordered = sorted(sessions, key=lambda session: (session.starts_at, session.pk))
    latest = None
    for session in ordered:
        if latest is not None and session.starts_at < latest.ends_at:
            return latest, session
        if latest is None or session.ends_at > latest.ends_at:
            latest = session
    return None


def session_title(session: Model):
    """Return the session's title in the language active when it is read."""
    return lazy(lambda: session.localized.title, str)()


def validate_no_overlapping_sessions(sessions: Iterable[Model]) -> None:
    """Refuse two sessions at the same time, naming both."""
    pair = overlapping_pair(sessions)
    if pair is None:
        return
    first, second = pair
    raise ValidationError(
        _(
            "“%(first)s” and “%(second)s” take place at the same time: "
            "please choose one of them."
        ),
        code="overlapping_sessions",
        params={"first": session_title(first), "second": session_title(second)},
    )
