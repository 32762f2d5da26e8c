"""The attendee list as an Excel workbook, written in constant memory.

XlsxWriter's ``constant_memory`` mode writes each row to a temporary file as
soon as the next one starts, and keeps strings inline rather than in a table
of shared strings, so memory stays the same however many rows there are; the
workbook is zipped from that file when the last row is in, then streamed.

Cells keep their types: numbers are numbers, moments are real date-time cells
in Tokyo time, text is text (never read as a formula, a number or a link).
Text is neutralised as in the CSV file, so that the two files hold the same
values, and stripped of the characters XML, and so Excel, refuses. The header
row is bold and frozen, the columns carry an autofilter and are as wide as
their longest value, within a limit.
"""

import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

import xlsxwriter
from django.utils.translation import gettext as _

from registrations.documents.columns import (
    COLUMNS,
    EXPORT_TIMEZONE,
    MOMENT,
    NUMBER,
    Cell,
    Column,
    neutralise,
)

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSION = "xlsx"
# Control characters XML 1.0 does not allow (tab, line feed and carriage
# return are allowed), and the two non-characters at the end of the BMP.
REFUSED_BY_EXCEL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# The most characters Excel holds in one cell.
CELL_LIMIT = 32_767
WIDEST_COLUMN = 60
CHUNK_BYTES = 64 * 1024
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"


def excel_text(value: str) -> str:
    """Return text as a cell holds it: neutralised, refused characters removed."""
    return neutralise(REFUSED_BY_EXCEL.sub("", value))[:CELL_LIMIT]


def local_moment(moment: datetime) -> datetime:
    """Return the moment as Tokyo's clock shows it to the second, zone-less."""
    return moment.astimezone(EXPORT_TIMEZONE).replace(tzinfo=None, microsecond=0)


def display_width(text: str) -> int:
    """Return how many columns the longest line of ``text`` takes on screen."""
    if text.isascii():
        return max(map(len, text.split("\n")), default=0)
    return max(
        (
            sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
            for line in text.split("\n")
        ),
        default=0,
    )


def render(
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    columns: Sequence[Column] = COLUMNS,
    sheet_name=None,
) -> Iterator[bytes]:
    """Yield the workbook of ``rows`` under ``header``, in pieces.

    ``columns`` give each cell's kind and the columns' widths (the attendee
    list's unless another document's are given).
    """
    with tempfile.TemporaryFile() as file:
        workbook = xlsxwriter.Workbook(
            file,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        sheet = workbook.add_worksheet(str(sheet_name or _("Attendees"))[:31])
        bold = workbook.add_format({"bold": True})
        moment_format = workbook.add_format({"num_format": DATE_FORMAT})
        widths = [
            max(column.width, display_width(h))
            for column, h in zip(columns, header, strict=True)
        ]
        kinds = [column.kind for column in columns]
        sheet.write_row(0, 0, header, bold)
        last = 0
        for last, row in enumerate(rows, start=1):
            for place, value in enumerate(row):
                if value is None or value == "":
                    continue
                kind = kinds[place]
                if kind == MOMENT:
                    sheet.write_datetime(
                        last, place, local_moment(value), moment_format
                    )
                elif kind == NUMBER:
                    sheet.write_number(last, place, value)
                else:
                    text = excel_text(value)
                    sheet.write_string(last, place, text)
                    if widths[place] < WIDEST_COLUMN:
                        widths[place] = max(widths[place], display_width(text))
        for place, width in enumerate(widths):
            sheet.set_column(place, place, min(width, WIDEST_COLUMN) + 2)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(last, 1), len(header) - 1)
        workbook.close()
        file.seek(0)
        while chunk := file.read(CHUNK_BYTES):
            yield chunk
