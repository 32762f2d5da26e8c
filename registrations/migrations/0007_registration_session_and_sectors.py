"""Give the chosen sessions a model of their own, and one vocabulary of sectors.

The table Django made for ``Registration.sessions`` becomes the table of
``RegistrationSession`` as it is, rows and all, then takes the model's name,
a named constraint and the moment each session was chosen (for the rows
already there: when the registration was submitted). Check-in at a session
will record on this model.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

SECTORS = [
    ("government", "Government"),
    ("international", "International organisation"),
    ("ngo", "Non-governmental organisation"),
    ("academic", "Academia"),
    ("press", "Press"),
    ("other", "Other"),
]


def chosen_when_submitted(apps, schema_editor):
    Registration = apps.get_model("registrations", "Registration")
    RegistrationSession = apps.get_model("registrations", "RegistrationSession")
    submitted = Registration.objects.filter(pk=OuterRef("registration_id")).values(
        "submitted_at"
    )
    RegistrationSession.objects.update(chosen_at=Subquery(submitted[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0006_outgoing_email"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RegistrationSession",
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
                            "registration",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="session_choices",
                                to="registrations.registration",
                                verbose_name="registration",
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="choices",
                                to="registrations.session",
                                verbose_name="session",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "registrations_registration_sessions",
                        "unique_together": {("registration", "session")},
                    },
                ),
                migrations.AlterField(
                    model_name="registration",
                    name="sessions",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="registrations",
                        through="registrations.RegistrationSession",
                        to="registrations.session",
                        verbose_name="sessions",
                    ),
                ),
            ],
        ),
        migrations.AlterModelTable(name="registrationsession", table=None),
        migrations.AlterUniqueTogether(name="registrationsession", unique_together=set()),
        migrations.AddConstraint(
            model_name="registrationsession",
            constraint=models.UniqueConstraint(
                fields=("registration", "session"), name="registration_session_once"
            ),
        ),
        migrations.AddField(
            model_name="registrationsession",
            name="chosen_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                help_text="When the session was added to the registration.",
                verbose_name="chosen at",
            ),
        ),
        migrations.RunPython(chosen_when_submitted, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name="registrationsession",
            options={
                "verbose_name": "chosen session",
                "verbose_name_plural": "chosen sessions",
            },
        ),
        migrations.AlterField(
            model_name="organisation",
            name="kind",
            field=models.CharField(choices=SECTORS, max_length=20, verbose_name="kind"),
        ),
        migrations.AlterField(
            model_name="registration",
            name="category",
            field=models.CharField(
                choices=SECTORS, max_length=20, verbose_name="category"
            ),
        ),
    ]
