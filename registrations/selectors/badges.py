"""Reads about badges and photos: who may print or see them, what a code is."""

import functools
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from registrations.models import ATTENDING, Badge, BadgeCheck, Event, Registration
from registrations.models.badges import (
    SHORT_CODE_LENGTH,
    normalise_short_code,
    secret_hash,
)

Status = Registration.Status


PRINT_BADGES_PERMISSION = "registrations.print_badges"
VIEW_PHOTO_PERMISSION = "registrations.view_delegatephoto"
CHANGE_PHOTO_PERMISSION = "registrations.change_delegatephoto"


def can_print_badges(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Return whether ``user`` may print (and reissue) badges."""
    return user.has_perm(PRINT_BADGES_PERMISSION)


def can_view_photos(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Return whether ``user`` may see delegates' badge photos."""
    return user.has_perm(VIEW_PHOTO_PERMISSION)


def can_change_photos(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Return whether ``user`` may add, replace or remove badge photos."""
    return user.has_perm(CHANGE_PHOTO_PERMISSION)


def current_badge(registration: Registration) -> Badge | None:
    """Return the registration's badge now valid, or None if none was issued."""
    return registration.badges.filter(replaced_at__isnull=True).first()


@dataclass(frozen=True)
class BadgeLookup:
    """What a scanned QR code or a typed short code is: the answer a door gives.

    ``check`` is one of ``BadgeCheck``; ``badge`` and ``registration`` are
    None for an unknown code. Only ``BadgeCheck.VALID`` lets anyone in.
    """

    check: str
    badge: Badge | None = None
    registration: Registration | None = None
    current_version: int | None = None

    @property
    def admits(self) -> bool:
        return self.check == BadgeCheck.VALID

    @property
    def reason(self) -> str:
        return str(BadgeCheck(self.check).label)


def badge_lookup(scanned: str, *, event: Event | None = None) -> BadgeLookup:
    """Resolve what a door read (a QR code's secret or a typed short code).

    The answer says whether the badge admits its holder to ``event`` (any
    event when None), and if not, why: an unknown code, an old badge since
    reissued, a registration not approved or cancelled, another event. A
    secret is looked up by its hash, as a door's offline copy would hold it.
    """
    text = scanned.strip()
    if not text or len(text) > 100:
        return BadgeLookup(BadgeCheck.UNKNOWN)
    badges = Badge.objects.select_related("registration__event")
    short_code = normalise_short_code(text)
    if len(short_code) == SHORT_CODE_LENGTH:
        badge = badges.filter(short_code=short_code).first()
    else:
        badge = badges.filter(secret_sha256=secret_hash(text)).first()
    return badge_judged(badge, event=event)


def badge_lookup_by_hash(digest: str, *, event: Event | None = None) -> BadgeLookup:
    """Resolve a QR code a door read, given as the SHA-256 of its secret (hex).

    A door's device hashes what it reads, so that neither its offline copy
    nor its queue of scans holds a secret that would open the door.
    """
    badge = (
        Badge.objects.select_related("registration__event")
        .filter(secret_sha256=digest.strip().lower())
        .first()
    )
    return badge_judged(badge, event=event)


def badge_judged(badge: Badge | None, *, event: Event | None) -> BadgeLookup:
    """Return whether ``badge`` (None: none found) admits to ``event``, or why not."""
    if badge is None:
        return BadgeLookup(BadgeCheck.UNKNOWN)
    registration = badge.registration
    found = functools.partial(BadgeLookup, badge=badge, registration=registration)
    if event is not None and registration.event_id != event.pk:
        return found(BadgeCheck.OTHER_EVENT)
    if not badge.is_current:
        current = current_badge(registration)
        return found(BadgeCheck.REISSUED, current_version=current and current.version)
    if registration.status == Status.CANCELLED:
        return found(BadgeCheck.CANCELLED)
    if registration.status != ATTENDING:
        return found(BadgeCheck.NOT_APPROVED)
    return found(BadgeCheck.VALID, current_version=badge.version)
