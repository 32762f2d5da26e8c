"""A session a delegate chose: the through model of their sessions."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.models.programme import Session
from registrations.models.registrations import Registration


class RegistrationSession(models.Model):
    """A session a delegate chose, and when they entered its room."""

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        related_name="session_choices",
        on_delete=models.CASCADE,
        # Found by the unique constraint's index, which begins with it.
        db_index=False,
    )
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        related_name="choices",
        on_delete=models.CASCADE,
        # Found by the index below, which begins with it.
        db_index=False,
    )
    chosen_at = models.DateTimeField(
        _("chosen at"),
        default=timezone.now,
        help_text=_("When the session was added to the registration."),
    )
    checked_in_at = models.DateTimeField(
        _("checked in at"),
        null=True,
        blank=True,
        help_text=_("When the delegate first entered the session's room."),
    )

    class Meta:
        verbose_name = _("chosen session")
        verbose_name_plural = _("chosen sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "session"], name="registration_session_once"
            ),
        ]
        indexes = [
            # A session's registrations without reading the table: seats
            # counted, the reviewers' session filter.
            models.Index(
                fields=["session", "registration"], name="session_choice_by_session"
            ),
        ]

    def __str__(self):
        return f"{self.registration} – {self.session}"
