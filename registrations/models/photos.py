"""A delegate's portrait for the badge, kept in the private storage."""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.models.registrations import Registration

# The storage alias (settings.STORAGES) of files only staff views serve.
PRIVATE_STORAGE = "private"


def private_storage():
    """Return the storage of uploaded personal files (PRIVATE_MEDIA_ROOT)."""
    return storages[PRIVATE_STORAGE]


class DelegatePhoto(models.Model):
    """The portrait printed on a delegate's badge.

    The file is the upload decoded and written again as a JPEG (resized,
    turned upright, without EXIF or any other metadata) under a random name
    in the private storage, which no public address serves. It is deleted
    with the row (``signals``), so with the registration.
    """

    registration = models.OneToOneField(
        Registration,
        verbose_name=_("registration"),
        related_name="photo",
        on_delete=models.CASCADE,
    )
    file_name = models.CharField(
        _("file"),
        max_length=200,
        unique=True,
        editable=False,
        help_text=_("Its name in the private storage."),
    )
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        related_name="photos_uploaded",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("The staff member; empty when the delegate uploaded it."),
    )

    class Meta:
        verbose_name = _("badge photo")
        verbose_name_plural = _("badge photos")

    def __str__(self):
        return f"{self.registration.full_name} ({self.width}×{self.height})"

    def read(self) -> bytes:
        """Return the JPEG's bytes."""
        with private_storage().open(self.file_name, "rb") as file:
            return file.read()
