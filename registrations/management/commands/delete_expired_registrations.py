"""Delete personal data kept past its retention period (run it daily).

Passport data of visa requests goes first (VISA_DATA_RETENTION_DAYS after the
event), then whole registrations (REGISTRATION_RETENTION_DAYS).
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from registrations import services


class Command(BaseCommand):
    help = (
        "Delete the registrations of events that ended more than "
        "REGISTRATION_RETENTION_DAYS days ago, and the passport data of visa "
        "requests VISA_DATA_RETENTION_DAYS days after the event, as the privacy "
        "notice promises."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only say how many registrations would be deleted.",
        )

    def handle(self, *args, dry_run, **options):
        visas = services.visa_data_delete_expired(dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} the passport data of {visas} visa requests of events that "
            f"ended over {settings.VISA_DATA_RETENTION_DAYS} days ago."
        )
        count = services.registrations_delete_expired(dry_run=dry_run)
        days = settings.REGISTRATION_RETENTION_DAYS
        self.stdout.write(
            f"{verb} {count} registrations of events that ended over {days} days ago."
        )
