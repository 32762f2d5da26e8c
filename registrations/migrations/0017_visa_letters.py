"""Visa support: requests, letters, letterheads, the access log, the Protocol group."""

import django.db.models.deletion
import django.utils.timezone
import django_countries.fields
from django.conf import settings
import importlib

from django.db import migrations, models


# The Protocol group: the only one that reads passport data, issues letters,
# and sees who read what.
GROUP_NAME = "Protocol"
PERMISSIONS = [
    "view_registration",
    "view_visarequest",
    "change_visarequest",
    "view_passport_data",
    "issue_visa_letter",
    "export_visa_requests",
    "view_visaletter",
    "view_visaletterhead",
    "add_visaletterhead",
    "change_visaletterhead",
    "view_passportdataview",
]
groups = importlib.import_module("registrations.migrations.0003_reviewers_group")


def create_protocol(apps, schema_editor):
    groups.make_group(apps, GROUP_NAME, PERMISSIONS)


def remove_protocol(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0016_search_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="exportlog",
            name="document",
            field=models.CharField(
                choices=[
                    ("attendees", "Attendee list"),
                    ("badges", "Badges"),
                    ("delegations", "List of delegations"),
                    ("visa_requests", "Visa requests (protocol office)"),
                ],
                default="attendees",
                max_length=20,
                verbose_name="document",
            ),
        ),
        migrations.AlterField(
            model_name="outgoingemail",
            name="kind",
            field=models.CharField(
                choices=[
                    ("confirmation", "Registration received"),
                    ("link_resent", "Private link sent again"),
                    ("link_replaced", "Private link replaced"),
                    ("link_requested", "Private link asked for"),
                    ("approved", "Approval"),
                    ("rejected", "Rejection"),
                    ("waitlisted", "Waiting list"),
                    ("waitlisted_full", "Waiting list: no seat left"),
                    ("promoted", "Approval from the waiting list"),
                    ("venue_details", "Venue details"),
                    ("cancelled", "Cancellation"),
                    ("nominated", "Nomination by a delegation"),
                    ("delegation_invited", "Invitation of a delegation"),
                    ("delegation_reminder", "Reminder to a focal point"),
                    ("delegation_submitted", "Delegation received"),
                    ("delegation_confirmed", "Delegation confirmed"),
                    ("portal_link_replaced", "Portal link replaced"),
                    ("invited", "Personal invitation"),
                    ("visa_letter", "Visa support letter"),
                    ("visa_refused", "Visa letter refused"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.CreateModel(
            name="VisaLetter",
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
                    "reference",
                    models.CharField(
                        editable=False,
                        help_text="Printed on the letter and in its QR code.",
                        max_length=40,
                        unique=True,
                        verbose_name="reference",
                    ),
                ),
                (
                    "issued_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="issued at"
                    ),
                ),
                (
                    "japanese_version",
                    models.BooleanField(
                        default=False, verbose_name="with a Japanese version"
                    ),
                ),
                (
                    "file_name",
                    models.CharField(
                        blank=True,
                        editable=False,
                        help_text="The PDF in the private storage; deleted with the passport data.",
                        max_length=200,
                        verbose_name="file",
                    ),
                ),
                (
                    "sent_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="emailed at"
                    ),
                ),
                (
                    "withdrawn_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="withdrawn at"
                    ),
                ),
                (
                    "withdrawal_reason",
                    models.CharField(
                        blank=True, max_length=300, verbose_name="reason for withdrawal"
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="visa_letters",
                        to="registrations.event",
                        verbose_name="event",
                    ),
                ),
                (
                    "issued_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="visa_letters_issued",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="issued by",
                    ),
                ),
                (
                    "withdrawn_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="visa_letters_withdrawn",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="withdrawn by",
                    ),
                ),
            ],
            options={
                "verbose_name": "visa letter",
                "verbose_name_plural": "visa letters",
                "ordering": ["-issued_at", "-pk"],
            },
        ),
        migrations.AddField(
            model_name="outgoingemail",
            name="visa_letter",
            field=models.ForeignKey(
                blank=True,
                help_text="The letter attached to the email, as a PDF.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="emails",
                to="registrations.visaletter",
                verbose_name="visa letter",
            ),
        ),
        migrations.CreateModel(
            name="VisaLetterhead",
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
                    "header",
                    models.TextField(
                        help_text="One line each: the ministry, the division, the address.",
                        verbose_name="letterhead",
                    ),
                ),
                (
                    "header_ja",
                    models.TextField(blank=True, verbose_name="letterhead (Japanese)"),
                ),
                (
                    "signatory_name",
                    models.CharField(max_length=200, verbose_name="signatory's name"),
                ),
                (
                    "signatory_name_ja",
                    models.CharField(
                        blank=True,
                        max_length=200,
                        verbose_name="signatory's name (Japanese)",
                    ),
                ),
                (
                    "signatory_title",
                    models.CharField(max_length=300, verbose_name="signatory's title"),
                ),
                (
                    "signatory_title_ja",
                    models.CharField(
                        blank=True,
                        max_length=300,
                        verbose_name="signatory's title (Japanese)",
                    ),
                ),
                (
                    "stamp_file",
                    models.CharField(
                        blank=True,
                        editable=False,
                        help_text="The official seal printed beside the signature (optional).",
                        max_length=200,
                        verbose_name="stamp image",
                    ),
                ),
                (
                    "event",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="visa_letterhead",
                        to="registrations.event",
                        verbose_name="event",
                    ),
                ),
            ],
            options={
                "verbose_name": "visa letterhead",
                "verbose_name_plural": "visa letterheads",
            },
        ),
        migrations.CreateModel(
            name="VisaRequest",
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
                    "passport_name",
                    models.CharField(
                        blank=True,
                        help_text="Exactly as printed on the passport's data page.",
                        max_length=200,
                        verbose_name="name as in the passport",
                    ),
                ),
                (
                    "passport_number",
                    models.CharField(
                        blank=True, max_length=20, verbose_name="passport number"
                    ),
                ),
                (
                    "nationality",
                    django_countries.fields.CountryField(
                        blank=True, max_length=2, verbose_name="nationality"
                    ),
                ),
                (
                    "date_of_birth",
                    models.DateField(
                        blank=True, null=True, verbose_name="date of birth"
                    ),
                ),
                (
                    "passport_expiry",
                    models.DateField(
                        blank=True, null=True, verbose_name="passport valid until"
                    ),
                ),
                (
                    "stay_from",
                    models.DateField(
                        blank=True, null=True, verbose_name="arrival in Japan"
                    ),
                ),
                (
                    "stay_until",
                    models.DateField(
                        blank=True, null=True, verbose_name="departure from Japan"
                    ),
                ),
                (
                    "mission",
                    models.CharField(
                        help_text="The Japanese embassy or consulate where the visa is applied for.",
                        max_length=200,
                        verbose_name="embassy or consulate",
                    ),
                ),
                (
                    "japanese_version",
                    models.BooleanField(
                        default=False,
                        help_text="The embassy or consulate asks for the letter in Japanese too.",
                        verbose_name="Japanese version",
                    ),
                ),
                (
                    "costs",
                    models.CharField(
                        choices=[
                            (
                                "organisation",
                                "The delegate's government or organisation",
                            ),
                            ("host", "The host ministry"),
                            (
                                "shared",
                                "Travel by the delegate's side, accommodation by the host",
                            ),
                            ("delegate", "The delegate"),
                        ],
                        default="organisation",
                        help_text="Who pays for the journey and the stay, as the letter says.",
                        max_length=12,
                        verbose_name="costs borne by",
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("requested", "Requested"),
                            ("issued", "Letter issued"),
                            ("sent", "Letter sent"),
                            ("refused", "Refused"),
                            ("withdrawn", "Letter withdrawn"),
                        ],
                        default="requested",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                (
                    "requested_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="requested at"
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="corrected at"
                    ),
                ),
                (
                    "decided_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="decided at"
                    ),
                ),
                (
                    "refusal_reason",
                    models.TextField(
                        blank=True,
                        help_text="Sent to the delegate when the request is refused.",
                        verbose_name="reason for refusal",
                    ),
                ),
                (
                    "passport_data_deleted_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="Deleted by the retention job some time after the event.",
                        null=True,
                        verbose_name="passport data deleted at",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="visa_requests_decided",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "registration",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="visa_request",
                        to="registrations.registration",
                        verbose_name="registration",
                    ),
                ),
            ],
            options={
                "verbose_name": "visa request",
                "verbose_name_plural": "visa requests",
                "ordering": ["-requested_at", "-pk"],
                "permissions": [
                    (
                        "view_passport_data",
                        "Can read the passport data of visa requests",
                    ),
                    ("issue_visa_letter", "Can issue, send and withdraw visa letters"),
                    ("export_visa_requests", "Can export the visa requests"),
                ],
            },
        ),
        migrations.AddField(
            model_name="visaletter",
            name="request",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="letters",
                to="registrations.visarequest",
                verbose_name="visa request",
            ),
        ),
        migrations.CreateModel(
            name="PassportDataView",
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
                    "registration_ref",
                    models.PositiveIntegerField(
                        help_text="Kept when the registration itself has been deleted.",
                        verbose_name="registration number",
                    ),
                ),
                (
                    "viewed_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="seen at"
                    ),
                ),
                (
                    "access",
                    models.CharField(
                        choices=[
                            ("page", "Request's page opened"),
                            ("export", "Exported in the protocol list"),
                            ("letter", "Letter PDF downloaded"),
                            ("issue", "Letter issued"),
                        ],
                        max_length=8,
                        verbose_name="how",
                    ),
                ),
                (
                    "viewed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="passport_data_views",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="seen by",
                    ),
                ),
                (
                    "request",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="views",
                        to="registrations.visarequest",
                        verbose_name="visa request",
                    ),
                ),
            ],
            options={
                "verbose_name": "passport data access",
                "verbose_name_plural": "passport data accesses",
                "ordering": ["-viewed_at", "-pk"],
            },
        ),
        migrations.AddConstraint(
            model_name="visarequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "state__in",
                        ["requested", "issued", "sent", "refused", "withdrawn"],
                    )
                ),
                name="visarequest_state_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="visarequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("stay_until__gte", models.F("stay_from")),
                    ("stay_until__isnull", True),
                    ("stay_from__isnull", True),
                    _connector="OR",
                ),
                name="visarequest_stay_ends_after_it_starts",
            ),
        ),
        migrations.AddConstraint(
            model_name="visaletter",
            constraint=models.UniqueConstraint(
                condition=models.Q(("withdrawn_at__isnull", True)),
                fields=("request",),
                name="visaletter_one_in_force_per_request",
            ),
        ),
        migrations.AddField(
            model_name="registration",
            name="visa_needed",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "The delegate said on the form that they need a visa to enter "
                    "Japan; the passport details are given in a visa request."
                ),
                verbose_name="needs a visa",
            ),
        ),
        migrations.RunPython(create_protocol, remove_protocol),
    ]
