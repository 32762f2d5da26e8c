"""The domain's refusal: ``RegistrationError``, and the refusals several rules share."""

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _


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


def lower_label(choice) -> Promise:
    """Return a choice's label in lower case, in the language active when read."""
    return lazy(lambda: str(choice.label).lower(), str)()


def session_full(session) -> RegistrationError:
    """Return the refusal of a seat in ``session``, named in the reader's language."""
    return RegistrationError(
        _("The session “%(session)s” is full: all %(capacity)s seats are taken."),
        code="session_full",
        params={
            "session": lazy(lambda: session.localized.title, str)(),
            "capacity": session.capacity,
        },
    )


def event_full(event) -> RegistrationError:
    """Return the refusal of a seat in the hall."""
    return RegistrationError(
        _("The event is full: all %(capacity)s seats are taken."),
        code="event_full",
        params={"capacity": event.capacity},
    )


def seats_held_for_delegations(event, *, held: int) -> RegistrationError:
    """Return the refusal of an open seat when those left are kept for delegations."""
    return RegistrationError(
        _(
            "No seat is left for this registration: of the %(capacity)s seats in "
            "the hall, %(held)s are held for invited delegations and the rest are "
            "taken."
        ),
        code="event_full",
        params={"capacity": event.capacity, "held": held},
    )


def delegation_full(delegation) -> RegistrationError:
    """Return the refusal of a member beyond the delegation's quota."""
    return RegistrationError(
        _("The delegation's quota is reached: all %(quota)s places are taken."),
        code="delegation_full",
        params={"quota": delegation.seat_quota},
    )
