"""Print an event's badges as one PDF, the file the staff page gives, for scripts."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import transaction

from registrations import services
from registrations.documents import badges, selection
from registrations.management.commands.export_attendees import (
    Command as ExportCommand,
)
from registrations.models import ATTENDING, ExportLog, Registration, Sector

Status = Registration.Status


class Command(ExportCommand):
    help = (
        "Write the badges of an event's registrations (approved ones by default) "
        "to a PDF: one A6 page per badge (--layout a6), or four to an A4 sheet "
        "with crop marks (--layout a4-4up). Badges are issued on their first "
        "print; printing one again needs --reason. Every print is recorded."
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
                f"commas (default: {ATTENDING}). Rejected and cancelled "
                "registrations get no badge."
            ),
        )
        parser.add_argument(
            "--category",
            action="append",
            default=[],
            choices=Sector.values,
            help="Only this category; may be repeated (default: all).",
        )
        parser.add_argument(
            "--layout", choices=list(badges.LAYOUTS), default="a6", help="a6 or a4-4up."
        )
        parser.add_argument(
            "--unprinted",
            action="store_true",
            help="Only the badges never printed yet (late approvals).",
        )
        parser.add_argument(
            "--reason",
            default="",
            help="Why badges printed before are printed again (lost, damaged...).",
        )
        parser.add_argument(
            "--by", help="The staff member's user name, for the record."
        )
        parser.add_argument("--output", required=True, help="The PDF file to write.")

    def handle(self, *args, **options):
        event = self.find_event(options["event"])
        statuses = self.parse_statuses(options["status"]) or [ATTENDING]
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"Cannot write {output}: no such folder.")
        user = self.find_user(options["by"])
        recorded = {
            name: options[name]
            for name in ("event", "status", "category", "layout", "unprinted", "output")
            if options[name]
        }
        chosen = selection.for_badges(
            event=event,
            statuses=statuses,
            categories=options["category"],
            unprinted=options["unprinted"],
            kind=ExportLog.Kind.COMMAND,
            filters=recorded,
        )
        try:
            # Written inside the transaction: a file that cannot be written
            # leaves no print on record and no badge issued.
            with transaction.atomic():
                document = badges.badge_document(
                    selection=chosen,
                    user=user,
                    layout=options["layout"],
                    reason=options["reason"],
                )
                try:
                    output.write_bytes(document.content)
                except OSError as error:
                    raise CommandError(
                        f"Cannot write {output}: {error.strerror}."
                    ) from None
        except services.RegistrationError as error:
            raise CommandError(error.message) from None
        counts = document.record.counts
        self.stderr.write(
            self.style.SUCCESS(
                f"Wrote {len(document.record.badges)} badges of “{event.title}” on "
                f"{document.pages} pages to {output} ({counts['first']} first "
                f"prints, {counts['reprint']} reprints, {counts['replacement']} "
                "replacements)."
            )
        )

    def find_user(self, username: str | None):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        return user
