"""The record of the attendee lists and documents that left the system."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.models.programme import Event


class ExportLog(models.Model):
    """A record of one list or document that left the system: who, when, what, why.

    Every document made from a selection of registrations is one record:
    attendee lists, badges (with a ``BadgePrint`` per badge in it), and the
    documents to come.
    """

    class Document(models.TextChoices):
        ATTENDEES = "attendees", _("Attendee list")
        BADGES = "badges", _("Badges")
        DELEGATIONS = "delegations", _("List of delegations")
        VISA_REQUESTS = "visa_requests", _("Visa requests (protocol office)")
        PARTICIPANTS = "participants", _("List of Participants")
        NEEDS = "needs", _("Dietary and access needs")

    class Kind(models.TextChoices):
        SELECTED = "selected", _("Selected registrations")
        FILTERED = "filtered", _("Filtered list")
        SESSION = "session", _("Session attendees")
        COMMAND = "command", _("Management command")
        EVENT = "event", _("Whole event")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", _("Excel workbook (XLSX)")
        PDF = "pdf", "PDF"

    exported_at = models.DateTimeField(_("exported at"), default=timezone.now)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("exported by"),
        related_name="exports",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    document = models.CharField(
        _("document"),
        max_length=20,
        choices=Document.choices,
        default=Document.ATTENDEES,
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file_format = models.CharField(
        _("format"), max_length=8, choices=Format.choices, default=Format.CSV
    )
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        related_name="exports",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    filters = models.JSONField(
        _("selection"),
        default=dict,
        blank=True,
        help_text=_("The filters, search, session or options that chose the rows."),
    )
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    reason = models.TextField(
        _("reason"),
        blank=True,
        help_text=_("Why it was made, where staff said so (e.g. a reprint)."),
    )

    class Meta:
        verbose_name = _("export record")
        verbose_name_plural = _("export records")
        ordering = ["-exported_at", "-pk"]

    def __str__(self):
        return f"{self.filename or self.get_kind_display()} ({self.row_count})"
