"""Recover the emails a worker left behind (run it every few minutes)."""

import argparse
import datetime

from django.core.management.base import BaseCommand

from registrations.mail import recovery


def positive_seconds(value: str) -> datetime.timedelta:
    try:
        seconds = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a whole number of seconds"
        ) from None
    if seconds < 1:
        raise argparse.ArgumentTypeError("must be at least 1 second")
    return datetime.timedelta(seconds=seconds)


class Command(BaseCommand):
    help = (
        "Send again the emails whose attempt never finished (the mail worker "
        "stopped during it) and hand over those left without a delivery task. "
        "With the immediate task backend (development), also send the retries "
        "that are due. The mail worker does everything else."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stalled-after",
            type=positive_seconds,
            default=None,
            metavar="SECONDS",
            help=(
                "Take an attempt under way for this long to have died "
                "(default: ten times EMAIL_TIMEOUT, plus five minutes)."
            ),
        )

    def handle(self, *args, stalled_after, **options):
        outcome = recovery.emails_recover(stalled=stalled_after)
        self.stdout.write(
            f"Sent again {len(outcome.restarted)} emails whose attempt did not "
            f"finish; handed over {len(outcome.handed_over)} emails waiting "
            "without a delivery task."
        )
