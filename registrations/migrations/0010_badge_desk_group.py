"""Create the Badge desk group: print and reissue badges, see and add photos."""

import importlib

from django.db import migrations

GROUP_NAME = "Badge desk"
PERMISSIONS = [
    "view_registration",
    "print_badges",
    "view_badge",
    "view_delegatephoto",
    "change_delegatephoto",
]
groups = importlib.import_module("registrations.migrations.0003_reviewers_group")


def create_badge_desk(apps, schema_editor):
    groups.make_group(apps, GROUP_NAME, PERMISSIONS)


def remove_badge_desk(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0009_badges_photos_and_document_records"),
    ]

    operations = [migrations.RunPython(create_badge_desk, remove_badge_desk)]
