"""Which registrations a document holds, under which name, with which record.

A ``Selection`` is the registrations of one export or document, from
``registrations.selectors``, with what the audit record says about them. It
is made from the reviewers' list (its address's filters, search and order,
translated here into selectors), from a session, or from the command's
options.
"""

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import QueryDict
from django.utils import timezone
from django.utils.text import slugify
from django_countries import countries

from registrations import selectors, validators
from registrations.models import (
    ATTENDING,
    BadgePrint,
    DelegationRole,
    Event,
    ExportLog,
    Organisation,
    Registration,
    RegistrationSession,
    Sector,
    Session,
)

Status = Registration.Status
# Longest slug of a title or name in a file name, which must fit in 255.
SLUG_LENGTH = 60

# The reviewers' list's address: parameters that change how it is shown
# (order, page, "show all", the error flag, facets, popups), not which rows.
PRESENTATION_PARAMETERS = frozenset({"o", "p", "all", "e", "_facets", "_popup"})
SEARCH_PARAMETER = "q"
DATE_PARAMETERS = ("submitted_at__year", "submitted_at__month", "submitted_at__day")


class SelectionError(ValueError):
    """The address names a filter or a value the selection does not know."""


@dataclass(frozen=True)
class Selection:
    """The registrations of one document, and what its record says of them."""

    registrations: QuerySet
    kind: str
    event: Event | None
    name: str
    filters: Mapping = field(default_factory=dict)


def query_filters(query: QueryDict) -> dict[str, str | list[str]]:
    """Return query parameters as JSON for the record; repeated ones as lists."""
    return {
        key: values[0] if len(values) == 1 else values for key, values in query.lists()
    }


def _event_of(registrations: QuerySet) -> Event | None:
    """Return the one event all of ``registrations`` belong to, or None."""
    # The event with both their lowest and their highest event id, which an
    # index gives: asked whether each event had any of them, PostgreSQL tried
    # every event against every registration.
    event_ids = registrations.order_by().values("event_id")
    lowest = Subquery(event_ids.order_by("event_id")[:1])
    highest = Subquery(event_ids.order_by("-event_id")[:1])
    return Event.objects.filter(pk=lowest).filter(pk=highest).first()


def _id(value: str) -> int:
    if not validators.is_possible_id(value):
        raise SelectionError(value)
    return int(value)


def _one_of(values) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in values:
            raise SelectionError(value)
        return value

    return check


def _choice(field: str, values) -> Callable[[str], Q]:
    """Filter on a choice as the list does: a value no row can hold shows no row."""

    def condition(value: str) -> Q:
        return Q(**{field: value}) if value in values else Q(pk__in=[])

    return condition


def _in_session(session_id: str) -> Q:
    chosen = RegistrationSession.objects.filter(
        registration=OuterRef("pk"), session_id=_id(session_id)
    )
    return Q(Exists(chosen))


# Each filter of the reviewers' list, as the condition it puts on the rows.
CHANGELIST_FILTERS = {
    "status__exact": _choice("status", Status.values),
    "category__exact": _choice("category", Sector.values),
    "event__id__exact": lambda v: Q(event_id=_id(v)),
    "organisation__id__exact": lambda v: Q(organisation_id=_id(v)),
    "organisation__invited__exact": lambda v: Q(
        organisation__invited=_one_of({"0", "1"})(v) == "1"
    ),
    "delegation__id__exact": lambda v: Q(delegation_id=_id(v)),
    "delegation_role__exact": _choice("delegation_role", DelegationRole.values),
    "country": lambda v: Q(country=_one_of(dict(countries))(v)),
    "session": _in_session,
}


def _submitted_on(query: QueryDict) -> Q:
    """Translate the date hierarchy (year, month, day) into a range in Tokyo time."""
    parts = [query.get(name) for name in DATE_PARAMETERS]
    given = [part for part in parts if part]
    if not given:
        return Q()
    if not all(part.isascii() and part.isdigit() for part in given):
        raise SelectionError(given)
    year, month, day = (int(part) if part else None for part in parts)
    try:
        start = datetime.date(year, month or 1, day or 1)
    except (TypeError, ValueError) as error:
        raise SelectionError(given) from error
    if day:
        end = start + datetime.timedelta(days=1)
    elif month:
        end = (start + datetime.timedelta(days=32)).replace(day=1)
    else:
        end = start.replace(year=year + 1)
    zone = timezone.get_current_timezone()
    return Q(
        submitted_at__gte=datetime.datetime.combine(start, datetime.time(), zone),
        submitted_at__lt=datetime.datetime.combine(end, datetime.time(), zone),
    )


def changelist_registrations(query: QueryDict) -> QuerySet:
    """Return the registrations the reviewers' list shows for ``query``.

    Raise ``SelectionError`` for a parameter or a value the list would not
    offer, rather than export something else than what the reviewer sees.
    """
    registrations = selectors.registrations_for_review(Registration.objects.all())
    for key, values in query.lists():
        if key in PRESENTATION_PARAMETERS or key in DATE_PARAMETERS:
            continue
        if key == SEARCH_PARAMETER:
            registrations = selectors.registrations_searched(registrations, values[-1])
        elif key in CHANGELIST_FILTERS:
            if values[-1] != "":
                registrations = registrations.filter(
                    CHANGELIST_FILTERS[key](values[-1])
                )
        else:
            raise SelectionError(key)
    return registrations.filter(_submitted_on(query))


def changelist_name(query: QueryDict) -> str:
    """Name the changelist's selection: the status filtered on, "filtered", "all".

    The event filter is left out: the file name names the event anyway.
    """
    chosen = {
        key: value
        for key, value in query.items()
        if key not in PRESENTATION_PARAMETERS
        and not key.startswith("event")
        and value != ""
    }
    status = chosen.pop("status__exact", "")
    if status and status not in Status.values:
        # Only a real status names the file; anything else is just a filter.
        chosen["status__exact"] = status
        status = ""
    parts = [status, "filtered" if chosen else ""]
    return "-".join(part for part in parts if part) or "all"


def from_changelist(
    query: QueryDict,
    *,
    ordering: Sequence = (),
    selected: Sequence[str] | None = None,
) -> Selection:
    """Return the reviewers' list's rows, or those ticked on it, in its order.

    ``ordering`` is the list's order as the admin resolved it from its
    columns; ``selected`` holds the ids ticked on the page (None: the whole
    list).
    """
    registrations = changelist_registrations(query)
    if ordering:
        registrations = registrations.order_by(*ordering)
    filters = query_filters(query)
    if selected is None:
        kind, name = ExportLog.Kind.FILTERED, changelist_name(query)
    else:
        ids = sorted(_id(pk) for pk in selected)
        registrations = registrations.filter(pk__in=ids)
        kind, name = ExportLog.Kind.SELECTED, "selected"
        filters["selected"] = ids
    return Selection(
        registrations=registrations,
        kind=kind,
        event=_event_of(registrations),
        name=name,
        filters=filters,
    )


def registrations_matching(
    *,
    event: Event,
    statuses: Sequence[str] = (),
    session: Session | None = None,
    organisation: Organisation | None = None,
) -> QuerySet:
    """Return the event's registrations that match every filter given.

    They come in alphabetical order, family name first, as a list at the door
    or on a chair's desk is read.
    """
    registrations = Registration.objects.filter(event=event)
    if statuses:
        registrations = registrations.filter(status__in=statuses)
    if session is not None:
        registrations = registrations.filter(sessions=session)
    if organisation is not None:
        registrations = registrations.filter(organisation=organisation)
    return registrations.order_by("family_name", "given_name", "pk")


def selection_name(
    *,
    statuses: Sequence[str] = (),
    session: Session | None = None,
    organisation: Organisation | None = None,
) -> str:
    """Name a selection for a file name, e.g. ``session-opening-approved``."""
    parts = []
    if session is not None:
        parts += ["session", _slug(session.localized.title)]
    if organisation is not None:
        parts.append(_slug(organisation.acronym or organisation.name))
    parts.extend(sorted(statuses))
    return "-".join(part for part in parts if part) or "all"


def _slug(text: str) -> str:
    """Return ``text`` as a short slug for a file name, in any script."""
    return slugify(text, allow_unicode=True)[:SLUG_LENGTH].strip("-")


def for_session(session: Session) -> Selection:
    """Return a session's attendees: those who attend and chose it."""
    statuses = [ATTENDING]
    return Selection(
        registrations=registrations_matching(
            event=session.event, statuses=statuses, session=session
        ),
        kind=ExportLog.Kind.SESSION,
        event=session.event,
        name=selection_name(statuses=statuses, session=session),
        filters={"session": session.pk, "status": statuses},
    )


def for_command(
    *,
    event: Event,
    statuses: Sequence[str] = (),
    session: Session | None = None,
    organisation: Organisation | None = None,
    options: Mapping,
) -> Selection:
    """Return the ``export_attendees`` command's selection; ``options`` are its own."""
    return Selection(
        registrations=registrations_matching(
            event=event, statuses=statuses, session=session, organisation=organisation
        ),
        kind=ExportLog.Kind.COMMAND,
        event=event,
        name=selection_name(
            statuses=statuses, session=session, organisation=organisation
        ),
        filters=options,
    )


def never_printed(registrations: QuerySet) -> QuerySet:
    """Return those of ``registrations`` whose badge was never printed."""
    printed = BadgePrint.objects.filter(badge__registration=OuterRef("pk"))
    return registrations.filter(~Exists(printed))


def for_badges(
    *,
    event: Event,
    statuses: Sequence[str] = (ATTENDING,),
    categories: Sequence[str] = (),
    unprinted: bool = False,
    kind: str,
    filters: Mapping,
) -> Selection:
    """Return the badges to print for ``event``, family name first.

    ``unprinted`` keeps only the badges never printed (late approvals);
    ``kind`` is ``ExportLog.Kind.COMMAND`` or ``FILTERED`` (the staff page).
    """
    registrations = registrations_matching(event=event, statuses=statuses)
    if categories:
        registrations = registrations.filter(category__in=categories)
    if unprinted:
        registrations = never_printed(registrations)
    parts = [*sorted(statuses), *sorted(categories), "new" if unprinted else ""]
    return Selection(
        registrations=registrations,
        kind=kind,
        event=event,
        name="-".join(part for part in parts if part) or "all",
        filters=dict(filters),
    )
