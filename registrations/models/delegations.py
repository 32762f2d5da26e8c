"""Delegations: the seats an invited organisation fills through its focal point.

A government, an international organisation or an NGO is invited to an event
with a quota of seats. Its focal point nominates the members through a portal
reached by a secret link; the members are registrations like any other, which
carry their delegation, their role in it and their protocol rank. The note
verbale (or nomination letter) that names them is kept with the delegation.
"""

import secrets

from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.db import models
from django.db.models import Q
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from registrations.models.choices import NOMINATED, DelegationRole
from registrations.models.programme import Event, Organisation


def new_portal_token() -> str:
    """Return a fresh secret for a focal point's portal link (256 random bits)."""
    return secrets.token_urlsafe(32)


class PrivateStorage(LazyObject):
    """The ``"private"`` storage, looked up when first used, not at import.

    A field keeps the storage it is given; this stand-in follows ``STORAGES``
    when it changes (in tests), as Django's ``default_storage`` does.
    """

    def _setup(self):
        self._wrapped = storages["private"]


PRIVATE_STORAGE = PrivateStorage()


@receiver(setting_changed)
def forget_private_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        PRIVATE_STORAGE._wrapped = empty


def private_storage():
    """Return the storage of uploaded files, outside the public static files."""
    return PRIVATE_STORAGE


def note_verbale_path(delegation: "Delegation", filename: str) -> str:
    """Return where a note verbale is stored: a random name, never the uploaded one.

    ``filename`` is the name the checks gave (its extension says the type
    found in the content), not the one the focal point's computer gave.
    """
    extension = filename.rsplit(".", 1)[-1]
    return f"notes-verbales/{delegation.event_id}/{secrets.token_hex(16)}.{extension}"


class DelegationState(models.TextChoices):
    """Where a delegation stands; ``services.delegations`` moves it along."""

    INVITED = "invited", _("Invited")
    NOMINATIONS_OPEN = "open", _("Nominations open")
    SUBMITTED = "submitted", _("Submitted")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")


class DelegationQuerySet(models.QuerySet):
    def active(self):
        """Return the delegations still coming: every one not declined."""
        return self.exclude(state=DelegationState.DECLINED)


class Delegation(models.Model):
    State = DelegationState

    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        related_name="delegations",
        on_delete=models.PROTECT,
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        related_name="delegations",
        on_delete=models.PROTECT,
        help_text=_("A State's government counts as one organisation."),
    )
    seat_quota = models.PositiveSmallIntegerField(
        _("seat quota"), help_text=_("How many members the focal point may nominate.")
    )
    state = models.CharField(
        pgettext_lazy("delegation", "state"),
        max_length=10,
        choices=State.choices,
        default=State.INVITED,
    )
    list_position = models.PositiveSmallIntegerField(
        _("place in the List of Participants"),
        null=True,
        blank=True,
        help_text=_(
            "Lower numbers first among the delegations of its kind; empty: in "
            "alphabetical order (五十音順 in the Japanese edition) after them."
        ),
    )
    focal_point_name = models.CharField(_("focal point's name"), max_length=200)
    focal_point_email = models.EmailField(_("focal point's email"), max_length=254)
    focal_point_phone = models.CharField(
        _("focal point's phone"), max_length=40, blank=True
    )
    focal_point_language = models.CharField(
        _("focal point's language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language of the emails to the focal point."),
    )
    focal_point_is_placeholder = models.BooleanField(
        _("placeholder focal point"),
        default=False,
        help_text=_(
            "The focal point is a stand-in, not a real person: no invitation can "
            "be sent until staff give the real one."
        ),
    )
    portal_token = models.CharField(
        _("portal link token"),
        max_length=64,
        unique=True,
        default=new_portal_token,
        editable=False,
    )
    portal_token_issued_at = models.DateTimeField(
        _("portal link issued at"), default=timezone.now, editable=False
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    invited_at = models.DateTimeField(
        _("invitation sent at"),
        null=True,
        blank=True,
        help_text=_("Empty while the invitation has not been sent."),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        related_name="delegations_invited",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    note_verbale = models.FileField(
        _("note verbale"),
        storage=private_storage,
        upload_to=note_verbale_path,
        blank=True,
        max_length=200,
        help_text=_("The note verbale or nomination letter naming the members."),
    )
    note_verbale_name = models.CharField(
        _("note verbale's file name"),
        max_length=200,
        blank=True,
        help_text=_("The name the file had on the focal point's computer."),
    )
    note_verbale_type = models.CharField(
        _("note verbale's type"), max_length=40, blank=True
    )
    note_verbale_received_at = models.DateTimeField(
        _("note verbale received at"),
        null=True,
        blank=True,
        help_text=_("When it was uploaded, or when staff received it on paper."),
    )
    note_verbale_verified_at = models.DateTimeField(
        _("note verbale verified at"), null=True, blank=True
    )
    note_verbale_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("note verbale verified by"),
        related_name="notes_verbales_verified",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["organisation__name"]
        permissions = [
            (
                "review_delegation",
                _("Can invite delegations, confirm them and verify notes verbales"),
            ),
            ("view_note_verbale", _("Can read the notes verbales")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "organisation"],
                name="delegation_once_per_event",
                violation_error_message=_(
                    "This organisation already has a delegation for the event."
                ),
            ),
            models.CheckConstraint(
                condition=Q(seat_quota__gte=1), name="delegation_quota_at_least_one"
            ),
            models.CheckConstraint(
                condition=Q(state__in=DelegationState.values),
                name="delegation_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(note_verbale_verified_at__isnull=True)
                | Q(note_verbale_received_at__isnull=False),
                name="delegation_note_verified_after_received",
            ),
        ]

    def __str__(self):
        return str(self.organisation)

    # No get_absolute_url: the portal link is the focal point's secret.

    def portal_path(self) -> str:
        """Return the path of the focal point's portal (a bearer secret)."""
        return reverse("registrations:portal", kwargs={"token": self.portal_token})


class DelegationChange(models.Model):
    """One recorded change of a delegation: a step of its state, or an action."""

    class Actor(models.TextChoices):
        STAFF = "staff", _("Staff")
        FOCAL_POINT = "focal_point", _("Focal point")
        SYSTEM = "system", _("System")

    class Action(models.TextChoices):
        CREATED = "created", _("Delegation created")
        INVITED = "invited", _("Invitation sent")
        REMINDED = "reminded", _("Reminder sent")
        LINK_REPLACED = "link_replaced", _("Portal link replaced")
        EDITED = "edited", _("Details changed")
        NOMINATED = "nominated", _("Member nominated")
        CORRECTED = "corrected", _("Member's details corrected")
        REPLACED = "replaced", _("Member replaced")
        WITHDRAWN = "withdrawn", _("Member withdrawn")
        HEAD_NAMED = "head_named", _("Head of delegation named")
        NOTE_UPLOADED = "note_uploaded", _("Note verbale uploaded")
        NOTE_RECEIVED = "note_received", _("Note verbale received")
        NOTE_VERIFIED = "note_verified", _("Note verbale verified")
        SUBMITTED = "submitted", _("Delegation submitted")
        CONFIRMED = "confirmed", _("Delegation confirmed")
        DECLINED = "declined", _("Invitation declined")

    delegation = models.ForeignKey(
        Delegation,
        verbose_name=_("delegation"),
        related_name="changes",
        on_delete=models.CASCADE,
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    actor = models.CharField(_("by"), max_length=20, choices=Actor.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        related_name="delegation_changes",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    from_state = models.CharField(
        _("from state"), max_length=10, choices=DelegationState.choices, blank=True
    )
    to_state = models.CharField(
        _("to state"), max_length=10, choices=DelegationState.choices, blank=True
    )
    action = models.CharField(
        _("what was done"), max_length=20, choices=Action.choices, blank=True
    )
    detail = models.CharField(
        _("about"),
        max_length=300,
        blank=True,
        help_text=_("Whom or what the action concerned, e.g. the member's name."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("delegation change")
        verbose_name_plural = _("delegation changes")
        ordering = ["changed_at", "pk"]

    def __str__(self):
        parts = [self.get_action_display()]
        if self.detail:
            parts[0] = f"{parts[0]}: {self.detail}"
        if self.to_state:
            from_state = self.get_from_state_display() or "–"
            parts.append(f"({from_state} → {self.get_to_state_display()})")
        return " ".join(part for part in parts if part)


class DelegationMember(models.Model):
    """What a registration says of its place in a delegation, if it has one.

    ``Registration`` is built on it; ``MEMBER_CONSTRAINTS`` go in its Meta.
    """

    delegation = models.ForeignKey(
        "registrations.Delegation",
        verbose_name=_("delegation"),
        related_name="members",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    delegation_role = models.CharField(
        _("role in the delegation"),
        max_length=10,
        choices=DelegationRole.choices,
        blank=True,
    )
    protocol_rank = models.CharField(
        _("protocol rank or title"),
        max_length=100,
        blank=True,
        help_text=_("E.g. H.E., Minister, Ambassador, Director-General."),
    )
    protocol_order = models.PositiveSmallIntegerField(
        _("order of precedence"),
        default=0,
        help_text=_("Within the same role, lower numbers are listed first."),
    )

    class Meta:
        abstract = True


MEMBER_CONSTRAINTS = [
    models.CheckConstraint(
        condition=Q(delegation__isnull=True, delegation_role="")
        | Q(delegation__isnull=False, delegation_role__in=DelegationRole.values),
        name="registration_role_with_delegation",
    ),
    models.UniqueConstraint(
        fields=["delegation"],
        condition=Q(delegation_role=DelegationRole.HEAD, status__in=NOMINATED),
        name="registration_one_head_per_delegation",
        violation_error_message=_("The delegation has a head already."),
    ),
]
