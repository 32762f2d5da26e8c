"""Write an event's List of Participants, the file the admin gives, for scripts."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registrations.documents import participants
from registrations.management.commands.export_attendees import (
    Command as ExportCommand,
)
from registrations.models import ExportLog
from registrations.selectors.participants import LANGUAGES


class Command(BaseCommand):
    help = (
        "Write the List of Participants of an event (approved delegates who did "
        "not opt out, in protocol order) as a PDF or an XLSX workbook, in the "
        "English or the Japanese edition. It is marked provisional until staff "
        "mark it final in the admin. Every edition is recorded."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--event", help="The event's slug (default: the next event to come)."
        )
        parser.add_argument("--language", choices=LANGUAGES, default="en")
        parser.add_argument(
            "--format", choices=participants.FORMATS, default=ExportLog.Format.PDF
        )
        parser.add_argument("--output", required=True, help="The file to write.")

    def handle(self, *args, **options):
        event = ExportCommand.find_event(self, options["event"])
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"Cannot write {output}: no such folder.")
        document = participants.participants_document(
            event=event,
            language=options["language"],
            file_format=options["format"],
            user=None,
            kind=ExportLog.Kind.COMMAND,
        )
        try:
            output.write_bytes(document.content)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
        self.stdout.write(
            f"Wrote {output}: {document.log.row_count} participants "
            f"({document.log.filters['state']})."
        )
