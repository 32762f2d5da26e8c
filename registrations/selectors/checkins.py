"""Reads for the door: who may use it, what a door's device holds, who is in.

A door's device keeps what it downloads for the day, and a tablet can be
lost: it holds no badge secret, only the SHA-256 of each (a secret has 256
random bits, so its hash cannot be turned back into a badge that opens the
door), no short code (40 bits could be found again from a hash), no email,
no private link. What it does hold is what the door staff must see anyway:
names, organisations, roles and photo thumbnails of the approved delegates.
"""

import base64
import io
import logging

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from PIL import Image

from registrations.models import (
    ATTENDING,
    Badge,
    BadgeCheck,
    CheckIn,
    DelegatePhoto,
    Event,
    Registration,
    RegistrationSession,
    Session,
)

logger = logging.getLogger(__name__)
Status = Registration.Status

CHECK_IN_PERMISSION = "registrations.check_in_delegates"
ATTENDANCE_PERMISSION = "registrations.view_attendance"
# The photo on a door's screen: enough to recognise a face, a few kilobytes.
THUMBNAIL_SIZE = (160, 214)
THUMBNAIL_CACHE_SECONDS = 24 * 3600


def can_check_in(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Return whether ``user`` may let delegates in at a door."""
    return user.has_perm(CHECK_IN_PERMISSION)


def can_view_attendance(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Return whether ``user`` may see who is in, counted."""
    return user.has_perm(ATTENDANCE_PERMISSION)


def door_events() -> QuerySet:
    """Return the events a door may serve: those not yet over, soonest first."""
    return Event.objects.filter(ends_at__gte=timezone.now()).order_by("starts_at")


def photo_thumbnail(photo: DelegatePhoto) -> str | None:
    """Return a small JPEG of the photo as a data: URL (None if its file is gone).

    Made once a day per photo and kept in the cache: a photo's file name
    changes whenever the photo does.
    """
    key = f"door-thumbnail:{photo.file_name}"
    if (cached := cache.get(key)) is not None:
        return cached
    try:
        with Image.open(io.BytesIO(photo.read())) as image:
            image.thumbnail(THUMBNAIL_SIZE)
            output = io.BytesIO()
            image.convert("RGB").save(output, "JPEG", quality=75, optimize=True)
    except OSError:
        logger.warning("The photo of registration %s is unreadable", photo.pk)
        return None
    url = "data:image/jpeg;base64," + base64.b64encode(output.getvalue()).decode()
    cache.set(key, url, THUMBNAIL_CACHE_SECONDS)
    return url


def entry_at_venue(check_in: CheckIn) -> dict:
    return {"at": check_in.scanned_at.isoformat(), "door": check_in.door}


def door_person(registration: Registration) -> dict:
    """Return what a door shows of a delegate, the photo aside."""
    return {
        "id": registration.pk,
        "name": registration.full_name,
        "family_name": registration.family_name,
        "name_ja": registration.name_ja,
        "organisation": registration.organisation_name,
        "position": registration.position,
        "category": registration.get_category_display(),
        "delegation": registration.delegation and str(registration.delegation),
        "role": registration.get_delegation_role_display(),
        "rank": registration.protocol_rank,
    }


def door_delegate(registration: Registration, entries: dict) -> dict:
    """Return what a door keeps of one approved delegate."""
    photo = getattr(registration, "photo", None)
    return {
        **door_person(registration),
        "photo": photo_thumbnail(photo) if photo else None,
        "badges": [badge.secret_sha256 for badge in registration.current_badges],
        "sessions": [choice.session_id for choice in registration.session_choices_],
        "entered": entries.get(registration.pk),
    }


def door_manifest(event: Event) -> dict:
    """Return what a door's device needs to check badges without the network.

    The approved delegates (with their current badges' hashes, chosen
    sessions and first entry, if any), the hashes of badges that must be
    refused with their reason, and the event's sessions for a room's door.
    """
    attending = (
        Registration.objects.filter(event=event, status=ATTENDING)
        .select_related("organisation", "delegation__organisation", "photo")
        .prefetch_related(
            Prefetch(
                "badges",
                queryset=Badge.objects.filter(replaced_at__isnull=True),
                to_attr="current_badges",
            ),
            Prefetch(
                "session_choices",
                queryset=RegistrationSession.objects.only("registration", "session"),
                to_attr="session_choices_",
            ),
        )
        .order_by("family_name", "given_name", "pk")
    )
    first_entries = {}
    for check_in in (
        CheckIn.objects.filter(event=event, session__isnull=True)
        .only("registration", "scanned_at", "door")
        .order_by("-scanned_at")
    ):
        first_entries[check_in.registration_id] = entry_at_venue(check_in)
    refused = {}
    for digest, replaced_at, status in (
        Badge.objects.filter(registration__event=event)
        .filter(~Q(registration__status=ATTENDING) | Q(replaced_at__isnull=False))
        .values_list("secret_sha256", "replaced_at", "registration__status")
    ):
        if replaced_at is not None:
            refused[digest] = BadgeCheck.REISSUED
        elif status == Status.CANCELLED:
            refused[digest] = BadgeCheck.CANCELLED
        else:
            refused[digest] = BadgeCheck.NOT_APPROVED
    sessions = Session.objects.filter(event=event).order_by("starts_at", "room")
    return {
        "event": {"id": event.pk, "title": str(event)},
        "generated_at": timezone.now().isoformat(),
        "delegates": [door_delegate(r, first_entries) for r in attending],
        "refused": refused,
        "sessions": [
            {"id": session.pk, "title": str(session), "room": session.room}
            for session in sessions
        ],
    }


def attendance(event: Event) -> dict:
    """Return who is in, counted: in total, by category, by delegation, by session.

    Aggregates only: one query for each count, however many delegates.
    """
    entered = CheckIn.objects.filter(
        event=event, session__isnull=True, registration=OuterRef("pk")
    )
    attending = Registration.objects.filter(event=event, status=ATTENDING).annotate(
        entered=Exists(entered)
    )
    counts = {"approved": Count("pk"), "in": Count("pk", filter=Q(entered=True))}
    categories = dict(Registration.Category.choices)
    by_category = [
        {"label": str(categories.get(row["category"], row["category"])), **row}
        for row in attending.order_by("category").values("category").annotate(**counts)
    ]
    by_delegation = [
        {
            "label": row["delegation__organisation__name"],
            "approved": row["approved"],
            "in": row["in"],
        }
        for row in attending.filter(delegation__isnull=False)
        .order_by("delegation__organisation__name")
        .values("delegation__organisation__name")
        .annotate(**counts)
    ]
    sessions = (
        Session.objects.filter(event=event)
        .annotate(
            approved=Count(
                "choices", filter=Q(choices__registration__status=ATTENDING)
            ),
            entered=Count(
                "choices",
                filter=Q(
                    choices__registration__status=ATTENDING,
                    choices__checked_in_at__isnull=False,
                ),
            ),
        )
        .order_by("starts_at", "room")
    )
    total = attending.aggregate(**counts)
    return {
        "generated_at": timezone.now().isoformat(),
        "approved": total["approved"],
        "in": total["in"],
        "flagged": CheckIn.objects.filter(event=event).flagged().count(),
        "by_category": [
            {"label": row["label"], "approved": row["approved"], "in": row["in"]}
            for row in by_category
        ],
        "by_delegation": by_delegation,
        "by_session": [
            {"label": str(s), "approved": s.approved, "in": s.entered} for s in sessions
        ],
    }
