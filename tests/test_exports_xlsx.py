"""The attendee list as an Excel workbook: the CSV's values, typed, ready to sort."""

import csv
import datetime
import io
from io import StringIO

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.urls import reverse
from django.utils.translation import override
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from registrations.documents import audit, selection, xlsx
from registrations.models import ExportLog, Registration
from tests.factories import (
    OrganisationFactory,
    RegistrationFactory,
    SessionFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db
Status = Registration.Status
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_EXPORT = "admin:registrations_registration_export"
XLSX_EXPORT = "admin:registrations_registration_export_xlsx"
CHANGELIST = "admin:registrations_registration_changelist"


@pytest.fixture
def exporter(client):
    user = StaffUserFactory(
        permissions=[
            "registrations.view_registration",
            "registrations.view_session",
            "registrations.export_registration",
        ]
    )
    client.force_login(user)
    return client


@pytest.fixture
def delegates():
    session = SessionFactory(title="Protecting victims", title_ja="被害者の保護")
    event = session.event
    RegistrationFactory(
        event=event,
        status=Status.APPROVED,
        given_name="Hanako",
        family_name='Yamada, "Hana"',
        name_ja="山田 花子",
        position="Counsellor,\r\nTreaties Division",
        dietary_needs="=1+1",
        accessibility_needs="_x0041_ as typed",
        organisation=OrganisationFactory(name="Ministry of Justice", name_ja="法務省"),
        submitted_at=datetime.datetime(2026, 11, 27, 0, 30, tzinfo=datetime.UTC),
        reviewed_at=datetime.datetime(2026, 11, 27, 15, 0, 5, tzinfo=datetime.UTC),
        reviewed_by=StaffUserFactory(username="tanaka"),
        sessions=[session],
    )
    RegistrationFactory(
        event=event,
        organisation=None,
        organisation_other="@Kyodo News",
        position="-",
        honorific="",
        # Where an import splitting on semicolons, or trimming spaces, would
        # start a cell.
        dietary_needs="Halal;=1+1",
        accessibility_needs=" +81 3 5501 8000",
    )
    return event


def workbook(content: bytes):
    return load_workbook(io.BytesIO(content))


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def as_excel_reads(value):
    """Return a cell's value as Excel shows it.

    XlsxWriter writes a carriage return, and text that looks like one of the
    format's own escapes, as ``_xHHHH_``; Excel decodes them, openpyxl does not.
    """
    return unescape(value) if isinstance(value, str) else value


def test_the_workbook_holds_the_csvs_rows_cell_by_cell_dates_as_dates(
    exporter, delegates
):
    csv_file = b"".join(exporter.get(reverse(CSV_EXPORT)).streaming_content)
    response = exporter.get(reverse(XLSX_EXPORT))
    assert response["Content-Type"] == XLSX_TYPE
    sheet = workbook(b"".join(response.streaming_content)).active
    expected = csv_rows(csv_file)
    rows = [[as_excel_reads(c.value) for c in row] for row in sheet.iter_rows()]
    assert len(rows) == len(expected) == 3
    assert rows[0] == expected[0]
    moments = 0
    for xlsx_row, csv_row in zip(rows[1:], expected[1:], strict=True):
        for value, text in zip(xlsx_row, csv_row, strict=True):
            if text == "":
                assert value is None
            elif isinstance(value, datetime.datetime):
                moments += 1
                assert value == datetime.datetime.fromisoformat(text).replace(
                    tzinfo=None
                )
            elif isinstance(value, int):
                assert str(value) == text
            else:
                assert value == text
    # Submitted at for both, reviewed at for one: real date cells, Tokyo time.
    assert moments == 3
    submitted = [c for c in sheet[1] if c.value == "Submitted at"][0].column
    cell = sheet.cell(row=2, column=submitted)
    assert cell.is_date and cell.number_format == xlsx.DATE_FORMAT


def test_cells_a_spreadsheet_would_evaluate_are_text_with_the_quote(
    exporter, delegates
):
    sheet = workbook(
        b"".join(exporter.get(reverse(XLSX_EXPORT)).streaming_content)
    ).active
    values = {c.value: c for row in sheet.iter_rows(min_row=2) for c in row}
    for dangerous in (
        "'=1+1",
        "'@Kyodo News",
        "'-",
        "Halal;'=1+1",
        "' +81 3 5501 8000",
    ):
        assert values[dangerous].data_type == "s"
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_characters_excel_refuses_are_removed_and_the_rest_kept():
    assert xlsx.excel_text("Bad\x01\x0bname\ufffe") == "Badname"
    assert xlsx.excel_text("Line one\nline two\ttab") == "Line one\nline two\ttab"
    assert xlsx.excel_text("=SUM(A1)") == "'=SUM(A1)"
    assert len(xlsx.excel_text("x" * 40_000)) == xlsx.CELL_LIMIT


def test_a_refused_character_in_the_data_does_not_break_the_workbook(exporter):
    RegistrationFactory(dietary_needs="No\x01 pork\x1f")
    sheet = workbook(
        b"".join(exporter.get(reverse(XLSX_EXPORT)).streaming_content)
    ).active
    assert "No pork" in [c.value for c in sheet[2]]


def test_the_header_is_frozen_filtered_and_the_columns_fit(exporter, delegates):
    sheet = workbook(
        b"".join(exporter.get(reverse(XLSX_EXPORT)).streaming_content)
    ).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:W3"
    assert all(c.font.b for c in sheet[1])
    widths = {
        sheet.cell(row=1, column=index + 1).value: dimension.width
        for index, dimension in enumerate(
            sheet.column_dimensions[letter] for letter in "ABCDEFGHIJKLMNOPQRST"
        )
    }
    assert widths["Email"] >= len("delegate0@example.org")
    assert widths["Position"] >= len("Treaties Division")
    assert widths["ID"] < widths["Email"]


def test_japanese_staff_get_a_japanese_workbook(delegates):
    with override("ja"):
        export = audit.export_start(
            selection=selection.for_command(event=delegates, options={}),
            user=None,
            file_format=ExportLog.Format.XLSX,
        )
        book = workbook(b"".join(export))
    sheet = book.active
    assert sheet.title == "参加者"
    assert sheet["A1"].value == "登録番号"
    texts = {c.value for row in sheet.iter_rows() for c in row}
    assert {"山田 花子", "法務省", "被害者の保護", "承認済み"} <= texts


def test_selected_rows_and_a_session_export_as_xlsx_too(exporter, delegates):
    chosen = Registration.objects.filter(status=Status.APPROVED).get()
    response = exporter.post(
        reverse(CHANGELIST),
        {"action": "export_selected_xlsx", ACTION_CHECKBOX_NAME: [chosen.pk]},
    )
    assert response["Content-Type"] == XLSX_TYPE
    sheet = workbook(b"".join(response.streaming_content)).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [chosen.pk]

    session = chosen.sessions.get()
    url = reverse("admin:registrations_session_export_xlsx", args=[session.pk])
    page = exporter.get(
        reverse("admin:registrations_session_change", args=[session.pk])
    )
    assert f'href="{url}"' in page.content.decode()
    response = exporter.get(url)
    assert (
        response["Content-Disposition"].endswith('.xlsx"')
        or ".xlsx" in (response["Content-Disposition"])
    )
    sheet = workbook(b"".join(response.streaming_content)).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [chosen.pk]
    logs = ExportLog.objects.order_by("pk")
    assert [(log.kind, log.file_format, log.row_count) for log in logs] == [
        (ExportLog.Kind.SELECTED, ExportLog.Format.XLSX, 1),
        (ExportLog.Kind.SESSION, ExportLog.Format.XLSX, 1),
    ]
    assert all(log.filename.endswith(".xlsx") for log in logs)


def test_the_changelist_offers_the_xlsx_with_its_filters(exporter, delegates):
    page = exporter.get(reverse(CHANGELIST), {"status__exact": "approved"})
    link = f"{reverse(XLSX_EXPORT)}?status__exact=approved"
    assert f'href="{link}"' in page.content.decode()
    assert "export_selected_xlsx" in page.content.decode()


def test_the_command_writes_a_workbook(tmp_path, delegates):
    target = tmp_path / "attendees.xlsx"
    call_command("export_attendees", output=str(target), stderr=StringIO())
    sheet = workbook(target.read_bytes()).active
    assert sheet.max_row == 3
    log = ExportLog.objects.get()
    assert log.file_format == ExportLog.Format.XLSX
    assert log.filename.endswith(".xlsx") and log.row_count == 2
    explicit = tmp_path / "list"
    call_command(
        "export_attendees", "--format=xlsx", output=str(explicit), stderr=StringIO()
    )
    assert explicit.read_bytes()[:2] == b"PK"


@pytest.mark.parametrize("count", [10, 5_000])
def test_a_workbook_takes_four_queries_whatever_its_size(
    seed, django_assert_num_queries, count
):
    event = seed(count)
    with django_assert_num_queries(4):
        export = audit.export_start(
            selection=selection.for_command(event=event, options={}),
            user=None,
            file_format=ExportLog.Format.XLSX,
        )
        sheet = workbook(b"".join(export)).active
    assert sheet.max_row == count + 1
    assert ExportLog.objects.get().row_count == count
