"""The door: a row per delegate let in, at the venue's entrance or a session's room."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.models.badges import Badge
from registrations.models.programme import Event, Session
from registrations.models.registrations import Registration

NONCE_MAX_LENGTH = 64
DOOR_MAX_LENGTH = 40


class CheckInQuerySet(models.QuerySet):
    def at_venue(self):
        """Return the entries through the venue's doors (not a session's room)."""
        return self.filter(session__isnull=True)

    def flagged(self):
        return self.exclude(flag="")


class CheckIn(models.Model):
    """A delegate let in through a door: by whom, when, from which device.

    Each scan carries a nonce the device chose, unique here: a device that
    sends a scan again (a lost answer, a sync retried) is told of the same
    row, never makes a second one. A scan made while the device was offline
    is kept even when the server would have refused it, since the delegate
    is inside: it is flagged for staff with the reason (let in twice by two
    offline doors, cancelled meanwhile, and so on).
    """

    class Method(models.TextChoices):
        QR = "qr", _("QR code")
        CODE = "code", _("Short code typed")
        SEARCH = "search", _("Found by search")

    class Flag(models.TextChoices):
        TWICE = "twice", _("Let in twice: two doors were offline")
        CANCELLED = "cancelled", _("Let in offline, but the registration is cancelled")
        NOT_APPROVED = (
            "not_approved",
            _("Let in offline, but the registration is not approved"),
        )
        REISSUED = "reissued", _("Let in offline with a badge since replaced")
        NOT_IN_SESSION = (
            "not_in_session",
            _("Let in offline to a session the delegate did not choose"),
        )

    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        related_name="check_ins",
        on_delete=models.CASCADE,
    )
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        related_name="check_ins",
        on_delete=models.CASCADE,
    )
    badge = models.ForeignKey(
        Badge,
        verbose_name=_("badge"),
        related_name="check_ins",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("The badge read; empty when the delegate was found by search."),
    )
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        related_name="check_ins",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("The session at whose room the delegate entered; empty: venue."),
    )
    door = models.CharField(
        _("door"),
        max_length=DOOR_MAX_LENGTH,
        help_text=_("The door's name as its device was set up, e.g. Door 2."),
    )
    device = models.CharField(
        _("device"),
        max_length=NONCE_MAX_LENGTH,
        help_text=_("The identifier the door's device chose when it was set up."),
    )
    nonce = models.CharField(
        _("nonce"),
        max_length=NONCE_MAX_LENGTH,
        unique=True,
        help_text=_("Chosen by the device for this scan; the same scan sent twice."),
    )
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    scanned_at = models.DateTimeField(
        _("scanned at"), help_text=_("The device's clock when the badge was read.")
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    offline = models.BooleanField(
        _("offline"),
        default=False,
        help_text=_("Checked on the device without the server, and sent later."),
    )
    forced = models.BooleanField(
        _("let in anyway"),
        default=False,
        help_text=_("Staff let the delegate in again although already in."),
    )
    flag = models.CharField(
        _("flag"),
        max_length=16,
        choices=Flag.choices,
        blank=True,
        help_text=_("Why staff should look at this entry; empty: nothing to see."),
    )
    earlier = models.ForeignKey(
        "self",
        verbose_name=_("earlier entry"),
        related_name="later_entries",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("The entry already recorded when this one arrived."),
    )
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        related_name="check_ins_made",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    objects = CheckInQuerySet.as_manager()

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-scanned_at", "-pk"]
        permissions = [
            ("check_in_delegates", _("Can check in delegates")),
            ("view_attendance", _("Can see the live attendance")),
        ]
        indexes = [
            models.Index(
                fields=["event", "session", "registration"],
                name="checkin_event_person",
            ),
        ]

    def __str__(self):
        return f"{self.door} {self.scanned_at:%Y-%m-%d %H:%M} #{self.pk}"

    @property
    def flagged(self) -> bool:
        return bool(self.flag)
