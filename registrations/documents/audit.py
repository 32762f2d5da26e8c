"""The record of every attendee list that leaves the system, and its download.

Whatever the format, an export is one ``ExportLog``: who took which selection,
when, as which file, and how many rows. The record exists before the first
byte leaves, so that even an export that fails or is broken off is on record.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import ModuleType

from django.contrib.auth.models import AbstractBaseUser
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from registrations.documents import csv, csv_lines, xlsx
from registrations.documents.columns import (
    EXPORT_TIMEZONE,
    Cell,
    attendee_rows,
    column_headers,
)
from registrations.documents.selection import Selection
from registrations.models import Event, ExportLog

# The most characters of the selection's name in a file name.
FILENAME_SELECTION_LENGTH = 120
# The renderers, by the format the record names.
RENDERERS: dict[str, ModuleType] = {
    ExportLog.Format.CSV: csv,
    ExportLog.Format.XLSX: xlsx,
}


def export_filename(
    *, event: Event | None, name: str, extension: str, today: date | None = None
) -> str:
    """Return the file name: the event, the selection and today's date in Tokyo.

    For example ``apac-human-smuggling-2027_approved_2026-11-27.csv``.
    """
    today = today or timezone.localdate(timezone=EXPORT_TIMEZONE)
    event_part = event.slug if event else "all-events"
    # The record's column holds 255 characters: a slug holds 100 at most.
    name = name[:FILENAME_SELECTION_LENGTH].strip("-") or "all"
    return f"{event_part}_{name}_{today.isoformat()}.{extension}"


@dataclass
class AttendeeExport:
    """An export under way: iterate it, once, for the file's bytes.

    The header and the rows' labels are prepared when the export starts, in
    the language of whoever asked for it. The record's ``row_count`` is the
    number of rows handed to the renderer, saved when the iteration ends,
    however it ends: a CSV download that stops halfway records what went out.
    """

    header: list[str]
    # Typed rows, or for ``csv_lines`` the lines the database wrote.
    rows: Iterator[list[Cell]] | Iterator[str]
    log: ExportLog
    renderer: ModuleType
    rows_written: int = field(default=0)
    # How the renderer lays the columns out (XLSX: widths, kinds, sheet name).
    layout: dict = field(default_factory=dict)

    @property
    def filename(self) -> str:
        return self.log.filename

    @property
    def content_type(self) -> str:
        return self.renderer.CONTENT_TYPE

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self.renderer.render(self.header, self._counted(), **self.layout)
        finally:
            self.rows.close()
            self.log.row_count = self.rows_written
            ExportLog.objects.filter(pk=self.log.pk).update(row_count=self.rows_written)

    def _counted(self) -> Iterator[list[Cell]]:
        for row in self.rows:
            yield row
            self.rows_written += 1


def export_start(
    *,
    selection: Selection,
    user: AbstractBaseUser | None,
    file_format: str = ExportLog.Format.CSV,
) -> AttendeeExport:
    """Record an export of ``selection`` and return it, ready to stream.

    A CSV file from PostgreSQL has its lines written by the database
    (``csv_lines``), byte for byte the file of the rows made in Python.
    """
    registrations = selection.registrations
    if file_format == ExportLog.Format.CSV and csv_lines.available(registrations):
        rows, renderer = csv_lines.attendee_lines(registrations), csv_lines
    else:
        rows, renderer = attendee_rows(registrations), RENDERERS[file_format]
    return document_start(
        kind=selection.kind,
        event=selection.event,
        name=selection.name,
        filters=selection.filters,
        header=column_headers(),
        rows=rows,
        user=user,
        file_format=file_format,
        renderer=renderer,
    )


def document_start(
    *,
    kind: str,
    document: str = ExportLog.Document.ATTENDEES,
    event: Event | None,
    name: str,
    filters: Mapping,
    header: list[str],
    rows: Iterator[list[Cell]],
    user: AbstractBaseUser | None,
    file_format: str,
    layout: dict | None = None,
    renderer: ModuleType | None = None,
) -> AttendeeExport:
    """Record any list that leaves the system, and return it ready to stream.

    ``renderer`` writes the file; by default the format's own.
    """
    renderer = renderer or RENDERERS[file_format]
    log = ExportLog.objects.create(
        document=document,
        kind=kind,
        file_format=file_format,
        exported_by=user,
        event=event,
        filters=dict(filters),
        filename=export_filename(event=event, name=name, extension=renderer.EXTENSION),
    )
    return AttendeeExport(
        header=header, rows=rows, log=log, renderer=renderer, layout=layout or {}
    )


def export_response(export: AttendeeExport) -> StreamingHttpResponse:
    """Return the HTTP download of ``export``, streamed as it is written."""
    return StreamingHttpResponse(
        iter(export),
        content_type=export.content_type,
        headers={
            "Content-Disposition": content_disposition_header(
                as_attachment=True, filename=export.filename
            )
        },
    )
