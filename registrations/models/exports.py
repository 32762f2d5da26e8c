"""The record of the attendee lists that left the system."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.models.programme import Event


class ExportLog(models.Model):
    """A record of one attendee list that left the system: who, when, what, how many."""

    class Kind(models.TextChoices):
        SELECTED = "selected", _("Selected registrations")
        FILTERED = "filtered", _("Filtered list")
        SESSION = "session", _("Session attendees")
        COMMAND = "command", _("Management command")
        DELEGATIONS = "delegations", _("List of delegations")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", _("Excel workbook (XLSX)")

    exported_at = models.DateTimeField(_("exported at"), default=timezone.now)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("exported by"),
        related_name="exports",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
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

    class Meta:
        verbose_name = _("export record")
        verbose_name_plural = _("export records")
        ordering = ["-exported_at", "-pk"]

    def __str__(self):
        return f"{self.filename or self.get_kind_display()} ({self.row_count})"
