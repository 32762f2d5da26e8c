"""On PostgreSQL the database writes the CSV file's lines: the same bytes as Python.

The export reads every line made by one SELECT (``documents/csv_lines.py``)
where the database is PostgreSQL, and makes the rows in Python everywhere
else. These tests put both to work on the same registrations, holding every
awkward value a file can meet, and prove the database's formula guard and
clock against Python's own.
"""

import csv
import datetime
import io
import tempfile
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import DateTimeField, Value
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registrations.documents import audit, columns, copy_out, csv_lines, selection
from registrations.documents import csv as csv_file
from registrations.models import (
    DelegationRole,
    Event,
    ExportLog,
    Organisation,
    Registration,
    Sector,
)
from tests.factories import (
    DelegationFactory,
    EventFactory,
    OrganisationFactory,
    RegistrationFactory,
    SessionFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db
Status = Registration.Status

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL, which writes the lines itself; SQLite makes the "
    "rows in Python (CI's PostgreSQL run executes it)",
)

# Where a spreadsheet could see a formula: at the start, after spaces, after
# each break an import may split at, in ASCII and in fullwidth, and the
# values the rule must leave alone.
AWKWARD = [
    "=1+1",
    " =1+1",
    "\u3000＋81 3 5501 8000",
    "\xa0-x",
    "\x0b@x",
    "Ministry;=1+1",
    "Smith;  -Jones",
    'Halal; "no pork"\r\nThanks',
    "Counsellor,\nTreaties Division",
    "a\n\n=b",
    "\t=1",
    "\r-1",
    "\t\t=",
    ";;;@",
    "＝1",
    "x\t\t\t",
    "-",
    "+",
    "@",
    "'=already quoted",
    '"',
    '""',
    'Yamada, "Hana"',
    "山田 花子",
    "O'Neil",
    "Smith-Jones",
    # What COPY writes with a backslash, and a control character it does not.
    "C:\\Users\\n\\",
    "\\N",
    "a\x08b\x0cc\x01",
    # The character that marks the sessions' place in the database's line.
    "\x02",
    'a"\x02"b',
    "",
]


def exported(
    export_of: Callable[[], audit.AttendeeExport], *, in_database: bool, language
) -> bytes:
    """Return the file's bytes with the lines from the database or from Python."""
    with translation.override(language), pytest.MonkeyPatch.context() as patch:
        if not in_database:
            patch.setattr(csv_lines, "available", lambda registrations: False)
        export = export_of()
        assert (export.renderer is csv_lines) == in_database
        return b"".join(export)


@pytest.fixture
def awkward_event():
    """An event whose registrations hold every status, choice and awkward value."""
    event = EventFactory(slug="awkward")
    start = event.starts_at
    # Created out of programme order, so that ids and places differ.
    panel = SessionFactory(
        event=event,
        title='-panel; =HYPERLINK("x")',
        title_ja="＝パネル",
        starts_at=start + datetime.timedelta(hours=3),
    )
    opening = SessionFactory(
        event=event, title="Opening; keynote", title_ja="開会", starts_at=start
    )
    closing = SessionFactory(
        event=event,
        title='Closing "words"',
        title_ja="",
        starts_at=start + datetime.timedelta(hours=5),
    )
    elsewhere = SessionFactory(title=" +other event's session")
    ministry = OrganisationFactory(
        name="Ministry of Justice", name_ja="法務省", kind=Organisation.Kind.GOVERNMENT
    )
    untranslated = OrganisationFactory(name="=Untranslated NGO", name_ja="")
    # One of every kind, with and without a Japanese name; None: typed.
    organisations = [
        OrganisationFactory(
            name=f"{kind} body", name_ja="" if place % 2 else f"{kind}機関", kind=kind
        )
        for place, kind in enumerate(Organisation.Kind.values)
    ] + [ministry, untranslated, None, None]
    delegations = [
        DelegationFactory(event=event, organisation=ministry),
        DelegationFactory(event=event, organisation=untranslated),
    ]
    reviewer = get_user_model().objects.create_user("=reviewer")
    moments = [
        datetime.datetime(2026, 11, 27, 0, 30, 59, 999_999, tzinfo=datetime.UTC),
        datetime.datetime(2026, 12, 31, 15, 0, tzinfo=datetime.UTC),
        datetime.datetime(2027, 1, 19, 14, 59, 59, tzinfo=datetime.UTC),
        # Japan's summer time of 1949: ten hours ahead.
        datetime.datetime(1949, 7, 1, 12, 0, tzinfo=datetime.UTC),
        datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC),
    ]
    combinations = [[], [opening], [panel, opening], [closing, panel, opening]]
    for number, value in enumerate(AWKWARD):
        organisation = organisations[number % len(organisations)]
        delegation = delegations[number // 4 % 2] if number % 4 == 1 else None
        registration = RegistrationFactory(
            event=event,
            status=Status.values[number % len(Status.values)],
            honorific=Registration.Honorific.values[
                number % len(Registration.Honorific.values)
            ],
            family_name=value or "Empty",
            given_name=f"{value}given" if value else "Given",
            name_ja=value if number % 2 else "",
            email=f"{value}{number}@example.org",
            organisation=organisation,
            organisation_other="" if organisation else value or "Typed organisation",
            position=value or "-",
            country=("JP", "TH", "PH", "US")[number % 4],
            category=Sector.values[number % len(Sector.values)],
            dietary_needs=value,
            accessibility_needs=value[::-1],
            interpretation=Registration.Interpretation.values[
                number % len(Registration.Interpretation.values)
            ],
            submitted_at=moments[number % len(moments)],
            reviewed_at=moments[(number + 1) % len(moments)] if number % 3 else None,
            reviewed_by=reviewer if number % 2 else None,
            delegation=delegation,
            delegation_role=(
                DelegationRole.values[1 + number % 4] if delegation else ""
            ),
            protocol_rank=value,
            sessions=combinations[number % len(combinations)],
        )
        if number == 3:
            registration.sessions.add(elsewhere)
    # Values no longer among the choices, as an old row may hold.
    old = Registration.objects.filter(event=event).order_by("pk")
    Registration.objects.filter(pk=old[0].pk).update(
        honorific="old;=title", category="=ministry", country="ZZ"
    )
    Registration.objects.filter(pk=old[1].pk).update(interpretation="-fr")
    Organisation.objects.filter(pk=ministry.pk).update(kind="+old kind")
    return event


SELECTIONS = {
    "the command's list": lambda event: selection.for_command(event=event, options={}),
    "the reviewers' list": lambda event: selection.from_changelist(
        QueryDict(), ordering=["-submitted_at", "-pk"]
    ),
    "a filtered list": lambda event: selection.from_changelist(
        QueryDict("status__exact=approved&q=Smith"), ordering=["family_name", "pk"]
    ),
    "a session's attendees": lambda event: selection.for_session(
        event.sessions.get(title="Opening; keynote")
    ),
    "ticked rows": lambda event: selection.from_changelist(
        QueryDict(),
        ordering=["-pk"],
        selected=[str(pk) for pk in event.registrations.values_list("pk", flat=True)][
            ::3
        ],
    ),
}


@needs_postgresql
@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("name", list(SELECTIONS))
def test_the_database_writes_the_file_python_writes(awkward_event, name, language):
    def export_of():
        chosen = SELECTIONS[name](awkward_event)
        return audit.export_start(selection=chosen, user=None)

    from_database = exported(export_of, in_database=True, language=language)
    from_python = exported(export_of, in_database=False, language=language)
    assert from_database == from_python
    assert from_database.count(b"\r\n") > 1, "the selection holds registrations"


@needs_postgresql
def test_the_database_puts_the_quote_where_the_rule_does(awkward_event):
    content = exported(
        lambda: audit.export_start(
            selection=selection.for_command(event=awkward_event, options={}),
            user=None,
        ),
        in_database=True,
        language="en",
    )
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    dietary = {row[rows[0].index("Dietary needs")] for row in rows[1:]}
    assert dietary == {columns.neutralise(value) for value in AWKWARD}
    assert "Ministry;'=1+1" in dietary
    assert "'\t'\t'=" in dietary
    honorifics = {row[rows[0].index("Honorific")] for row in rows[1:]}
    assert "old;'=title" in honorifics  # an old value, as stored and guarded


@needs_postgresql
def test_a_label_the_rule_would_change_is_written_as_python_writes_it(
    awkward_event, monkeypatch
):
    """A translation that starts like a formula gets its quote from the database too."""
    made = columns.Labels.__init__

    def with_hostile_label(labels):
        made(labels)
        labels.status = {**labels.status, Status.APPROVED: "=Approved; -yes"}

    monkeypatch.setattr(columns.Labels, "__init__", with_hostile_label)

    def export_of():
        chosen = selection.for_command(event=awkward_event, options={})
        return audit.export_start(selection=chosen, user=None)

    from_database = exported(export_of, in_database=True, language="en")
    assert from_database == exported(export_of, in_database=False, language="en")
    assert b"\"'=Approved;' -yes\"" in from_database


@needs_postgresql
def test_a_filter_no_row_can_match_gives_the_header_alone(client):
    RegistrationFactory()
    client.force_login(
        StaffUserFactory(
            permissions=[
                "registrations.view_registration",
                "registrations.export_registration",
            ]
        )
    )
    url = reverse("admin:registrations_registration_export")
    response = client.get(f"{url}?status__exact=no-such-status")
    content = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert content.count(b"\r\n") == 1
    assert ExportLog.objects.get().row_count == 0


def jit_now() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit')")
        return cursor.fetchone()[0]


@needs_postgresql
def test_rows_read_back_across_the_files_blocks_are_whole(awkward_event, monkeypatch):
    def export_of():
        chosen = selection.for_command(event=awkward_event, options={})
        return audit.export_start(selection=chosen, user=None)

    whole = exported(export_of, in_database=True, language="en")
    monkeypatch.setattr(copy_out, "READ_BYTES", 7)
    assert exported(export_of, in_database=True, language="en") == whole
    assert whole == exported(export_of, in_database=False, language="en")


@needs_postgresql
def test_a_download_broken_off_leaves_no_file_and_no_setting_behind(monkeypatch):
    monkeypatch.setattr(csv_file, "CHUNK_CHARACTERS", 1)
    files = []
    made = tempfile.TemporaryFile

    def recorded():
        files.append(made())
        return files[-1]

    monkeypatch.setattr(copy_out.tempfile, "TemporaryFile", recorded)
    RegistrationFactory.create_batch(3)
    jit_before = jit_now()
    export = audit.export_start(
        selection=selection.from_changelist(QueryDict()), user=None
    )
    stream = iter(export)
    next(stream)  # the byte-order mark, the header and the first row
    next(stream)  # the second row
    assert [file.closed for file in files] == [False]
    stream.close()
    assert files[0].closed
    assert jit_now() == jit_before
    assert ExportLog.objects.get().row_count == 1


@needs_postgresql
def test_behind_a_pooler_without_server_side_cursors_the_database_writes_the_lines(
    monkeypatch,
):
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    RegistrationFactory()
    export = audit.export_start(
        selection=selection.from_changelist(QueryDict()), user=None
    )
    assert export.renderer is csv_lines
    assert b"".join(export).count(b"\r\n") == 2


def test_only_postgresql_writes_the_lines():
    assert csv_lines.available(Registration.objects.all()) == (
        connection.vendor == "postgresql"
    )


def test_the_spaces_spelled_out_are_pythons_whitespace_but_the_breaks():
    """``neutralise`` skips Python's whitespace; the database's list is the same."""
    whitespace = {chr(code) for code in range(0x110000) if chr(code).isspace()}
    assert set(csv_lines.SPACES) == whitespace - {"\n", "\r", "\t"}
    assert len(csv_lines.SPACES) == len(set(csv_lines.SPACES))


# The database's rule and clock against Python's, on any input. Each example
# is one query; the fixtures are untouched by the examples.
AT_STAKE = "ab =+-@\t\r\n;＝＋－＠'\"\x0b\x1c\x85\xa0\u2000\u2028\u3000山"


def database_value(sql: str, params) -> object:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)
        return cursor.fetchone()[0]


@needs_postgresql
@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=AT_STAKE, max_size=10) | st.text(max_size=20))
def test_the_databases_rule_is_neutralise(value):
    value = value.replace("\0", "")
    sql, params = csv_lines.neutralised_sql("%s::text", [value])
    assert database_value(sql, params) == columns.neutralise(value)


@needs_postgresql
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.text(alphabet=AT_STAKE + "\x01", max_size=6), min_size=1, max_size=5)
)
def test_a_row_the_test_passes_is_one_the_rule_leaves_as_it_is(values):
    sql, params = csv_lines.quote_may_be_due([("%s::text", [v]) for v in values])
    if not database_value(sql, params):
        assert all(columns.neutralise(value) == value for value in values)


@needs_postgresql
@settings(
    max_examples=300,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    # Recent moments, whose offset is written as it is, and any since 1888.
    st.datetimes(
        min_value=datetime.datetime(2000, 1, 1),
        max_value=datetime.datetime(2035, 1, 1),
        timezones=st.just(datetime.UTC),
    )
    | st.datetimes(
        min_value=datetime.datetime(1888, 1, 1),
        max_value=datetime.datetime(2200, 1, 1),
        timezones=st.just(datetime.UTC),
    )
)
def test_the_databases_clock_is_pythons_in_tokyo(event, moment):
    written = (
        Event.objects.filter(pk=event.pk)
        .annotate(text=csv_lines.LocalTime(Value(moment, DateTimeField())))
        .values_list("text", flat=True)
        .get()
    )
    assert written == moment.astimezone(columns.EXPORT_TIMEZONE).isoformat(
        timespec="seconds"
    )


@pytest.mark.parametrize("name", ["Asia/Tokyo", "Europe/Paris", "America/New_York"])
def test_the_span_of_one_offset_ends_where_the_clock_changes(name):
    zone = ZoneInfo(name)
    since, until, text = csv_lines.steady_offset(zone)
    now = timezone.now()
    assert since <= now <= until
    offset = now.astimezone(zone).utcoffset()
    assert now.astimezone(zone).isoformat().endswith(text)
    second = datetime.timedelta(seconds=1)
    for end, beyond in ((since, since - second), (until, until + second)):
        assert end.astimezone(zone).utcoffset() == offset
        if abs(end - now) < datetime.timedelta(days=365):
            assert beyond.astimezone(zone).utcoffset() != offset
