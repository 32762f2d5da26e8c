"""The List of Participants' state, and the messages staff send to delegates."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.models.programme import Event


class ListingConsent(models.Model):
    """Whether a delegate may be named in the List of Participants.

    ``Registration`` is built on it. Listed unless the delegate unticks the
    box, as the privacy notice says: the list is the meeting's record.
    """

    listed_in_participants = models.BooleanField(
        _("listed in the List of Participants"),
        default=True,
        help_text=_(
            "Name, title, position and organisation in the list handed to the "
            "participants; never the email address or the needs."
        ),
    )

    class Meta:
        abstract = True


class ParticipantsList(models.Model):
    """Whether an event's List of Participants is still provisional.

    Every edition is marked "provisional" until staff mark the list final;
    a list made final can be made provisional again (a late change).
    """

    event = models.OneToOneField(
        Event,
        verbose_name=_("event"),
        related_name="participants_list",
        on_delete=models.CASCADE,
    )
    final_at = models.DateTimeField(
        _("marked final at"),
        null=True,
        blank=True,
        help_text=_("Empty while the list is provisional."),
    )
    final_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked final by"),
        related_name="participants_lists_finalised",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("List of Participants")
        verbose_name_plural = _("Lists of Participants")

    def __str__(self):
        return str(self.event)

    @property
    def is_final(self) -> bool:
        return self.final_at is not None


class DelegateMessage(models.Model):
    """A message staff wrote to a selection of delegates, in both languages.

    Each delegate receives it through the outbox in their own language; the
    record keeps what was sent, to whom (the selection) and how many.
    """

    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        related_name="messages",
        on_delete=models.PROTECT,
    )
    subject_en = models.CharField(_("subject (English)"), max_length=200)
    body_en = models.TextField(_("message (English)"))
    subject_ja = models.CharField(_("subject (Japanese)"), max_length=200)
    body_ja = models.TextField(_("message (Japanese)"))
    selection = models.JSONField(
        _("selection"),
        default=dict,
        blank=True,
        help_text=_("The filters or registrations chosen in the list."),
    )
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        related_name="delegate_messages",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("message to delegates")
        verbose_name_plural = _("messages to delegates")
        ordering = ["-sent_at", "-pk"]
        permissions = [("send_delegatemessage", _("Can send messages to delegates"))]

    def __str__(self):
        return self.subject_en
