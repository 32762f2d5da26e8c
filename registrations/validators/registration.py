"""The rules between a registration's fields: one organisation, the event's sessions.

Given plain values and objects, so that the models may use the rules of this
package; the seats a session has left are the services' to count
(``services.check_seats_for_sessions``).
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext_lazy as _


def validate_one_organisation(listed: Model | None, typed: str) -> None:
    """Refuse both a listed and a typed organisation, or neither.

    The error names the field to correct, as ``ValidationError({field: ...})``.
    """
    if listed and typed:
        raise ValidationError(
            {
                "organisation_other": ValidationError(
                    _(
                        "You chose an organisation from the list: leave this empty, "
                        "or choose “not listed” above."
                    ),
                    code="both_organisations",
                )
            }
        )
    if not listed and not typed:
        raise ValidationError(
            {
                "organisation": ValidationError(
                    _("Choose your organisation from the list, or type its name."),
                    code="no_organisation",
                )
            }
        )


def validate_sessions_of_event(sessions: Iterable[Model], event: Model) -> None:
    """Refuse a session of another event's programme."""
    if any(session.event_id != event.pk for session in sessions):
        raise ValidationError(
            _("A chosen session is not part of this event."), code="foreign_session"
        )
