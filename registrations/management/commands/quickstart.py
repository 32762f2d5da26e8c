"""Prepare a local site: database, the symposium, and an admin account."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = (
        "For a local trial (DEBUG=true only): create the database tables, load the "
        "symposium and create the 'admin' account, printing its password once."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "quickstart is for a local trial and runs only with DEBUG=true; "
                "in production run migrate and createsuperuser yourself."
            )
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database ready.")
        call_command("load_symposium", stdout=self.stdout)
        User = get_user_model()
        if User.objects.filter(username=ADMIN_USERNAME).exists():
            self.stdout.write(
                f"The admin account '{ADMIN_USERNAME}' exists already. To set a new "
                f"password: python manage.py changepassword {ADMIN_USERNAME}"
            )
        else:
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser(
                ADMIN_USERNAME, email="admin@localhost", password=password
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created the admin account. User name: {ADMIN_USERNAME}  "
                    f"Password: {password}  (shown only now)"
                )
            )
        self.stdout.write(
            "Next: the site at http://127.0.0.1:8000/ and the admin at "
            "http://127.0.0.1:8000/admin/"
        )
