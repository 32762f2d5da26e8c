"""Create the Reviewers group with exactly the permissions the review work needs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Reviewers"
PERMISSIONS = [
    "view_registration",
    "change_registration",
    "review_registration",
    "export_registration",
    "view_registrationchange",
]


def make_group(apps, name, codenames):
    """Create group ``name`` holding exactly this app's permissions ``codenames``.

    Later migrations that create a group call this too.
    """
    # Permissions are normally created after all migrations have run; create
    # this app's now so that the group can hold them on a fresh database.
    app_config = apps.get_app_config("registrations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=name)
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="registrations", codename__in=codenames
        )
    )


def create_reviewers(apps, schema_editor):
    make_group(apps, GROUP_NAME, PERMISSIONS)


def remove_reviewers(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("registrations", "0002_export_log_and_permissions"),
    ]

    operations = [migrations.RunPython(create_reviewers, remove_reviewers)]
