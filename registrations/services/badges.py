"""Badges: issued at the first print, reissued to void the old one, each print kept.

A registration's badge is issued the first time it is printed: a secret of
its own for the QR code (256 random bits, never the private link's) and a
short code for typing in. Printing it again prints the same badge. Reissuing
it (lost, stolen, printed with details since corrected) replaces the secret
and the short code: the old badge opens no door, and a door that reads it
is told it is an old badge (``selectors.badge_lookup``).

Every print is one ``ExportLog`` (who, when, which selection, why) with a
``BadgePrint`` per badge saying whether it was a first print, a reprint of
the same badge or a replacement.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.errors import RegistrationError
from registrations.models import (
    Badge,
    BadgePrint,
    Event,
    ExportLog,
    Registration,
)
from registrations.models.badges import new_badge_secret, new_short_code, secret_hash
from registrations.services.capacity import lock_registration

Status = Registration.Status
Kind = BadgePrint.Kind

# Registrations that get no badge: they will not attend, whatever happens.
NO_BADGE = (Status.REJECTED, Status.CANCELLED)
# Attempts at a short code no other badge has (40 bits: a clash is rare).
SHORT_CODE_ATTEMPTS = 5
# How many refused names an error message lists.
NAMES_LISTED = 5


@dataclass(frozen=True)
class BadgePrintRecord:
    """A recorded print: its record, and each registration with its badge."""

    log: ExportLog
    badges: list[tuple[Registration, Badge, str]]

    @property
    def counts(self) -> dict[str, int]:
        """Return how many badges are first prints, reprints, replacements."""
        counts = dict.fromkeys(Kind.values, 0)
        for _registration, _badge, kind in self.badges:
            counts[kind] += 1
        return counts


def _new_badge(
    registration: Registration,
    *,
    version: int,
    by: AbstractBaseUser | None,
    reason: str = "",
) -> Badge:
    """Create a current badge for a locked registration, with a unique short code."""
    for attempt in range(SHORT_CODE_ATTEMPTS):
        secret = new_badge_secret()
        try:
            with transaction.atomic():
                return Badge.objects.create(
                    registration=registration,
                    version=version,
                    secret=secret,
                    secret_sha256=secret_hash(secret),
                    short_code=new_short_code(),
                    issued_by=by,
                    reason=reason,
                )
        except IntegrityError:
            # Only a short code another badge has can clash here: the
            # registration is locked and the secret has 256 random bits.
            if attempt == SHORT_CODE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def current_badges(registration_ids: Sequence[int]) -> dict[int, Badge]:
    """Return the current badge of each registration that has one."""
    return {
        badge.registration_id: badge
        for badge in Badge.objects.filter(
            registration_id__in=registration_ids, replaced_at__isnull=True
        )
    }


def _issue_missing(
    registrations: Sequence[Registration], *, by: AbstractBaseUser | None
) -> dict[int, Badge]:
    """Return each registration's current badge, issuing the first where none is.

    The registrations without one are locked first, so that two staff
    printing the same badges at once issue one badge each, not two.
    """
    ids = [registration.pk for registration in registrations]
    badges = current_badges(ids)
    missing = [pk for pk in ids if pk not in badges]
    if missing:
        locked = (
            Registration.objects.select_for_update()
            .filter(pk__in=missing)
            .order_by("pk")
        )
        list(locked)
        badges = current_badges(ids)
        for registration in registrations:
            if registration.pk not in badges:
                badges[registration.pk] = _new_badge(registration, version=1, by=by)
    return badges


def _print_kinds(badges: dict[int, Badge]) -> dict[int, str]:
    """Say, per registration, whether its badge is printed for the first time."""
    printed_badges = set(
        BadgePrint.objects.filter(badge__registration_id__in=list(badges)).values_list(
            "badge_id", "badge__registration_id"
        )
    )
    badges_printed = {badge_id for badge_id, _ in printed_badges}
    registrations_printed = {registration_id for _, registration_id in printed_badges}
    kinds = {}
    for registration_id, badge in badges.items():
        if badge.pk in badges_printed:
            kinds[registration_id] = Kind.REPRINT
        elif registration_id in registrations_printed:
            kinds[registration_id] = Kind.REPLACEMENT
        else:
            kinds[registration_id] = Kind.FIRST
    return kinds


def _names(registrations) -> str:
    names = [registration.full_name for registration in registrations]
    listed = "; ".join(names[:NAMES_LISTED])
    return listed + (" …" if len(names) > NAMES_LISTED else "")


def badges_print(
    *,
    registrations: QuerySet,
    kind: str,
    event: Event | None,
    filters: dict,
    filename: str,
    by: AbstractBaseUser | None,
    reason: str = "",
) -> BadgePrintRecord:
    """Record the print of the badges of ``registrations``, issuing those missing.

    ``kind``, ``event``, ``filters`` and ``filename`` describe the selection
    on the record. A badge printed before needs a ``reason`` (lost, damaged,
    details corrected): without one nothing is recorded or issued. Rejected
    and cancelled registrations get no badge.
    """
    reason = reason.strip()
    with transaction.atomic():
        chosen = list(registrations)
        if not chosen:
            raise RegistrationError(
                _("No registration is selected: there is no badge to print."),
                code="no_badges",
            )
        refused = [r for r in chosen if r.status in NO_BADGE]
        if refused:
            raise RegistrationError(
                _(
                    "Rejected and cancelled registrations get no badge; take them "
                    "out of the selection: %(names)s"
                ),
                code="no_badge_for_status",
                params={"names": _names(refused)},
            )
        badges = _issue_missing(chosen, by=by)
        kinds = _print_kinds(badges)
        printed_before = [r for r in chosen if kinds[r.pk] != Kind.FIRST]
        if printed_before and not reason:
            raise RegistrationError(
                _(
                    "Some of these badges were printed before (%(names)s). Please "
                    "say why they are printed again."
                ),
                code="reprint_reason_missing",
                params={"names": _names(printed_before)},
            )
        log = ExportLog.objects.create(
            document=ExportLog.Document.BADGES,
            file_format=ExportLog.Format.PDF,
            kind=kind,
            exported_by=by,
            event=event,
            filters=filters,
            filename=filename,
            row_count=len(chosen),
            reason=reason,
        )
        BadgePrint.objects.bulk_create(
            BadgePrint(badge=badges[r.pk], export=log, kind=kinds[r.pk]) for r in chosen
        )
    return BadgePrintRecord(
        log=log, badges=[(r, badges[r.pk], kinds[r.pk]) for r in chosen]
    )


def badge_reissue(
    *, registration: Registration, by: AbstractBaseUser | None, reason: str
) -> Badge:
    """Void the registration's badge and issue a new one, with a new QR code.

    The old badge keeps the hash of its secret and its short code, so that a
    door reading it says "old badge" rather than "unknown". A registration
    that never had a badge gets its first.
    """
    reason = reason.strip()
    if not reason:
        raise RegistrationError(
            _("Please say why the badge is replaced (lost, stolen, details changed)."),
            code="reissue_reason_missing",
        )
    with transaction.atomic():
        locked = lock_registration(registration)
        if locked.status in NO_BADGE:
            raise RegistrationError(
                _("A %(status)s registration gets no badge."),
                code="no_badge_for_status",
                params={"status": locked.get_status_display().lower()},
            )
        current = Badge.objects.filter(
            registration=locked, replaced_at__isnull=True
        ).first()
        version = 1
        if current is not None:
            version = current.version + 1
            current.replaced_at = timezone.now()
            current.secret = None
            current.save(update_fields=["replaced_at", "secret"])
        # The new badge is the record: who issued it, when and why.
        return _new_badge(locked, version=version, by=by, reason=reason)
