"""Attendee lists as CSV files that open cleanly in Excel, and the record of each.

One row generator, ``attendee_rows``, feeds every way a list leaves the
system: the admin action on selected registrations, the admin's export of the
filtered changelist, a session's attendee list and the ``export_attendees``
command. Each export is an ``AttendeeExport``: the rows on their way out and
the ``ExportLog`` that records who took them, when, which filter and how many.

The file is UTF-8 with a byte-order mark (without it Excel on Japanese Windows
reads UTF-8 as Shift_JIS and garbles every name), comma-separated with every
field quoted as RFC 4180 says, with CRLF line ends. Rows stream from a database cursor
(``QuerySet.iterator``, a server-side cursor on PostgreSQL) in one SELECT, so
memory and the number of queries stay the same whatever the row count.
"""

import csv
import io
import re
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.contrib.admin.views.main import (
    ALL_VAR,
    ERROR_FLAG,
    IS_FACETS_VAR,
    IS_POPUP_VAR,
    ORDER_VAR,
    PAGE_VAR,
)
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Aggregate, CharField, OuterRef, QuerySet, Subquery
from django.http import QueryDict, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from django_countries import countries

from registrations.models import (
    Event,
    ExportLog,
    Organisation,
    Registration,
    Session,
    japanese_is_active,
)

# The symposium runs in Tokyo: its staff read times and dates in Japan time,
# whatever the server's clock says.
EXPORT_TIMEZONE = ZoneInfo("Asia/Tokyo")
BYTE_ORDER_MARK = "\ufeff"
SESSION_SEPARATOR = "; "
# Longest slug of a title or name in a file name, which must fit in 255.
SLUG_LENGTH = 60
FILENAME_SELECTION_LENGTH = 120
# Rows fetched from the database at a time, and characters handed to the web
# server at a time: large enough to keep the overhead per row low, small
# enough that memory does not depend on the row count.
FETCH_ROWS = 2_000
CHUNK_CHARACTERS = 64 * 1024

# A spreadsheet evaluates a cell that starts with one of these (OWASP, "CSV
# Injection"), in ASCII or fullwidth; tab and carriage return because Excel
# skips them and then reads what follows as the start of the cell.
FORMULA_TRIGGERS = frozenset("=+-@\t\r＝＋－＠")
# Where a cell can start inside a value: after a line break, a tab or a
# semicolon, for an import that splits on them (LibreOffice ticks Tab, Comma
# and Semicolon by default), then after any spaces, which "Trim spaces" drops.
CELL_STARTS = re.compile(r"(^|[\n\r\t;])([^\S\n\r\t]*)(?=[=+\-@\t\r＝＋－＠])")

Status = Registration.Status

# The columns read from the database, in the order ``attendee_rows`` unpacks them.
EXPORT_FIELDS = (
    "pk",
    "status",
    "honorific",
    "family_name",
    "given_name",
    "name_ja",
    "email",
    "organisation__name",
    "organisation__name_ja",
    "organisation_other",
    "organisation__kind",
    "position",
    "country",
    "category",
    "session_ids",
    "dietary_needs",
    "accessibility_needs",
    "interpretation",
    "submitted_at",
    "reviewed_at",
    f"reviewed_by__{get_user_model().USERNAME_FIELD}",
)


def can_export(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Return whether ``user`` may take attendee lists out of the system."""
    return user.has_perm("registrations.export_registration")


def neutralise(value: str) -> str:
    """Return ``value`` so that a spreadsheet shows it as text, never as a formula.

    Following OWASP's advice on CSV injection, a single quote goes before
    every place where a cell could start with ``=``, ``+``, ``-``, ``@``, a tab
    or a carriage return: the value's start, and each point after a line
    break, a tab or a semicolon, for an import that splits cells there, in
    each case after any spaces a spreadsheet may trim. Excel and LibreOffice
    take a leading quote as "this is text". Every other value is left exactly
    as it is: "Smith-Jones" and "O'Neil" start with a letter and are
    untouched. The rule makes no exceptions, because an exception ("it looks
    like a phone number") is a way round it. So "+81 3 5501 8000" becomes
    "'+81 3 5501 8000", which a spreadsheet shows as the phone number rather
    than evaluating it (to an error), and a lone "-" becomes "'-". A program
    reading the file sees the quote and can strip it.
    """
    return CELL_STARTS.sub(r"\1'\2", value)


class GroupConcat(Aggregate):
    """Join a group's values into one comma-separated string.

    ``GROUP_CONCAT`` on SQLite, ``STRING_AGG`` on PostgreSQL; the order of the
    values is not defined.
    """

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s((%(expressions)s)::text, ',')",
            **extra_context,
        )


def session_ids_subquery() -> Subquery:
    """Return the ids of each registration's sessions as "3,1,4", in the same SELECT.

    A correlated subquery rather than ``prefetch_related``, which would cost
    one more query for every chunk of rows the cursor fetches.
    """
    chosen = Registration.sessions.through.objects.filter(
        registration_id=OuterRef("pk")
    )
    return Subquery(
        chosen.order_by()
        .values("registration_id")
        .annotate(ids=GroupConcat("session_id"))
        .values("ids")
    )


def column_headers() -> list[str]:
    """Return the header row, in the active language."""

    def label(name: str) -> str:
        return str(capfirst(Registration._meta.get_field(name).verbose_name))

    return [
        _("ID"),
        label("status"),
        label("honorific"),
        label("family_name"),
        label("given_name"),
        label("name_ja"),
        label("email"),
        label("organisation"),
        _("Organisation kind"),
        label("position"),
        label("country"),
        _("Country code"),
        label("category"),
        label("sessions"),
        label("dietary_needs"),
        label("accessibility_needs"),
        label("interpretation"),
        label("submitted_at"),
        label("reviewed_at"),
        label("reviewed_by"),
    ]


def _labels(choices: Iterable[tuple[str, object]]) -> dict[str, str]:
    """Return each choice's label, translated once rather than once per row."""
    return {value: str(label) for value, label in choices}


def _local_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(EXPORT_TIMEZONE).isoformat(timespec="seconds")


def attendee_rows(registrations: QuerySet) -> Generator[list[str], None, None]:
    """Return the rows of ``registrations``: one list of text cells each.

    The labels, the country names and the names of sessions and listed
    organisations are taken now, in the active language, as the headers are:
    the rows themselves are read from the database only as the result is
    iterated, which for a download is after the view has returned. Rows come
    in the queryset's order; every cell has been through ``neutralise``.
    """
    japanese = japanese_is_active()
    statuses = _labels(Status.choices)
    honorifics = _labels(Registration.Honorific.choices) | {"": ""}
    categories = _labels(Registration.Category.choices)
    interpretations = _labels(Registration.Interpretation.choices)
    organisation_kinds = _labels(Organisation.Kind.choices)
    country_names = dict(countries)
    # Every session, not only the event's: the table is small, and an admin
    # may have given a registration a session of another event.
    programme = list(Session.objects.all())
    titles = {session.pk: session.localized.title for session in programme}
    programme_order = {session.pk: place for place, session in enumerate(programme)}
    # A registration picks a few sessions among a handful, so the same
    # combinations come back again and again.
    session_cells: dict[str | None, str] = {None: ""}

    def sessions_cell(session_ids: str | None) -> str:
        cell = session_cells.get(session_ids)
        if cell is None:
            ids = sorted(map(int, session_ids.split(",")), key=programme_order.get)
            cell = SESSION_SEPARATOR.join(titles[id_] for id_ in ids)
            session_cells[session_ids] = cell
        return cell

    def rows() -> Generator[list[str], None, None]:
        for (
            pk,
            status,
            honorific,
            family_name,
            given_name,
            name_ja,
            email,
            organisation_name,
            organisation_name_ja,
            organisation_other,
            organisation_kind,
            position,
            country,
            category,
            session_ids,
            dietary_needs,
            accessibility_needs,
            interpretation,
            submitted_at,
            reviewed_at,
            reviewed_by,
        ) in (
            registrations.annotate(session_ids=session_ids_subquery())
            .values_list(*EXPORT_FIELDS)
            .iterator(chunk_size=FETCH_ROWS)
        ):
            if organisation_name is None:
                organisation = organisation_other
            elif japanese and organisation_name_ja:
                organisation = organisation_name_ja
            else:
                organisation = organisation_name
            # A value the choices do not know (an old one) is shown as stored
            # rather than breaking the download halfway.
            cells = [
                str(pk),
                statuses.get(status, status),
                honorifics.get(honorific, honorific),
                family_name,
                given_name,
                name_ja,
                email,
                organisation,
                organisation_kinds.get(organisation_kind, organisation_kind or ""),
                position,
                country_names.get(country, country),
                country,
                categories.get(category, category),
                sessions_cell(session_ids),
                dietary_needs,
                accessibility_needs,
                interpretations.get(interpretation, interpretation),
                _local_time(submitted_at),
                _local_time(reviewed_at),
                reviewed_by or "",
            ]
            yield [neutralise(cell) for cell in cells]

    return rows()


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[bytes]:
    """Yield a CSV file in pieces: the byte-order mark, the header, the rows.

    Each piece is whole UTF-8 text of about ``CHUNK_CHARACTERS`` characters,
    so that the web server writes a few large pieces rather than a small one
    per row.
    """
    buffer = io.StringIO()
    # Every field in quotes: a semicolon or tab inside one is then never taken
    # for a separator by an import that splits on it.
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    buffer.write(BYTE_ORDER_MARK)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() >= CHUNK_CHARACTERS:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def export_filename(
    *, event: Event | None, selection: str, today: date | None = None
) -> str:
    """Return the file name: the event, the selection and today's date in Tokyo.

    For example ``apac-human-smuggling-2027_approved_2026-11-27.csv``.
    """
    today = today or timezone.localdate(timezone=EXPORT_TIMEZONE)
    event_part = event.slug if event else "all-events"
    # The record's column holds 255 characters: a slug holds 100 at most.
    selection = selection[:FILENAME_SELECTION_LENGTH].strip("-") or "all"
    return f"{event_part}_{selection}_{today.isoformat()}.csv"


@dataclass
class AttendeeExport:
    """An export under way: iterate it, once, for the file's bytes.

    The header and the rows' labels are prepared when the export starts, in
    the language of whoever asked for it. The ``ExportLog`` exists before the
    first byte leaves, so that even an export that fails or is broken off is
    on record. Its ``row_count`` is the number of rows handed on for sending,
    saved when the iteration ends, however it ends: a download that stops
    halfway records what went out.
    """

    header: list[str]
    rows: Generator[list[str], None, None]
    log: ExportLog
    rows_written: int = 0

    @property
    def filename(self) -> str:
        return self.log.filename

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from csv_bytes(self.header, self._counted())
        finally:
            self.rows.close()
            self.log.row_count = self.rows_written
            ExportLog.objects.filter(pk=self.log.pk).update(row_count=self.rows_written)

    def _counted(self) -> Iterator[list[str]]:
        for row in self.rows:
            yield row
            self.rows_written += 1


def export_start(
    *,
    registrations: QuerySet,
    kind: str,
    user: AbstractBaseUser | None,
    event: Event | None,
    filters: Mapping,
    selection: str,
) -> AttendeeExport:
    """Record an export of ``registrations`` and return it, ready to stream."""
    log = ExportLog.objects.create(
        kind=kind,
        exported_by=user,
        event=event,
        filters=dict(filters),
        filename=export_filename(event=event, selection=selection),
    )
    return AttendeeExport(
        header=column_headers(), rows=attendee_rows(registrations), log=log
    )


def export_response(export: AttendeeExport) -> StreamingHttpResponse:
    """Return the HTTP download of ``export``, streamed as it is written."""
    return StreamingHttpResponse(
        iter(export),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": content_disposition_header(
                as_attachment=True, filename=export.filename
            )
        },
    )


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
    if status and status not in Status.values:
        # Only a real status names the file; anything else is just a filter.
        chosen["status__exact"] = status
        status = ""
    parts = [status, "filtered" if chosen else ""]
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
    statuses = [Status.APPROVED]
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
