"""The attendee list's CSV file with its lines written by PostgreSQL.

On PostgreSQL the one SELECT that reads the registrations also writes each
one's line of the file: every column's cell as ``columns.COLUMNS`` declare it
for the database, made text as ``csv.text_cell`` makes it (moments in Tokyo
time, everything else neutralised), quoted and joined with commas. The
database sends the lines with ``COPY``, which can share the work among its
parallel workers (a cursor cannot), into a temporary file; Python then reads
them back, ends each with a CRLF and writes them after the byte-order mark
and the header: the same bytes as ``csv.render`` writes from the rows made in
Python, because Python's work for each of some 23 cells of every row (the
column's function, the label, ``text_cell``, ``neutralise``, Django's
converters) was most of the export's time. The one cell the database leaves
to Python is the sessions', whose titles it would sort in programme order for
every registration: it gives their ids and marks the cell's place in the
line, and Python makes each combination's cell once.

SQLite, a database in another encoding than UTF-8 and psycopg 3 keep the rows
made in Python.
"""

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connections
from django.db.backends.postgresql import psycopg_any
from django.db.models import Expression, F, Func, QuerySet, TextField, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from registrations.documents import copy_out, csv
from registrations.documents.columns import (
    CELL_BREAKS,
    COLUMNS,
    EXPORT_TIMEZONE,
    FORMULA_TRIGGERS,
    MOMENT,
    Choice,
    Column,
    InPython,
    Labels,
    neutralise,
)

TEXT = TextField()
DAY = 24 * 60 * 60
CONTENT_TYPE = csv.CONTENT_TYPE
EXTENSION = csv.EXTENSION

# Python's whitespace (``str.isspace``, and ``\s`` in its expressions) but the
# line break, carriage return and tab, which ``neutralise`` treats apart:
# ``[^\S\n\r\t]`` spelled out, because PostgreSQL's bracket expressions cannot
# hold ``\S`` and its ``[[:space:]]`` follows the database's locale.
SPACES = (
    "\x0b\x0c\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
    "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
BREAKS = "".join(sorted(CELL_BREAKS))
# The hyphen last, where a bracket expression takes it as itself.
TRIGGERS = "".join(sorted(FORMULA_TRIGGERS - {"-"})) + "-"
# ``neutralise``'s rule as a PostgreSQL expression: a quote at the start, and
# after each line break, tab or semicolon, wherever spaces and a trigger follow.
CELL_STARTS = f"(^|(?<=[{BREAKS}]))(?=[{SPACES}]*[{TRIGGERS}])"
# Between the cells of a line for the one test of a whole row; any character
# would do, since the test only has to find every cell that needs the rule.
CELL_JOINER = "\x01"
# Where a cell Python makes goes in a line the database writes: outside
# quotes, where no value can be (see ``mark_at``).
MARK = "\x02"
MARK_BYTE = MARK.encode()
# Whether any cell of a row joined by CELL_JOINER may need a quote: it holds
# a break, or a cell starts with a space or a trigger (the rule then looks
# further, past the spaces). Most rows do not, and their cells are then
# written without the rule's expression.
ROW_NEEDS_QUOTES = f"[{BREAKS}]|(^|{CELL_JOINER})[{SPACES}{TRIGGERS}]"


def available(registrations: QuerySet) -> bool:
    """Return whether the database of ``registrations`` can write the lines."""
    connection = connections[registrations.db]
    if connection.vendor != "postgresql":
        return False
    if psycopg_any.is_psycopg3:
        return False
    connection.ensure_connection()
    return connection.connection.info.parameter_status("server_encoding") == "UTF8"


@functools.cache
def steady_offset(zone: ZoneInfo) -> tuple[datetime, datetime, str]:
    """Return a span in which ``zone`` keeps one offset, and that offset's text.

    The span around the moment of the first call in which Python's zone
    database gives one offset, day by day and then to the second at its
    ends, twenty years back and a year on at most: attendee lists hold recent
    moments. In Tokyo, twenty years back. The text is as ``isoformat`` writes
    it, "+09:00".
    """
    now = int(timezone.now().timestamp())

    def offset(second: int) -> timedelta:
        return datetime.fromtimestamp(second, zone).utcoffset()

    def farthest_alike(step: int, days: int) -> datetime:
        """Return the farthest second from now by ``step`` with now's offset."""
        inside = now
        for _ in range(days):
            if offset(inside + step) != offset(now):
                outside = inside + step
                while abs(outside - inside) > 1:
                    middle = (inside + outside) // 2
                    if offset(middle) == offset(now):
                        inside = middle
                    else:
                        outside = middle
                break
            inside += step
        return datetime.fromtimestamp(inside, UTC)

    text = datetime.fromtimestamp(now, zone).isoformat(timespec="seconds")[19:]
    return farthest_alike(-DAY, 20 * 366), farthest_alike(DAY, 366), text


class LocalTime(Func):
    """A moment as Python's ``isoformat(timespec="seconds")`` in EXPORT_TIMEZONE.

    The zone's clock to the second, then its offset from UTC: as written
    within the span in which the zone keeps the offset it has now
    (``steady_offset``), else the difference of the two clocks. That
    difference is Python's text for a zone east of Greenwich whose offset is
    whole minutes, as Tokyo's has been since Japan's standard time began in
    1888 (its local mean time before was 9:18:59 ahead, which Python writes
    with the seconds).
    """

    output_field = TEXT

    def as_sql(self, compiler, connection, **extra_context):
        moment, params = compiler.compile(self.source_expressions[0])
        zone = str(EXPORT_TIMEZONE)
        since, until, offset = steady_offset(EXPORT_TIMEZONE)
        local = f"({moment} AT TIME ZONE %s)"
        utc = f"({moment} AT TIME ZONE 'UTC')"
        return (
            f"""to_char({local}, 'YYYY-MM-DD"T"HH24:MI:SS') || CASE"""
            f" WHEN {moment} BETWEEN %s AND %s THEN %s"
            f""" ELSE to_char({local} - {utc}, '"+"HH24:MI') END""",
            (*params, zone, *params, since, until, offset) + (*params, zone, *params),
        )


class CsvLine(Func):
    """A registration's line of the file but its end: its cells quoted, commas between.

    ``cells`` are those the database writes, text, never NULL; ``marks`` the
    places, among all the line's cells, of those Python writes, which the line
    holds as a bare ``MARK``. Cells marked in ``neutralised`` go through the
    rule and have their double quotes doubled, moments do not. The rule only
    runs in a row where one test finds that a quote may be due
    (``ROW_NEEDS_QUOTES``) in one of ``tested``, texts that hold every place
    where a cell could start; in the others it would leave every cell as it
    is.
    """

    output_field = TEXT

    def __init__(self, cells, neutralised, tested, marks=()):
        super().__init__(*cells, *tested)
        self.neutralised = tuple(neutralised)
        self.marks = frozenset(marks)

    def as_sql(self, compiler, connection, **extra_context):
        compiled = [compiler.compile(part) for part in self.source_expressions]
        count = len(self.neutralised)
        cells, tested = compiled[:count], compiled[count:]
        if not tested:
            return self.line(cells, neutralised=False)
        test, test_params = quote_may_be_due(tested)
        quoted, quoted_params = self.line(cells, neutralised=True)
        plain, plain_params = self.line(cells, neutralised=False)
        return (
            f"CASE WHEN {test} THEN {quoted} ELSE {plain} END",
            (*test_params, *quoted_params, *plain_params),
        )

    def line(self, compiled: list[tuple[str, Sequence]], *, neutralised: bool):
        """Return the line's SQL and parameters, with the rule if ``neutralised``."""
        fields = []
        for (sql, cell_params), rule in zip(compiled, self.neutralised, strict=True):
            if neutralised and rule:
                sql, cell_params = neutralised_sql(sql, cell_params)
            if rule:
                # A double quote inside a field is written twice, as csv.writer
                # does; a moment holds none.
                sql = f"""replace({sql}, '"', '""')"""
            fields.append((sql, cell_params))
        # The fields in runs between the marks, and the text around the runs.
        parts, params, text = [], [], ""
        remaining, place, places = iter(fields), 0, len(fields) + len(self.marks)
        while place < places:
            comma = "," if place else ""
            if place in self.marks:
                text, place = text + comma + MARK, place + 1
                continue
            run = []
            while place < places and place not in self.marks:
                run.append(next(remaining))
                place += 1
            parts += ["%s", f"""concat_ws('","', {", ".join(sql for sql, _ in run)})"""]
            params += [text + comma + '"', *(param for _, ps in run for param in ps)]
            text = '"'
        return f"concat({', '.join(parts)}, %s)", (*params, text)


def neutralised_sql(sql: str, params: Sequence) -> tuple[str, tuple]:
    """Return ``neutralise`` of the text ``sql`` as PostgreSQL's expression."""
    return f"regexp_replace({sql}, %s, '''', 'g')", (*params, CELL_STARTS)


def quote_may_be_due(texts: Sequence[tuple[str, Sequence]]) -> tuple[str, tuple]:
    """Return the test of whether the rule may change any of ``texts`` (SQL).

    False only where ``neutralise`` leaves every one as it is.
    """
    joined = ", ".join(sql for sql, _ in texts)
    params = [param for _, text_params in texts for param in text_params]
    return f"concat_ws(%s, {joined}) ~ %s", (CELL_JOINER, *params, ROW_NEEDS_QUOTES)


def quoted(text: str) -> str:
    """Return a field as ``csv.writer`` writes it with every field quoted."""
    return '"' + text.replace('"', '""') + '"'


def made_in_python(column: Column, labels: Labels) -> Callable[[bytes | None], bytes]:
    """Return the function that makes a column's cell, quoted, from its value.

    The value comes as the database's UTF-8, the cell goes as the file's.
    Each distinct value is made once: a cell the database leaves to Python
    has few of them.
    """
    make = column.cell(labels)
    cells = {}

    def cell(value: bytes | None) -> bytes:
        made = cells.get(value)
        if made is None:
            text = csv.text_cell(make(None if value is None else value.decode()))
            made = cells[value] = quoted(text).encode()
        return made

    return cell


def tested_text(column: Column, labels: Labels, text: Expression) -> Expression:
    """Return what the row's test reads for a cell of ``column`` whose text is ``text``.

    The value as stored, a column of the row, where the cell is that value, or
    a label which the rule leaves as it is (checked here, once) and else the
    value: the test then costs the database no second lookup of the label.
    Any other cell is tested as it is written.
    """
    (value, *others) = (Cast(F(name), TEXT) for name in column.fields)
    if column.database is None and not others:
        if not isinstance(column.cell, Choice):
            return value
        names = getattr(labels, column.cell.table).values()
        if all(neutralise(name) == name for name in names):
            return value
    return text


def line_parts(
    labels: Labels, columns: Sequence[Column] = COLUMNS
) -> tuple[list[Expression], list[Callable[[bytes | None], bytes]]]:
    """Return what the database selects for a line, and how Python completes it.

    The database writes the line, commas included but not its end, with a
    bare ``MARK`` for each cell it leaves to Python (``InPython``), and selects
    the values of those cells after it; each function of the second list
    makes one's cell.
    """
    cells, neutralised, tested, marks, values, made = [], [], [], [], [], []
    for place, column in enumerate(columns):
        value = column.database_cell(labels)
        if isinstance(value, InPython):
            marks.append(place)
            values.append(value.value)
            made.append(made_in_python(column, labels))
        elif column.kind == MOMENT:
            cells.append(Coalesce(LocalTime(value), Value(""), output_field=TEXT))
            neutralised.append(False)
        else:
            text = Coalesce(Cast(value, TEXT), Value(""), output_field=TEXT)
            cells.append(text)
            neutralised.append(True)
            tested.append(tested_text(column, labels, text))
    return [CsvLine(cells, neutralised, tested, marks), *values], made


def attendee_lines(registrations: QuerySet) -> Iterator[bytes]:
    """Return the lines of ``registrations``, in the queryset's order, in UTF-8.

    The labels, and so the language, are those active when this is called;
    the lines are read when iterated, in one ``COPY`` through a temporary
    file, so that memory stays the same whatever their number.
    """
    selected, made = line_parts(Labels())
    names = [f"csv_line_{place}" for place, _ in enumerate(selected)]
    rows = registrations.annotate(**dict(zip(names, selected, strict=True)))
    return joined(copy_out.copied(rows.values_list(*names)), made)


LINE_END = b"\r\n"


def joined(chunks: Iterator[list[bytes]], made: Sequence[Callable]) -> Iterator[bytes]:
    """Yield each row's line, ended, with the cells made in Python in its marks.

    ``chunks`` hold the rows as ``COPY`` writes them (``copied``).
    """
    if len(made) == 1:
        # The attendee list: the sessions' cell.
        (cell,) = made
        for chunk in chunks:
            for row in chunk:
                line, value = copy_out.fields(row)
                head, _, tail = line.partition(MARK_BYTE)
                if head.count(b'"') % 2:
                    # A value before the mark holds its character.
                    at = mark_at(line)
                    head, tail = line[:at], line[at + 1 :]
                yield b"".join((head, cell(value), tail, LINE_END))
        return
    for chunk in chunks:
        for row in chunk:
            line, *values = copy_out.fields(row)
            parts, start = [], 0
            for cell, value in zip(made, values, strict=True):
                at = mark_at(line, start)
                parts += [line[start:at], cell(value)]
                start = at + 1
            yield b"".join([*parts, line[start:], LINE_END])


def mark_at(line: bytes, start: int = 0) -> int:
    """Return where in ``line`` the next ``MARK`` outside quotes is, from ``start``.

    Outside quotes, an even number of double quotes comes before it: a quoted
    field holds an even number, and within one a ``MARK`` (a character a value
    may hold) comes after the opening quote and never between the two of a
    doubled one.
    """
    at = line.index(MARK_BYTE, start)
    while line.count(b'"', 0, at) % 2:
        at = line.index(MARK_BYTE, at + 1)
    return at


def render(header: Sequence[str], lines: Iterable[bytes], **layout) -> Iterator[bytes]:
    """Yield the file of ``lines`` under ``header``, in pieces, as ``csv.render``."""
    return csv.lines_bytes(header, lines)
