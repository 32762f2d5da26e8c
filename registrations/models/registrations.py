"""Registrations, their status, and the history of their changes."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from registrations.models.bilingual import in_active_language, japanese_is_active
from registrations.models.choices import (
    ATTENDING,
    NOMINATED,
    DelegationRole,
    RegistrationStatus,
    Sector,
)
from registrations.models.delegations import MEMBER_CONSTRAINTS, DelegationMember
from registrations.models.participants import ListingConsent
from registrations.models.programme import Event, Organisation, Session
from registrations.models.searching import searched_text
from registrations.validators import email_key


def new_private_token() -> str:
    """Return a fresh secret for a delegate's private link (256 random bits)."""
    return secrets.token_urlsafe(32)


class RegistrationQuerySet(models.QuerySet):
    def live(self):
        """Return registrations that hold their email address for the event."""
        return self.exclude(status=Registration.Status.CANCELLED)

    def attending(self):
        """Return the registrations that hold a seat (``choices.ATTENDING``)."""
        return self.filter(status=ATTENDING)

    def nominated(self):
        """Return the registrations that count against their delegation's quota."""
        return self.filter(status__in=NOMINATED)

    def with_email(self, email: str):
        """Return the registrations with ``email``, written any way that reaches
        the same mailbox.

        Addresses are stored normalised (``validators.normalise_email``) and
        compared as the unique constraint compares, so that on PostgreSQL its
        index finds them instead of a scan of every registration.
        """
        return self.alias(email_lower=Lower("email")).filter(
            email_lower=Value(email_key(email))
        )


class Registration(DelegationMember, ListingConsent, models.Model):
    Status = RegistrationStatus

    Category = Sector

    DelegationRole = DelegationRole

    class Honorific(models.TextChoices):
        NONE = "", _("(none)")
        MR = "mr", _("Mr")
        MS = "ms", _("Ms")
        MX = "mx", _("Mx")
        DR = "dr", _("Dr")
        PROF = "prof", _("Prof.")
        AMBASSADOR = "ambassador", _("Ambassador")
        EXCELLENCY = "excellency", _("H.E.")

    class Interpretation(models.TextChoices):
        NONE = "none", _("Not needed")
        INTO_ENGLISH = "en", _("Into English")
        INTO_JAPANESE = "ja", _("Into Japanese")

    # The fields a delegate gives on the form and may correct while pending.
    DELEGATE_FIELDS = (
        "honorific",
        "given_name",
        "family_name",
        "name_ja",
        "organisation",
        "organisation_other",
        "position",
        "country",
        "category",
        "dietary_needs",
        "accessibility_needs",
        "interpretation",
        "listed_in_participants",
    )

    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        related_name="registrations",
        on_delete=models.PROTECT,
    )
    honorific = models.CharField(
        _("honorific"), max_length=20, choices=Honorific.choices, blank=True
    )
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    name_ja = models.CharField(
        _("name in Japanese script"),
        max_length=100,
        blank=True,
        help_text=_("Family name first, as written in Japanese, e.g. 山田 花子."),
    )
    email = models.EmailField(_("email"), max_length=254)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        related_name="registrations",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    organisation_other = models.CharField(
        _("organisation (not listed)"),
        max_length=200,
        blank=True,
        help_text=_("The delegate's organisation when it is not on the list."),
    )
    # The searched fields upper-cased, written by the database with the row:
    # its trigram index finds a word, and a reading of the table compares
    # one value a row instead of upper-casing five (selectors.review).
    search_text = models.GeneratedField(
        expression=searched_text(), output_field=models.TextField(), db_persist=True
    )
    position = models.CharField(_("position"), max_length=200)
    country = CountryField(_("country"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    sessions = models.ManyToManyField(
        Session,
        verbose_name=_("sessions"),
        related_name="registrations",
        through="RegistrationSession",
        blank=True,
    )
    dietary_needs = models.CharField(_("dietary needs"), max_length=300, blank=True)
    accessibility_needs = models.CharField(
        _("accessibility needs"), max_length=500, blank=True
    )
    interpretation = models.CharField(
        _("interpretation"),
        max_length=4,
        choices=Interpretation.choices,
        default=Interpretation.NONE,
    )
    visa_needed = models.BooleanField(
        _("needs a visa"),
        default=False,
        help_text=_(
            "The delegate said on the form that they need a visa to enter Japan; "
            "the passport details are given in a visa request."
        ),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language the delegate registered in; emails use it."),
    )
    consent_given_at = models.DateTimeField(
        _("consent given at"),
        null=True,
        blank=True,
        help_text=_(
            "When the delegate agreed to the processing of their data; empty for a "
            "member nominated by a delegation who has not yet completed the details."
        ),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.PENDING,
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    status_changed_at = models.DateTimeField(
        _("status changed at"),
        default=timezone.now,
        help_text=_("The waiting list is ordered by this time, oldest first."),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        related_name="reviewed_registrations",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(
        _("reviewer's note"),
        blank=True,
        help_text=_(
            "The last reviewer's note; a rejection note is sent to the delegate."
        ),
    )
    token = models.CharField(
        _("private link token"),
        max_length=64,
        unique=True,
        default=new_private_token,
        editable=False,
    )
    token_issued_at = models.DateTimeField(
        _("private link issued at"),
        default=timezone.now,
        editable=False,
        help_text=_("When the current private link was made; earlier ones are void."),
    )

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-submitted_at", "-pk"]
        permissions = [
            (
                "review_registration",
                _("Can approve, reject and waitlist registrations"),
            ),
            ("export_registration", _("Can export attendee lists")),
            ("view_statistics", _("Can see the registration statistics")),
        ]
        constraints = [
            models.UniqueConstraint(
                F("event"),
                Lower("email"),
                condition=~Q(status=RegistrationStatus.CANCELLED),
                name="registration_unique_email_per_event",
                violation_error_message=_(
                    "This email address is already registered for the event."
                ),
            ),
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | ~Q(organisation_other=""),
                name="registration_has_organisation",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RegistrationStatus.values),
                name="registration_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(given_name="") & ~Q(family_name=""),
                name="registration_has_names",
            ),
            *MEMBER_CONSTRAINTS,
        ]
        indexes = [
            models.Index(fields=["submitted_at"], name="registration_submitted"),
            models.Index(fields=["category"], name="registration_category"),
            models.Index(fields=["country"], name="registration_country"),
            # The waiting list in its order, ties by id, read from the index
            # alone when the reviewers' list numbers the places.
            models.Index(
                fields=["event", "status", "status_changed_at", "id"],
                name="registration_waiting_order",
            ),
            # The counts per status, and a status's registrations newest first.
            models.Index(
                fields=["status", "submitted_at"], name="registration_status_submitted"
            ),
        ]
        # On PostgreSQL, migration 0021 adds a trigram index on search_text
        # for the reviewers' search; other databases search without.
        # Migration 0019 adds the statuses by id (an INCLUDE index), so that a
        # session's counts per status are read from indexes alone.

    def __str__(self):
        return f"{self.full_name} <{self.email}>"

    # No get_absolute_url: the private link is the delegate's secret, and the
    # admin would offer any object's absolute URL to staff ("view on site").

    def private_path(self) -> str:
        """Return the path of the delegate's private page (a bearer secret)."""
        return reverse("registrations:private", kwargs={"token": self.token})

    @property
    def full_name(self) -> str:
        """Return the name as the delegate wrote it, in Latin script."""
        return f"{self.given_name} {self.family_name}"

    @property
    def display_name(self) -> str:
        """Return the name for staff, family name first if a Japanese name is given."""
        if self.name_ja:
            return f"{self.family_name.upper()} {self.given_name} ({self.name_ja})"
        return self.full_name

    @property
    def localized_name(self) -> str:
        """Return the name as the active language writes it.

        Japanese pages prefer the name in Japanese script where the delegate
        gave one (family name first, as they wrote it).
        """
        if japanese_is_active() and self.name_ja:
            return self.name_ja
        # A name in Latin letters is written as its owner wrote it, given name
        # first, on Japanese pages too: reversed, "Hart Amelia" reads wrong.
        return self.full_name

    @property
    def name_in_both_scripts(self) -> str:
        """Return the name for the delegate's own pages and emails.

        English: honorific, given name, family name, then the Japanese script
        in brackets. Japanese: the Japanese way first, then the romaji with
        the family name in capitals.
        """
        if japanese_is_active():
            if self.name_ja:
                # As Japanese writes romaji: 山田 花子（YAMADA Hanako）.
                return f"{self.name_ja}（{self.family_name.upper()} {self.given_name}）"
            return self.full_name
        name = self.full_name
        if self.honorific:
            name = f"{self.get_honorific_display()} {name}"
        if self.name_ja:
            name = f"{name} ({self.name_ja})"
        return name

    @property
    def salutation(self) -> str:
        """Return the first line of an email, in the active language.

        English names the delegate by the honorific chosen ("Dear Dr Santos,");
        Japanese writes the name and 様.
        """
        if japanese_is_active():
            return gettext("Dear %(name)s,") % {"name": self.localized_name}
        if self.honorific == self.Honorific.EXCELLENCY:
            return gettext("Your Excellency,")
        if self.honorific:
            return gettext("Dear %(honorific)s %(family_name)s,") % {
                "honorific": self.get_honorific_display(),
                "family_name": self.family_name,
            }
        return gettext("Dear %(name)s,") % {"name": self.full_name}

    @property
    def organisation_name(self) -> str:
        """Return the organisation's name in the active language, or the typed one."""
        if self.organisation_id:
            return organisation_display_name(
                name=self.organisation.name,
                name_ja=self.organisation.name_ja,
                other=self.organisation_other,
            )
        return self.organisation_other

    @property
    def is_attending(self) -> bool:
        """Return whether the delegate holds a seat."""
        return self.status == ATTENDING


def organisation_display_name(
    *, name: str | None, name_ja: str | None, other: str
) -> str:
    """Return a delegate's organisation as every page, email and list shows it.

    The listed organisation's name (``name``, None when none is listed) in the
    reader's language, or else the name the delegate typed (``other``).
    """
    if name is None:
        return other
    return in_active_language(name, name_ja)
