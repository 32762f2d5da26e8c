"""The history of a registration: each status transition and each edit."""

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from registrations.models.registrations import Registration


class RegistrationChange(models.Model):
    """One recorded change of a registration: a status transition or an edit."""

    class Actor(models.TextChoices):
        STAFF = "staff", _("Staff")
        DELEGATE = "delegate", _("Delegate")
        FOCAL_POINT = "focal_point", _("Focal point")
        SYSTEM = "system", _("System")

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        related_name="changes",
        on_delete=models.CASCADE,
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    actor = models.CharField(_("by"), max_length=20, choices=Actor.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        related_name="registration_changes",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    from_status = models.CharField(
        _("from status"), max_length=20, choices=Registration.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("to status"), max_length=20, choices=Registration.Status.choices, blank=True
    )
    fields = models.JSONField(
        _("fields changed"),
        default=list,
        blank=True,
        help_text=_("Names of the fields an edit changed."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("registration change")
        verbose_name_plural = _("registration changes")
        ordering = ["changed_at", "pk"]

    def __str__(self):
        if self.to_status:
            from_status = self.get_from_status_display() or "–"
            return f"{from_status} → {self.get_to_status_display()}"
        return ", ".join(self.field_labels())

    def field_labels(self) -> list[str]:
        """Return the names of the fields changed as the reader's language says them."""
        labels = []
        for name in self.fields:
            try:
                field = Registration._meta.get_field(name)
            except FieldDoesNotExist:
                labels.append(name)  # a field that no longer exists
            else:
                labels.append(str(capfirst(field.verbose_name)))
        return labels
