"""The record of every attendee list that leaves the system, and its download."""

from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from registrations.documents.columns import (
    EXPORT_TIMEZONE,
    attendee_rows,
    column_headers,
)
from registrations.documents.csv import csv_bytes
from registrations.models import Event, ExportLog


def export_filename(
    *, event: Event | None, selection: str, today: date | None = None
) -> str:
    """Return the file name: the event, the selection and today's date in Tokyo.

    For example ``apac-human-smuggling-2027_approved_2026-11-27.csv``.
    """
    today = today or timezone.localdate(timezone=EXPORT_TIMEZONE)
    event_part = event.slug if event else "all-events"
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
