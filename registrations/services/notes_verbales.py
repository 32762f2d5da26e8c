"""The note verbale (or nomination letter): uploaded, received, verified.

The focal point uploads it on the portal; its type is read from its content
(``validators.documents``), it is stored under a random name in the private
storage, and only staff with the permission read it back. Staff who receive
it on paper say so; a member of staff verifies it against the members.
A new upload replaces the old file and must be verified again.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.errors import RegistrationError
from registrations.models import Delegation, DelegationChange
from registrations.services.capacity import lock_delegation
from registrations.services.history import record_delegation_change
from registrations.services.nominations import lock_open_delegation
from registrations.validators import documents

Actor = DelegationChange.Actor
Action = DelegationChange.Action
# The most characters of the uploaded file's own name kept, for staff to read.
NAME_KEPT = 200


def delegation_upload_note_verbale(
    *, delegation: Delegation, file: File, original_name: str
) -> Delegation:
    """Store the focal point's note verbale, if its content is a PDF or an image."""
    try:
        found = documents.document_type(file)
    except ValidationError as error:
        raise RegistrationError(error.message, code=error.code) from None
    with transaction.atomic():
        locked = lock_open_delegation(delegation)
        old_name = locked.note_verbale.name
        storage = locked.note_verbale.storage
        locked.note_verbale.save(f"note.{found.extension}", file, save=False)
        try:
            record_upload(locked, original_name=original_name, found=found)
        except BaseException:
            # The new file is written already: it goes with the failed change.
            storage.delete(locked.note_verbale.name)
            raise
        if old_name:
            transaction.on_commit(lambda: storage.delete(old_name), robust=True)
    return locked


def record_upload(locked: Delegation, *, original_name: str, found) -> None:
    """Save the upload's record on the locked delegation: received, to verify."""
    now = timezone.now()
    locked.note_verbale_name = original_name[:NAME_KEPT]
    locked.note_verbale_type = found.content_type
    locked.note_verbale_received_at = now
    locked.note_verbale_verified_at = None
    locked.note_verbale_verified_by = None
    locked.save(
        update_fields=[
            "note_verbale",
            "note_verbale_name",
            "note_verbale_type",
            "note_verbale_received_at",
            "note_verbale_verified_at",
            "note_verbale_verified_by",
        ]
    )
    record_delegation_change(
        locked,
        actor=Actor.FOCAL_POINT,
        action=Action.NOTE_UPLOADED,
        detail=locked.note_verbale_name,
        at=now,
    )


def delegation_mark_note_received(
    *, delegation: Delegation, by: AbstractBaseUser, note: str = ""
) -> Delegation:
    """Record that the note verbale arrived by other means (by hand, by post)."""
    with transaction.atomic():
        locked = lock_delegation(delegation.pk)
        if locked.note_verbale_received_at is not None:
            raise RegistrationError(
                _("The note verbale of %(delegation)s is recorded as received."),
                code="received_already",
                params={"delegation": locked},
            )
        locked.note_verbale_received_at = timezone.now()
        locked.save(update_fields=["note_verbale_received_at"])
        record_delegation_change(
            locked, actor=Actor.STAFF, by=by, action=Action.NOTE_RECEIVED, note=note
        )
    return locked


def delegation_verify_note_verbale(
    *, delegation: Delegation, by: AbstractBaseUser, note: str = ""
) -> Delegation:
    """Record that a member of staff checked the note verbale against the members."""
    with transaction.atomic():
        locked = lock_delegation(delegation.pk)
        if locked.note_verbale_received_at is None:
            raise RegistrationError(
                _("No note verbale of %(delegation)s has been received yet."),
                code="not_received",
                params={"delegation": locked},
            )
        if locked.note_verbale_verified_at is not None:
            raise RegistrationError(
                _("The note verbale of %(delegation)s is verified already."),
                code="verified_already",
                params={"delegation": locked},
            )
        locked.note_verbale_verified_at = timezone.now()
        locked.note_verbale_verified_by = by
        locked.save(
            update_fields=["note_verbale_verified_at", "note_verbale_verified_by"]
        )
        record_delegation_change(
            locked, actor=Actor.STAFF, by=by, action=Action.NOTE_VERIFIED, note=note
        )
    return locked
