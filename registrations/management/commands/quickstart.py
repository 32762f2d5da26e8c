"""Prepare a local site: settings file, database, the symposium, an admin account."""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

ADMIN_USERNAME = "admin"
LOCAL_SETTINGS = """\
# Local development settings, written by `manage.py quickstart`. Every command
# run from this folder reads them; variables set in the environment win.
# Never used in production, and kept out of git (.gitignore).
DEBUG=true
SECRET_KEY={secret_key}
# Links in emails start with this address: change the port here when you run
# the server on another one (manage.py runserver 8001).
SITE_URL=http://127.0.0.1:8000
"""


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
        self.write_local_settings()
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database ready.")
        call_command("load_symposium", stdout=self.stdout)
        User = get_user_model()
        if User.objects.filter(username=ADMIN_USERNAME).exists():
            self.stdout.write(
                f"The admin account '{ADMIN_USERNAME}' exists already. To set a new "
                f"password: .venv/bin/python manage.py changepassword {ADMIN_USERNAME}"
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

    def write_local_settings(self) -> None:
        """Write the git-ignored .env that later commands read, unless it exists."""
        if not settings.ENV_FILE:
            return
        path = Path(settings.ENV_FILE)
        if path.exists():
            self.stdout.write(f"Local settings: {path.name} exists already, kept.")
            return
        text = LOCAL_SETTINGS.format(secret_key=secrets.token_urlsafe(50))
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        self.stdout.write(
            f"Local settings written to {path.name}: later commands need no DEBUG=true."
        )
