"""Personal invitations: a link, locked to one address, to a pre-filled form.

For invited speakers and guests of honour. The link opens the registration
form with what staff already know filled in; the address is the invitation's
and cannot be changed, and the registration may be approved on submission.
It works whoever the event's open form admits.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from registrations.models.choices import Sector
from registrations.models.programme import Event, Organisation


def new_invitation_token() -> str:
    """Return a fresh secret for an invitation's link (256 random bits)."""
    return secrets.token_urlsafe(32)


class InvitationState(models.TextChoices):
    PENDING = "pending", _("Not answered yet")
    ACCEPTED = "accepted", _("Registered")
    DECLINED = "declined", _("Declined")
    REVOKED = "revoked", _("Withdrawn by staff")


class Invitation(models.Model):
    State = InvitationState

    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        related_name="invitations",
        on_delete=models.PROTECT,
    )
    email = models.EmailField(
        _("email"),
        max_length=254,
        help_text=_("The invitation works for this address only."),
    )
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        related_name="invitations",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    position = models.CharField(_("position"), max_length=200, blank=True)
    category = models.CharField(
        _("category"), max_length=20, choices=Sector.choices, blank=True
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language of the invitation's email."),
    )
    message = models.TextField(
        _("personal message"),
        blank=True,
        help_text=_("A few words from the secretariat, put in the email as text."),
    )
    approve_on_submission = models.BooleanField(
        _("approve on submission"),
        default=False,
        help_text=_(
            "The registration is approved as soon as it is sent, if a seat is "
            "left; otherwise it waits for review like any other."
        ),
    )
    state = models.CharField(
        pgettext_lazy("invitation", "state"),
        max_length=10,
        choices=InvitationState.choices,
        default="pending",
    )
    token = models.CharField(
        _("invitation link token"),
        max_length=64,
        unique=True,
        default=new_invitation_token,
        editable=False,
    )
    registration = models.OneToOneField(
        "registrations.Registration",
        verbose_name=_("registration"),
        related_name="invitation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        related_name="invitations_sent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal invitation")
        verbose_name_plural = _("personal invitations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=InvitationState.values),
                name="invitation_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(registration__isnull=True) | Q(state="accepted"),
                name="invitation_registration_when_accepted",
            ),
        ]

    def __str__(self):
        return f"{self.given_name} {self.family_name} <{self.email}>"

    # No get_absolute_url: the link is the invitee's secret.

    def link_path(self) -> str:
        """Return the path of the invitation's form (a bearer secret)."""
        return reverse("registrations:invitation", kwargs={"token": self.token})

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"
