"""Badges: each issue of a delegate's badge, its secret, and every print of it."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.models.exports import ExportLog
from registrations.models.registrations import Registration

# The short code's alphabet: Crockford's base 32, without the letters that
# read as digits (I, L, O) or make words (U). Typed codes are read leniently
# (``normalise_short_code``).
SHORT_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SHORT_CODE_LENGTH = 8
# Letters a person may type for the digit they look like.
SHORT_CODE_LOOKALIKES = str.maketrans("OILU", "0111")


def new_badge_secret() -> str:
    """Return a fresh secret for a badge's QR code (256 random bits)."""
    return secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    """Return the SHA-256 of a badge secret, as stored and as a door may hold it."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_short_code() -> str:
    """Return a random short code, e.g. ``7KQ2M9XD`` (40 bits)."""
    return "".join(
        secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH)
    )


def normalise_short_code(typed: str) -> str:
    """Return a typed short code as stored: capitals, no spaces or hyphens.

    O is read as 0 and I or L as 1, as Crockford's base 32 does.
    """
    code = "".join(typed.split()).replace("-", "").upper()
    return code.translate(SHORT_CODE_LOOKALIKES)


def grouped_short_code(code: str) -> str:
    """Return a short code as printed, in two groups: ``7KQ2-M9XD``."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


class BadgeCheck(models.TextChoices):
    """What a door is told of a badge it read (``selectors.badge_lookup``)."""

    VALID = "valid", _("Valid badge")
    UNKNOWN = "unknown", _("Unknown code: not one of our badges")
    REISSUED = "reissued", _("Old badge: it has been replaced by a new one")
    NOT_APPROVED = "not_approved", _("Registration not approved")
    CANCELLED = "cancelled", _("Registration cancelled")
    OTHER_EVENT = "other_event", _("Badge of another event")


class Badge(models.Model):
    """One issue of a delegate's badge: what its QR code holds, and its short code.

    A registration's current badge is the one not replaced. Reissuing a
    badge (lost, stolen, details changed) replaces it: the old one keeps
    only the hash of its secret and its short code, so that a door can tell
    "an old badge" from "unknown" and refuse it either way. The secret is
    the badge's own, never the private link's.
    """

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        related_name="badges",
        on_delete=models.CASCADE,
    )
    version = models.PositiveIntegerField(
        _("version"), help_text=_("1 for the first badge, 2 for its first reissue…")
    )
    # NULL rather than "" once replaced: several replaced badges would clash
    # on "" in the unique index.
    secret = models.CharField(  # noqa: DJ001
        _("secret"),
        max_length=64,
        unique=True,
        null=True,
        editable=False,
        help_text=_("What the QR code holds; kept only while the badge is current."),
    )
    secret_sha256 = models.CharField(
        _("secret's hash"), max_length=64, unique=True, editable=False
    )
    short_code = models.CharField(
        _("short code"),
        max_length=SHORT_CODE_LENGTH,
        unique=True,
        editable=False,
        help_text=_("Printed under the QR code, for typing in at the door."),
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        related_name="badges_issued",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    reason = models.TextField(
        _("reason"), blank=True, help_text=_("Why this badge replaced the last one.")
    )
    replaced_at = models.DateTimeField(
        _("replaced at"),
        null=True,
        blank=True,
        help_text=_("When a new badge replaced this one; it opens no door since."),
    )

    class Meta:
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        ordering = ["registration", "-version"]
        permissions = [("print_badges", _("Can print badges"))]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "version"], name="badge_version_once"
            ),
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(replaced_at__isnull=True),
                name="badge_one_current_per_registration",
            ),
            models.CheckConstraint(
                condition=Q(replaced_at__isnull=True, secret__isnull=False)
                | Q(replaced_at__isnull=False, secret__isnull=True),
                name="badge_secret_only_while_current",
            ),
        ]

    def __str__(self):
        return f"{grouped_short_code(self.short_code)} (v{self.version})"

    @property
    def is_current(self) -> bool:
        return self.replaced_at is None

    @property
    def printed_code(self) -> str:
        return grouped_short_code(self.short_code)


class BadgePrint(models.Model):
    """One badge in one printed PDF; who, when and why are on the export record."""

    class Kind(models.TextChoices):
        FIRST = "first", _("First print")
        REPRINT = "reprint", _("Reprint of the same badge")
        REPLACEMENT = "replacement", _("Replacement badge (the old one is void)")

    badge = models.ForeignKey(
        Badge,
        verbose_name=_("badge"),
        related_name="prints",
        on_delete=models.CASCADE,
    )
    export = models.ForeignKey(
        ExportLog,
        verbose_name=_("export record"),
        related_name="badge_prints",
        on_delete=models.CASCADE,
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)

    class Meta:
        verbose_name = _("badge print")
        verbose_name_plural = _("badge prints")
        ordering = ["export", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["badge", "export"], name="badge_print_once_per_document"
            ),
        ]

    def __str__(self):
        return f"{self.badge} – {self.get_kind_display()}"
