"""Delete registrations kept past their retention period (run it daily)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from registrations import services


class Command(BaseCommand):
    help = (
        "Delete the registrations of events that ended more than "
        "REGISTRATION_RETENTION_DAYS days ago, as the privacy notice promises."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only say how many registrations would be deleted.",
        )

    def handle(self, *args, dry_run, **options):
        count = services.registrations_delete_expired(dry_run=dry_run)
        days = settings.REGISTRATION_RETENTION_DAYS
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {count} registrations of events that ended over {days} days ago."
        )
