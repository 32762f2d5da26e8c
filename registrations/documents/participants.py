"""The List of Participants: the one selection, as a PDF or an XLSX workbook.

``selectors.participants`` says who is listed and in which order; this module
gives the edition its texts (in English or Japanese), its columns (declared
once, for the workbook) and its record: every edition made, from the admin or
the ``list_of_participants`` command, is an ``ExportLog`` of the document
"List of Participants", with its language, format, state and line count.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from registrations.documents import participants_pdf, xlsx
from registrations.documents.audit import export_filename
from registrations.documents.columns import EXPORT_TIMEZONE, Column
from registrations.documents.delegations import header
from registrations.models import Event, ExportLog
from registrations.selectors.participants import (
    LANGUAGES,
    Section,
    participants_list_is_final,
    participants_sections,
)

Format = ExportLog.Format
FORMATS = (Format.PDF, Format.XLSX)
CONTENT_TYPES = {Format.PDF: "application/pdf", Format.XLSX: xlsx.CONTENT_TYPE}


# The workbook's columns, one row per participant, in the list's order.
PARTICIPANT_COLUMNS: tuple[Column, ...] = (
    Column(header(_("Section")), ("section",), width=22),
    Column(header(_("Delegation or organisation")), ("group",), width=32),
    Column(header(_("Role in the delegation")), ("role",), width=18),
    Column(header(_("Honorific")), ("honorific",), width=8),
    Column(header(_("Title")), ("title",), width=14),
    Column(header(_("Name")), ("name",), width=26),
    Column(header(_("Position")), ("position",), width=30),
    Column(header(_("Organisation")), ("organisation",), width=32),
)


@dataclass(frozen=True)
class ParticipantsDocument:
    """An edition of the list, made and recorded."""

    content: bytes
    filename: str
    content_type: str
    log: ExportLog


def participant_rows(sections: list[Section]) -> Iterator[list[str]]:
    """Yield one row per participant, in the list's order."""
    for section in sections:
        for group in section.groups:
            for participant in group.participants:
                yield [
                    section.heading,
                    group.heading,
                    participant.role,
                    participant.honorific,
                    participant.title,
                    participant.name,
                    participant.position,
                    participant.organisation,
                ]


def edition_texts(event: Event, *, final: bool) -> dict:
    """Return the texts of the pages, in the active language."""
    today = timezone.localdate(timezone=EXPORT_TIMEZONE)
    title = event.localized.title
    state = gettext("Final list") if final else gettext("Provisional list")
    return {
        "event": title,
        "host": event.localized.host,
        "state": state.upper()
        if not translation.get_language().startswith("ja")
        else state,
        "document_title": gettext("List of Participants – %(event)s")
        % {"event": title},
        "subtitle": gettext("List of Participants · as of %(date)s")
        % {"date": today.isoformat()},
        "page": gettext("Page %(number)s"),
        "empty": gettext("No participant is listed yet."),
    }


def participants_document(
    *,
    event: Event,
    language: str,
    file_format: str,
    user: AbstractBaseUser | None,
    kind: str = ExportLog.Kind.EVENT,
) -> ParticipantsDocument:
    """Make the ``language`` edition of the event's list as ``file_format``.

    Recorded in the export log before it is returned.
    """
    if language not in LANGUAGES:
        raise ValueError(f"Unknown language {language!r}")
    if file_format not in FORMATS:
        raise ValueError(f"Unknown format {file_format!r}")
    final = participants_list_is_final(event)
    sections = participants_sections(event, language)
    with translation.override(language):
        if file_format == Format.PDF:
            content, _pages = participants_pdf.render(
                sections, language=language, texts=edition_texts(event, final=final)
            )
        else:
            content = b"".join(
                xlsx.render(
                    [column.header() for column in PARTICIPANT_COLUMNS],
                    participant_rows(sections),
                    columns=PARTICIPANT_COLUMNS,
                    sheet_name=gettext("Participants"),
                )
            )
    state = "final" if final else "provisional"
    filename = export_filename(
        event=event,
        name=f"participants-{language}-{state}",
        extension=file_format,
    )
    log = ExportLog.objects.create(
        document=ExportLog.Document.PARTICIPANTS,
        kind=kind,
        file_format=file_format,
        exported_by=user,
        event=event,
        filters={"language": language, "state": state},
        row_count=sum(section.participant_count for section in sections),
        filename=filename,
    )
    return ParticipantsDocument(
        content=content,
        filename=filename,
        content_type=CONTENT_TYPES[file_format],
        log=log,
    )


def participants_response(document: ParticipantsDocument) -> HttpResponse:
    """Return the edition as a download, kept by no cache on the way."""
    return HttpResponse(
        document.content,
        content_type=document.content_type,
        headers={
            "Content-Disposition": content_disposition_header(
                as_attachment=True, filename=document.filename
            ),
            "Cache-Control": "private, no-store",
        },
    )
