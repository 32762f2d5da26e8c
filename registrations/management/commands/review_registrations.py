"""Approve, reject or waitlist registrations from the command line."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from registrations import selectors, services
from registrations.models import Registration

Status = Registration.Status
DECISIONS = {
    "approve": Status.APPROVED,
    "reject": Status.REJECTED,
    "waitlist": Status.WAITLISTED,
}


class Command(BaseCommand):
    help = (
        "Review registrations by id, with the same rules as the admin: "
        "review_registrations approve 12 15 --by alice [--note ...] "
        "[--waitlist-if-full]. The delegates are told by email."
    )

    def add_arguments(self, parser):
        parser.add_argument("decision", choices=sorted(DECISIONS))
        parser.add_argument("ids", nargs="+", type=int, help="Registration ids.")
        parser.add_argument(
            "--by", required=True, help="User name of the staff member deciding."
        )
        parser.add_argument("--note", default="", help="The reviewer's note.")
        parser.add_argument(
            "--waitlist-if-full",
            action="store_true",
            help="When approving, waitlist those for whom no seat is left.",
        )

    def handle(self, *args, decision, ids, by, note, waitlist_if_full, **options):
        reviewer = get_user_model().objects.filter(username=by).first()
        if reviewer is None or not selectors.can_review(reviewer):
            raise CommandError(f"{by!r} is not a user who may review registrations.")
        registrations = list(Registration.objects.filter(pk__in=ids))
        missing = sorted(set(ids) - {r.pk for r in registrations})
        if missing:
            raise CommandError(
                f"No registration with id {', '.join(map(str, missing))}."
            )
        outcome = services.registrations_review(
            registrations=registrations,
            decision=DECISIONS[decision],
            by=reviewer,
            note=note,
            waitlist_if_full=waitlist_if_full,
        )
        for registration in outcome.changed:
            self.stdout.write(
                f"{registration.pk} {registration.display_name}: "
                f"{registration.get_status_display()}"
            )
        for registration, reason in outcome.refused:
            self.stderr.write(
                f"{registration.pk} {registration.display_name}: {reason}"
            )
        if outcome.refused:
            raise CommandError(f"{len(outcome.refused)} of {len(ids)} refused.")
