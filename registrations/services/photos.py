"""Badge photos: stored under a random name in the private storage, deleted with it.

The picture arrives already decoded and cleaned (``validators.read_portrait``).
The file is written before the row and deleted after the row is gone (when
the transaction commits), so that a failure leaves at worst a stray file,
never a row without its picture; the file of a replaced or deleted photo is
removed as soon as the change commits (``photo_file_delete``, which
``signals`` also calls when a registration, and so its photo, is deleted).
"""

import logging
import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.signals import post_delete
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.errors import RegistrationError
from registrations.models import ATTENDING, DelegatePhoto, Registration
from registrations.models.photos import private_storage
from registrations.services.capacity import lock_registration
from registrations.validators import Portrait

logger = logging.getLogger(__name__)

PHOTO_FOLDER = "photos"


def delegate_can_upload_photo(*, registration: Registration) -> bool:
    """Return whether the delegate may give a photo: approved, event not over."""
    return (
        registration.status == ATTENDING and registration.event.ends_at > timezone.now()
    )


def photo_file_delete(file_name: str) -> None:
    """Remove a photo's file once the transaction that dropped its row commits."""

    def delete():
        try:
            private_storage().delete(file_name)
        except OSError:
            logger.exception("Could not delete the photo file %s", file_name)

    transaction.on_commit(delete)


def _delete_file_with_row(sender, instance: DelegatePhoto, **kwargs) -> None:
    photo_file_delete(instance.file_name)


def connect_receivers() -> None:
    """Delete a photo's file whenever its row goes (the registration's deletion too).

    Connected once, by the app's ``ready``.
    """
    post_delete.connect(
        _delete_file_with_row, sender=DelegatePhoto, dispatch_uid="photo_file_delete"
    )


def photo_replace(
    *,
    registration: Registration,
    portrait: Portrait,
    by: AbstractBaseUser | None = None,
) -> DelegatePhoto:
    """Store ``portrait`` as the registration's badge photo, replacing any other.

    ``by`` is the staff member; None means the delegate, who may do so only
    while ``delegate_can_upload_photo``.
    """
    if by is None and not delegate_can_upload_photo(registration=registration):
        raise RegistrationError(
            _("A photo can be added once your registration is approved."),
            code="photo_not_yet",
        )
    name = private_storage().save(
        f"{PHOTO_FOLDER}/{uuid.uuid4().hex}.jpg", ContentFile(portrait.jpeg)
    )
    try:
        with transaction.atomic():
            locked = lock_registration(registration)
            old = DelegatePhoto.objects.filter(registration=locked).first()
            if old is not None:
                old.delete()
            photo = DelegatePhoto.objects.create(
                registration=locked,
                file_name=name,
                width=portrait.width,
                height=portrait.height,
                uploaded_by=by,
            )
    except BaseException:
        private_storage().delete(name)
        raise
    logger.info("Registration %s: badge photo stored", registration.pk)
    return photo


def photo_remove(*, registration: Registration) -> bool:
    """Delete the registration's badge photo; return whether there was one."""
    with transaction.atomic():
        locked = lock_registration(registration)
        deleted, _by_model = DelegatePhoto.objects.filter(registration=locked).delete()
    return bool(deleted)
