"""A session a delegate chose: the through model of their sessions.

With, read-only, the ids of each registration's sessions in one row.
"""

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


class SessionIdList(models.Model):
    """The ids of the sessions a registration chose, as "3,1,4": a database view.

    One row for each registration with any session, in no particular order
    (the view ``registrations_session_id_list``, migration 0020). The
    attendee lists join it: at 100,000 registrations, the database groups
    the choices once in a third of the time it spends on a subquery per
    registration.
    """

    registration = models.OneToOneField(
        Registration,
        primary_key=True,
        related_name="session_id_list",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
    )
    ids = models.TextField()

    class Meta:
        managed = False
        db_table = "registrations_session_id_list"

    def __str__(self):
        return self.ids
