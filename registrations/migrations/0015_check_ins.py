"""Check-ins at the door, the Door staff group, and the reviewers' view of both.

Door staff may use the door page and see the live attendance, nothing else;
reviewers, who see registrations already, may also read the check-ins and
the attendance in the admin.
"""

import importlib

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

GROUP_NAME = "Door staff"
PERMISSIONS = ["check_in_delegates", "view_attendance"]
REVIEWER_PERMISSIONS = ["view_checkin", "view_attendance"]
groups = importlib.import_module("registrations.migrations.0003_reviewers_group")


def create_door_staff(apps, schema_editor):
    groups.make_group(apps, GROUP_NAME, PERMISSIONS)
    grant_reviewers(apps, schema_editor)


def grant_reviewers(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    reviewers = Group.objects.filter(name=groups.GROUP_NAME).first()
    if reviewers is not None:
        reviewers.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="registrations",
                codename__in=REVIEWER_PERMISSIONS,
            )
        )


def remove_door_staff(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0014_event_waitlist_and_venue"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="registrationsession",
            name="checked_in_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the delegate first entered the session's room.",
                null=True,
                verbose_name="checked in at",
            ),
        ),
        migrations.CreateModel(
            name="CheckIn",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "door",
                    models.CharField(
                        help_text="The door's name as its device was set up, e.g. Door 2.",
                        max_length=40,
                        verbose_name="door",
                    ),
                ),
                (
                    "device",
                    models.CharField(
                        help_text="The identifier the door's device chose when it was set up.",
                        max_length=64,
                        verbose_name="device",
                    ),
                ),
                (
                    "nonce",
                    models.CharField(
                        help_text="Chosen by the device for this scan; the same scan sent twice.",
                        max_length=64,
                        unique=True,
                        verbose_name="nonce",
                    ),
                ),
                (
                    "method",
                    models.CharField(
                        choices=[
                            ("qr", "QR code"),
                            ("code", "Short code typed"),
                            ("search", "Found by search"),
                        ],
                        max_length=8,
                        verbose_name="method",
                    ),
                ),
                (
                    "scanned_at",
                    models.DateTimeField(
                        help_text="The device's clock when the badge was read.",
                        verbose_name="scanned at",
                    ),
                ),
                (
                    "received_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="received at"
                    ),
                ),
                (
                    "offline",
                    models.BooleanField(
                        default=False,
                        help_text="Checked on the device without the server, and sent later.",
                        verbose_name="offline",
                    ),
                ),
                (
                    "forced",
                    models.BooleanField(
                        default=False,
                        help_text="Staff let the delegate in again although already in.",
                        verbose_name="let in anyway",
                    ),
                ),
                (
                    "flag",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("twice", "Let in twice: two doors were offline"),
                            (
                                "cancelled",
                                "Let in offline, but the registration is cancelled",
                            ),
                            (
                                "not_approved",
                                "Let in offline, but the registration is not approved",
                            ),
                            ("reissued", "Let in offline with a badge since replaced"),
                            (
                                "not_in_session",
                                "Let in offline to a session the delegate did not choose",
                            ),
                        ],
                        help_text="Why staff should look at this entry; empty: nothing to see.",
                        max_length=16,
                        verbose_name="flag",
                    ),
                ),
                (
                    "badge",
                    models.ForeignKey(
                        blank=True,
                        help_text="The badge read; empty when the delegate was found by search.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="check_ins",
                        to="registrations.badge",
                        verbose_name="badge",
                    ),
                ),
                (
                    "checked_in_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="check_ins_made",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="checked in by",
                    ),
                ),
                (
                    "earlier",
                    models.ForeignKey(
                        blank=True,
                        help_text="The entry already recorded when this one arrived.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="later_entries",
                        to="registrations.checkin",
                        verbose_name="earlier entry",
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="check_ins",
                        to="registrations.event",
                        verbose_name="event",
                    ),
                ),
                (
                    "registration",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="check_ins",
                        to="registrations.registration",
                        verbose_name="registration",
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        blank=True,
                        help_text="The session at whose room the delegate entered; empty: venue.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="check_ins",
                        to="registrations.session",
                        verbose_name="session",
                    ),
                ),
            ],
            options={
                "verbose_name": "check-in",
                "verbose_name_plural": "check-ins",
                "ordering": ["-scanned_at", "-pk"],
                "permissions": [
                    ("check_in_delegates", "Can check in delegates"),
                    ("view_attendance", "Can see the live attendance"),
                ],
                "indexes": [
                    models.Index(
                        fields=["event", "session", "registration"],
                        name="checkin_event_person",
                    )
                ],
            },
        ),
        migrations.RunPython(create_door_staff, remove_door_staff),
    ]
