#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "symposium.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - reading the settings checks them
    except ImproperlyConfigured as error:
        # One line that says what to set, rather than a traceback.
        sys.exit(f"Configuration error: {error} (README.md, Configuration)")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
