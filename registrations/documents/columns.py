"""The attendee list's columns, declared once, and the rows read for them.

Each ``Column`` names its header, the database values it is made of and how
a cell is made from them; every renderer (CSV, XLSX, and later documents)
writes the same columns in the same order. Cells are typed: text, a whole
number, or a moment (an aware ``datetime``); each renderer writes them as its
format does best. Each column also says how the database makes the same cell
(``database``, expressions from ``sql``), with which PostgreSQL writes the CSV
file's lines itself (``csv_lines``). Adding a column is one entry in
``COLUMNS``.
"""

import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import Expression, F, QuerySet
from django.db.models.functions import Coalesce
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from registrations.documents import sql
from registrations.models import (
    Organisation,
    Registration,
    Session,
    organisation_display_name,
)
from registrations.models.bilingual import in_active_language

# The symposium runs in Tokyo: its staff read times and dates in Japan time,
# whatever the server's clock says.
EXPORT_TIMEZONE = ZoneInfo("Asia/Tokyo")
SESSION_SEPARATOR = "; "
# Rows fetched from the database at a time: large enough to keep the overhead
# per row low, small enough that memory does not depend on the row count.
FETCH_ROWS = 2_000

# A spreadsheet evaluates a cell that starts with one of these (OWASP, "CSV
# Injection"), in ASCII or fullwidth; tab and carriage return because Excel
# skips them and then reads what follows as the start of the cell.
FORMULA_TRIGGERS = frozenset("=+-@\t\r＝＋－＠")
# Where a cell can start inside a value: after a line break, a tab or a
# semicolon, for an import that splits on them (LibreOffice ticks Tab, Comma
# and Semicolon by default), then after any spaces, which "Trim spaces" drops.
CELL_BREAKS = frozenset("\n\r\t;")
CELL_STARTS = re.compile(r"(^|[\n\r\t;])([^\S\n\r\t]*)(?=[=+\-@\t\r＝＋－＠])")

# The kinds of cell.
TEXT = "text"
NUMBER = "number"
MOMENT = "moment"

Cell = str | int | datetime | None


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

    Every renderer applies it to every text cell (the CSV file and the XLSX
    workbook alike), so that the two files hold the same values.
    """
    if (
        not CELL_BREAKS.intersection(value)
        and value.lstrip()[:1] not in FORMULA_TRIGGERS
    ):
        # No cell can start inside the value, nor at its start: most cells.
        return value
    return CELL_STARTS.sub(r"\1'\2", value)


def session_ids() -> F:
    """Return the ids of each registration's sessions as "3,1,4", in the same SELECT.

    Joined from a view that groups the choices (``SessionIdList``) rather than
    ``prefetch_related``, which would cost one more query for every chunk of
    rows the cursor fetches, or a subquery for each registration.
    """
    return F("session_id_list__ids")


class Labels:
    """What cells are made with, in the language active when an export starts.

    Choice labels, country names and session titles are translated once here
    rather than once per row; the rows themselves are read later, as the
    file is written, which for a download is after the view has returned.
    """

    def __init__(self):
        def labels(choices) -> dict[str, str]:
            return {value: str(label) for value, label in choices}

        self.status = labels(Registration.Status.choices)
        self.honorific = labels(Registration.Honorific.choices) | {"": ""}
        self.sector = labels(Organisation.Kind.choices)
        self.interpretation = labels(Registration.Interpretation.choices)
        self.delegation_role = labels(Registration.DelegationRole.choices)
        self.country = dict(countries)
        # Every session, not only the event's: the table is small, and an
        # admin may have given a registration a session of another event.
        programme = list(Session.objects.all())
        self.titles = {session.pk: session.localized.title for session in programme}
        self.order = {session.pk: place for place, session in enumerate(programme)}
        # A registration picks a few sessions among a handful, so the same
        # combinations come back again and again.
        self.sessions: dict[str | None, str] = {None: ""}

    def sessions_cell(self, session_ids: str | None) -> str:
        cell = self.sessions.get(session_ids)
        if cell is None:
            ids = sorted(map(int, session_ids.split(",")), key=self.order.get)
            cell = SESSION_SEPARATOR.join(self.titles[id_] for id_ in ids)
            self.sessions[session_ids] = cell
        return cell


def field_label(name: str) -> Callable[[], str]:
    return lambda: str(capfirst(Registration._meta.get_field(name).verbose_name))


def plain(*values):
    return values[0]


class Choice:
    """Make a cell from a choice's label; an unknown (old) value shows as stored.

    ``table`` names the labels' attribute of ``Labels``.
    """

    def __init__(self, table: str):
        self.table = table

    def __call__(self, labels: Labels) -> Callable:
        names = getattr(labels, self.table)
        return lambda value: names.get(value, value or "")

    def database(self, labels: Labels, value: Expression) -> Expression:
        return sql.choice_label(getattr(labels, self.table), value)


def first_value(labels: Labels, value: Expression) -> Expression:
    return value


@dataclass(frozen=True)
class InPython:
    """A cell the database leaves to Python: it selects ``value``, Python makes
    the cell with the column's ``cell``.

    For a cell of few distinct values that costs the database more to make
    than it costs Python to make once per value.
    """

    value: Expression


@dataclass(frozen=True)
class Column:
    """One column: its header, the values it reads, and how it makes a cell."""

    header: Callable[[], str]
    fields: tuple[str, ...]
    # Given the export's labels, return the function from values to the cell.
    cell: Callable[[Labels], Callable[..., Cell]] = lambda labels: plain
    kind: str = TEXT
    # A width that fits most values, in characters (for XLSX); the renderer
    # widens a column to its longest value up to a limit.
    width: int = 12
    # Given the export's labels and the expressions of ``fields``, return the
    # cell as a database expression; by default the cell's own ``database``
    # (a ``Choice``'s) or the first value as stored.
    database: Callable[..., Expression] | None = None

    def database_cell(self, labels: Labels) -> Expression:
        """Return, as an expression of a registration, what ``cell`` makes."""
        make = self.database or getattr(self.cell, "database", first_value)
        return make(labels, *(F(name) for name in self.fields))


COLUMNS: tuple[Column, ...] = (
    Column(lambda: str(_("ID")), ("pk",), kind=NUMBER, width=6),
    Column(field_label("status"), ("status",), Choice("status"), width=14),
    Column(field_label("honorific"), ("honorific",), Choice("honorific"), width=8),
    Column(field_label("family_name"), ("family_name",), width=16),
    Column(field_label("given_name"), ("given_name",), width=16),
    Column(field_label("name_ja"), ("name_ja",), width=14),
    Column(field_label("email"), ("email",), width=28),
    Column(
        field_label("organisation"),
        ("organisation__name", "organisation__name_ja", "organisation_other"),
        lambda labels: (
            lambda name, name_ja, other: organisation_display_name(
                name=name, name_ja=name_ja, other=other
            )
        ),
        width=30,
        # The listed organisation's name is never empty: NULL means none.
        database=lambda labels, name, name_ja, other: Coalesce(
            sql.in_active_language(name, name_ja), other
        ),
    ),
    Column(
        lambda: str(_("Organisation kind")),
        ("organisation__kind",),
        Choice("sector"),
        width=20,
    ),
    Column(field_label("position"), ("position",), width=24),
    Column(
        field_label("delegation"),
        ("delegation__organisation__name", "delegation__organisation__name_ja"),
        lambda labels: (
            lambda name, name_ja: (
                "" if name is None else in_active_language(name, name_ja)
            )
        ),
        width=24,
        database=lambda labels, name, name_ja: sql.in_active_language(name, name_ja),
    ),
    Column(
        field_label("delegation_role"),
        ("delegation_role",),
        Choice("delegation_role"),
        width=16,
    ),
    Column(field_label("protocol_rank"), ("protocol_rank",), width=14),
    Column(field_label("country"), ("country",), Choice("country"), width=16),
    Column(lambda: str(_("Country code")), ("country",), width=6),
    Column(field_label("category"), ("category",), Choice("sector"), width=20),
    Column(
        field_label("sessions"),
        ("session_ids",),
        lambda labels: labels.sessions_cell,
        width=40,
        # Joined in programme order, the titles would cost the database a
        # sort per registration; Python makes each combination once.
        database=lambda labels, ids: InPython(session_ids()),
    ),
    Column(field_label("dietary_needs"), ("dietary_needs",), width=20),
    Column(field_label("accessibility_needs"), ("accessibility_needs",), width=20),
    Column(
        field_label("interpretation"),
        ("interpretation",),
        Choice("interpretation"),
        width=14,
    ),
    Column(field_label("submitted_at"), ("submitted_at",), kind=MOMENT, width=19),
    Column(field_label("reviewed_at"), ("reviewed_at",), kind=MOMENT, width=19),
    Column(
        field_label("reviewed_by"),
        (f"reviewed_by__{get_user_model().USERNAME_FIELD}",),
        lambda labels: lambda name: name or "",
        width=14,
    ),
)


def column_headers() -> list[str]:
    """Return the header row, in the active language."""
    return [column.header() for column in COLUMNS]


def attendee_rows(registrations: QuerySet) -> Iterator[list[Cell]]:
    """Return the rows of ``registrations``: one list of typed cells each.

    Rows come in the queryset's order, read in one SELECT through a database
    cursor, so memory stays the same whatever their number. Text is as
    stored: the renderers neutralise formulas as their format needs.
    """
    labels = Labels()
    fields: list[str] = []
    makers = []
    for column in COLUMNS:
        first = len(fields)
        fields.extend(column.fields)
        pick = operator.itemgetter(*range(first, len(fields)))
        make = column.cell(labels)
        if len(column.fields) == 1:
            makers.append(lambda row, pick=pick, make=make: make(pick(row)))
        else:
            makers.append(lambda row, pick=pick, make=make: make(*pick(row)))

    def rows() -> Iterator[list[Cell]]:
        for row in (
            registrations.annotate(session_ids=session_ids())
            .values_list(*fields)
            .iterator(chunk_size=FETCH_ROWS)
        ):
            yield [make(row) for make in makers]

    return rows()
