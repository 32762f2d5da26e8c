"""Which registrations an export holds, under which name, with which record."""

from collections.abc import Mapping, Sequence

from django.contrib.admin.views.main import (
    ALL_VAR,
    ERROR_FLAG,
    IS_FACETS_VAR,
    IS_POPUP_VAR,
    ORDER_VAR,
    PAGE_VAR,
)
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.text import slugify

from registrations.documents.audit import AttendeeExport, export_start
from registrations.models import (
    ATTENDING,
    Event,
    ExportLog,
    Organisation,
    Registration,
    Session,
)

Status = Registration.Status
# Longest slug of a title or name in a file name, which must fit in 255.
SLUG_LENGTH = 60
# The selections: which registrations, under which name, with which record.

# Query parameters of the changelist that change how the list is shown, not
# which rows are in it.
PRESENTATION_PARAMETERS = frozenset(
    {ALL_VAR, ERROR_FLAG, IS_FACETS_VAR, IS_POPUP_VAR, ORDER_VAR, PAGE_VAR}
)


def query_filters(query: QueryDict) -> dict[str, str | list[str]]:
    """Return query parameters as JSON for the record; repeated ones as lists."""
    return {
        key: values[0] if len(values) == 1 else values for key, values in query.lists()
    }


def _event_of(registrations: QuerySet) -> Event | None:
    """Return the one event all of ``registrations`` belong to, or None."""
    events = list(
        Event.objects.filter(pk__in=registrations.order_by().values("event_id"))[:2]
    )
    return events[0] if len(events) == 1 else None


def changelist_selection(query: QueryDict) -> str:
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
    parts = [slugify(status), "filtered" if chosen else ""]
    return "-".join(part for part in parts if part) or "all"


def export_changelist(
    *,
    registrations: QuerySet,
    query: QueryDict,
    user: AbstractBaseUser,
    selected: Sequence[str] | None = None,
) -> AttendeeExport:
    """Start the export of the changelist's rows, or of those selected on it.

    ``registrations`` is the changelist's own queryset, so every filter and
    the search apply and the rows come in the order the list shows them.
    ``selected`` holds the ids ticked on the page (None: the whole list).
    """
    filters = query_filters(query)
    if selected is None:
        kind, selection = ExportLog.Kind.FILTERED, changelist_selection(query)
    else:
        kind, selection = ExportLog.Kind.SELECTED, "selected"
        filters["selected"] = sorted(int(pk) for pk in selected)
    return export_start(
        registrations=registrations,
        kind=kind,
        user=user,
        event=_event_of(registrations),
        filters=filters,
        selection=selection,
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


def export_session(*, session: Session, user: AbstractBaseUser) -> AttendeeExport:
    """Start the export of a session's attendees: its approved registrations."""
    statuses = [ATTENDING]
    return export_start(
        registrations=registrations_matching(
            event=session.event, statuses=statuses, session=session
        ),
        kind=ExportLog.Kind.SESSION,
        user=user,
        event=session.event,
        filters={"session": session.pk, "status": statuses},
        selection=selection_name(statuses=statuses, session=session),
    )


def export_for_command(
    *,
    event: Event,
    statuses: Sequence[str] = (),
    session: Session | None = None,
    organisation: Organisation | None = None,
    options: Mapping,
) -> AttendeeExport:
    """Start an export for the ``export_attendees`` command; ``options`` are its own."""
    return export_start(
        registrations=registrations_matching(
            event=event, statuses=statuses, session=session, organisation=organisation
        ),
        kind=ExportLog.Kind.COMMAND,
        user=None,
        event=event,
        filters=options,
        selection=selection_name(
            statuses=statuses, session=session, organisation=organisation
        ),
    )
