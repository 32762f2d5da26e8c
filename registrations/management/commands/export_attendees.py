"""Write an attendee list as CSV or XLSX, the file the admin gives, for scripts."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from registrations.documents import audit, selection
from registrations.models import Event, ExportLog, Organisation, Registration, Session

Status = Registration.Status


class Command(BaseCommand):
    help = (
        "Write the event's registrations as CSV (UTF-8 with a byte-order mark, for "
        "Excel) or as an Excel workbook (--format xlsx, or an --output ending in "
        ".xlsx), alphabetically, to standard output or a file, and record the "
        "export. Filters combine: --status approved --session 3 gives the session's "
        "attendee list as its admin page does."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--event", help="The event's slug (default: the next event to come)."
        )
        parser.add_argument(
            "--status",
            action="append",
            default=[],
            help=(
                "Only registrations in this status; repeat it or separate with "
                f"commas. One of: {', '.join(Status.values)}. Default: all."
            ),
        )
        parser.add_argument(
            "--session", type=int, help="Only delegates who chose this session (id)."
        )
        parser.add_argument(
            "--organisation",
            help="Only delegates of this organisation (id or acronym).",
        )
        parser.add_argument(
            "--output", help="Write to this file (default: standard output)."
        )
        parser.add_argument(
            "--format",
            # The formats an attendee list is written in: not every export's.
            choices=[str(file_format) for file_format in audit.RENDERERS],
            help="csv or xlsx (default: the --output file's extension, else csv).",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _ in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="Language of the headers and labels (default: %(default)s).",
        )

    def handle(self, *args, **options):
        event = self.find_event(options["event"])
        statuses = self.parse_statuses(options["status"])
        session = self.find_session(event, options["session"])
        organisation = self.find_organisation(options["organisation"])
        output = options["output"]
        # The options as given go on record; the event chosen is on it anyway.
        recorded = {
            name: options[name]
            for name in (
                "event",
                "status",
                "session",
                "organisation",
                "output",
                "format",
            )
            if options[name]
        }
        with translation.override(options["language"]), self.writer(output) as write:
            export = audit.export_start(
                selection=selection.for_command(
                    event=event,
                    statuses=statuses,
                    session=session,
                    organisation=organisation,
                    options=recorded,
                ),
                user=None,
                file_format=self.file_format(options["format"], output),
            )
            for chunk in export:
                write(chunk)
        self.stderr.write(
            self.style.SUCCESS(
                f"Exported {export.rows_written} registrations of “{event.title}” "
                f"to {output or 'standard output'}."
            )
        )

    def file_format(self, given: str | None, output: str | None) -> str:
        if given:
            return given
        if output and output.lower().endswith(".xlsx"):
            return ExportLog.Format.XLSX
        return ExportLog.Format.CSV

    def find_event(self, slug: str | None) -> Event:
        event = (
            Event.objects.filter(slug=slug).first() if slug else Event.objects.current()
        )
        if event is None:
            raise CommandError(
                f"No event with the slug {slug!r}."
                if slug
                else "There is no event yet; run load_symposium first."
            )
        return event

    def parse_statuses(self, given: list[str]) -> list[str]:
        statuses = [
            status.strip().lower()
            for value in given
            for status in value.split(",")
            if status.strip()
        ]
        unknown = sorted(set(statuses) - set(Status.values))
        if unknown:
            raise CommandError(
                f"Unknown status {', '.join(unknown)}; "
                f"use one of: {', '.join(Status.values)}."
            )
        return sorted(set(statuses))

    def find_session(self, event: Event, session_id: int | None) -> Session | None:
        if session_id is None:
            return None
        session = event.sessions.filter(pk=session_id).first()
        if session is None:
            raise CommandError(
                f"The event “{event.title}” has no session with the id {session_id}."
            )
        return session

    def find_organisation(self, given: str | None) -> Organisation | None:
        if not given:
            return None
        if given.isdigit():
            matches = Organisation.objects.filter(pk=int(given))
        else:
            matches = Organisation.objects.filter(acronym__iexact=given)
        found = list(matches[:2])
        if not found:
            raise CommandError(f"No organisation with the id or acronym {given!r}.")
        if len(found) > 1:
            raise CommandError(
                f"Several organisations have the acronym {given!r}; give the id."
            )
        return found[0]

    @contextmanager
    def writer(self, output: str | None) -> Iterator[Callable[[bytes], object]]:
        """Yield a function that writes bytes to the file or to standard output.

        The file is opened before the export starts, so that a path that cannot
        be written leaves no export on record.
        """
        if output:
            try:
                file = open(output, "wb")
            except OSError as error:
                raise CommandError(
                    f"Cannot write {output}: {error.strerror}."
                ) from None
            with file:
                yield file.write
            return
        binary = getattr(self.stdout, "buffer", None)
        if binary is None:
            # A text stream, as call_command(stdout=StringIO()) gives.
            yield lambda chunk: self.stdout.write(chunk.decode(), ending="")
            return
        yield binary.write
        binary.flush()
