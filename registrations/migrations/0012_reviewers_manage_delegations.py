"""Let the Reviewers group invite and confirm delegations and read notes verbales."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Reviewers"
PERMISSIONS = [
    "view_delegation",
    "change_delegation",
    "add_delegation",
    "review_delegation",
    "view_note_verbale",
    "view_delegationchange",
    "view_invitation",
    "add_invitation",
    "change_invitation",
    "view_organisation",
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("registrations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP_NAME).first()
    if group is not None:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="registrations", codename__in=PERMISSIONS
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP_NAME).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="registrations", codename__in=PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [("registrations", "0011_delegations_and_invitations")]

    operations = [migrations.RunPython(grant, revoke)]
