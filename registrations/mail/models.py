"""The outbox: every email we send, from its decision to its delivery.

An email belongs to one owner: a registration (the delegate), a delegation
(its focal point) or a personal invitation (the invitee, who has no
registration yet). A check constraint holds that exactly one is set.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OutgoingEmailState(models.TextChoices):
    """Where an email stands; ``outbox`` moves it along."""

    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    RETRYING = "retrying", _("Waiting to retry")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutgoingEmailQuerySet(models.QuerySet):
    def undelivered(self):
        """Return the emails still to be sent: queued, being sent or retrying."""
        return self.filter(state__in=OutgoingEmail.UNDELIVERED)


class OutgoingEmail(models.Model):
    """One email to a delegate, recorded with the decision that causes it.

    The worker sends it (``registrations.mail.outbox``); a failed attempt is
    tried again with a growing delay for ``EMAIL_RETRY_HOURS``, then the email
    is marked failed and stays in the admin for staff to send again.
    """

    class Kind(models.TextChoices):
        # The values name the email templates (registrations/email/<kind>.txt).
        CONFIRMATION = "confirmation", _("Registration received")
        LINK_RESENT = "link_resent", _("Private link sent again")
        LINK_REPLACED = "link_replaced", _("Private link replaced")
        LINK_REQUESTED = "link_requested", _("Private link asked for")
        APPROVED = "approved", _("Approval")
        REJECTED = "rejected", _("Rejection")
        WAITLISTED = "waitlisted", _("Waiting list")
        WAITLISTED_FULL = "waitlisted_full", _("Waiting list: no seat left")
        PROMOTED = "promoted", _("Approval from the waiting list")
        VENUE_DETAILS = "venue_details", _("Venue details")
        CANCELLED = "cancelled", _("Cancellation")
        NOMINATED = "nominated", _("Nomination by a delegation")
        DELEGATION_INVITED = "delegation_invited", _("Invitation of a delegation")
        DELEGATION_REMINDER = "delegation_reminder", _("Reminder to a focal point")
        DELEGATION_SUBMITTED = "delegation_submitted", _("Delegation received")
        DELEGATION_CONFIRMED = "delegation_confirmed", _("Delegation confirmed")
        PORTAL_LINK_REPLACED = "portal_link_replaced", _("Portal link replaced")
        INVITED = "invited", _("Personal invitation")
        VISA_LETTER = "visa_letter", _("Visa support letter")
        VISA_REFUSED = "visa_refused", _("Visa letter refused")
        MESSAGE = "message", _("Message from the secretariat")

    State = OutgoingEmailState

    UNDELIVERED = (State.QUEUED, State.SENDING, State.RETRYING)

    registration = models.ForeignKey(
        "registrations.Registration",
        verbose_name=_("registration"),
        related_name="emails",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    delegation = models.ForeignKey(
        "registrations.Delegation",
        verbose_name=_("delegation"),
        related_name="emails",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("For an email to the delegation's focal point."),
    )
    invitation = models.ForeignKey(
        "registrations.Invitation",
        verbose_name=_("personal invitation"),
        related_name="emails",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    visa_letter = models.ForeignKey(
        "registrations.VisaLetter",
        verbose_name=_("visa letter"),
        related_name="emails",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("The letter attached to the email, as a PDF."),
    )
    message = models.ForeignKey(
        "registrations.DelegateMessage",
        verbose_name=_("message to delegates"),
        related_name="emails",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("For a message staff wrote to chosen delegates."),
    )
    recipient = models.EmailField(_("recipient"), max_length=254)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(
        _("last error"),
        blank=True,
        help_text=_("What the mail server or the worker said at the last failure."),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    queued_at = models.DateTimeField(
        _("queued at"),
        default=timezone.now,
        help_text=_(
            "Failed attempts are retried for a day (EMAIL_RETRY_HOURS) from this "
            "time; sending the email again starts anew."
        ),
    )
    next_attempt_at = models.DateTimeField(
        _("next attempt at"), null=True, blank=True, default=timezone.now
    )
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivery_task = models.CharField(
        _("delivery task"),
        max_length=64,
        blank=True,
        help_text=_("The task queue's id of the delivery last scheduled."),
    )

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        # An email sent, not an address (the registration's "email" field).
        verbose_name = pgettext_lazy("message", "email")
        verbose_name_plural = pgettext_lazy("message", "emails")
        ordering = ["-created_at", "-pk"]
        permissions = [("send_again_outgoingemail", _("Can send emails again"))]
        indexes = [
            models.Index(
                fields=["state", "next_attempt_at"], name="outgoingemail_due_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state=OutgoingEmailState.SENT) | Q(sent_at__isnull=False),
                name="outgoingemail_sent_has_time",
            ),
            models.CheckConstraint(
                condition=Q(
                    registration__isnull=False,
                    delegation__isnull=True,
                    invitation__isnull=True,
                )
                | Q(
                    registration__isnull=True,
                    delegation__isnull=False,
                    invitation__isnull=True,
                )
                | Q(
                    registration__isnull=True,
                    delegation__isnull=True,
                    invitation__isnull=False,
                ),
                name="outgoingemail_exactly_one_owner",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient}"

    @property
    def owner_label(self) -> str:
        """Return whose email this is, for the log: "registration 12"."""
        if self.registration_id:
            return f"Registration {self.registration_id}"
        if self.delegation_id:
            return f"Delegation {self.delegation_id}"
        return f"Invitation {self.invitation_id}"
