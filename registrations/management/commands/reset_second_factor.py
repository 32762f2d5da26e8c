"""Remove a staff member's second factor, for a lost or replaced phone."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from symposium.second_factor import second_factor_reset


class Command(BaseCommand):
    help = (
        "Remove the authenticator app and recovery codes of the given staff "
        "accounts. Each sets up a new app at their next sign-in; until then "
        "no session of theirs is verified."
    )

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="+", metavar="USER")

    def handle(self, *args, usernames, **options):
        User = get_user_model()
        users = []
        for username in usernames:
            try:
                users.append(User.objects.get_by_natural_key(username))
            except User.DoesNotExist:
                raise CommandError(f"No user named {username!r}.") from None
        for user in users:
            removed = second_factor_reset(user=user)
            self.stdout.write(
                f"{user.get_username()}: removed {removed} device(s); a new "
                "authenticator app is set up at the next sign-in."
            )
