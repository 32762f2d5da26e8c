"""The symposium's data: events, their programme, organisations and registrations."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from registrations.validators import email_key


def japanese_is_active() -> bool:
    """Return whether the active language is Japanese."""
    return (get_language() or "").startswith("ja")


class Localized:
    """Read a model's bilingual fields in the active language.

    Staff type English into ``<field>`` and Japanese into ``<field>_ja``; a
    Japanese page shows the Japanese text where there is one and the English
    text otherwise. Templates write ``{{ event.localized.title }}``.
    """

    def __init__(self, instance: models.Model):
        self._instance = instance

    def __getattr__(self, field: str) -> str:
        english = getattr(self._instance, field)
        if japanese_is_active():
            return getattr(self._instance, f"{field}_ja", "") or english
        return english


class BilingualMixin:
    """Give a model with ``<field>_ja`` columns its ``localized`` view."""

    @property
    def localized(self) -> Localized:
        return Localized(self)


def new_private_token() -> str:
    """Return a fresh secret for a delegate's private link (256 random bits)."""
    return secrets.token_urlsafe(32)


class EventQuerySet(models.QuerySet):
    def open_for_registration(self, *, at=None):
        at = at or timezone.now()
        return self.filter(registration_opens_at__lte=at, registration_closes_at__gt=at)

    def current(self) -> "Event | None":
        """Return the next event to come, or else the latest one."""
        upcoming = self.filter(ends_at__gte=timezone.now()).order_by("starts_at")
        return upcoming.first() or self.order_by("-starts_at").first()


class Event(BilingualMixin, models.Model):
    title = models.CharField(_("title"), max_length=200)
    title_ja = models.CharField(_("title (Japanese)"), max_length=200, blank=True)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        help_text=_("The short name used in web addresses, e.g. apac-smuggling-2027."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    venue = models.CharField(_("venue"), max_length=200)
    venue_ja = models.CharField(_("venue (Japanese)"), max_length=200, blank=True)
    host = models.CharField(_("host"), max_length=200)
    host_ja = models.CharField(_("host (Japanese)"), max_length=200, blank=True)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Shown on the home page.")
    )
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    aims = models.TextField(
        _("aims"), blank=True, help_text=_("One aim per line; shown as a list.")
    )
    aims_ja = models.TextField(_("aims (Japanese)"), blank=True)
    background = models.TextField(
        _("background"),
        blank=True,
        help_text=_("Context for delegates; paragraphs separated by a blank line."),
    )
    background_ja = models.TextField(_("background (Japanese)"), blank=True)
    contact_email = models.EmailField(
        _("contact email"),
        help_text=_("Where delegates write with questions; shown on every page."),
    )
    registration_opens_at = models.DateTimeField(_("registration opens at"))
    registration_closes_at = models.DateTimeField(_("registration closes at"))
    capacity = models.PositiveIntegerField(
        _("capacity"), help_text=_("Seats in the hall: approved delegates at most.")
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="event_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__gt=F("registration_opens_at")),
                name="event_registration_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=0), name="event_capacity_not_negative"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("registrations:event", kwargs={"slug": self.slug})

    def is_registration_open(self, *, at=None) -> bool:
        at = at or timezone.now()
        return self.registration_opens_at <= at < self.registration_closes_at


class Organisation(BilingualMixin, models.Model):
    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        INTERNATIONAL = "international", _("International organisation")
        NGO = "ngo", _("Non-governmental organisation")
        ACADEMIC = "academic", _("Academic institution")
        PRESS = "press", _("Press")
        OTHER = "other", _("Other")

    # The contexts tell translators that this name is an organisation's, which
    # Japanese calls differently from a person's.
    name = models.CharField(pgettext_lazy("organisation", "name"), max_length=200)
    name_ja = models.CharField(
        pgettext_lazy("organisation", "name (Japanese)"), max_length=200, blank=True
    )
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = CountryField(
        _("country"), blank=True, help_text=_("Where it is based; blank if global.")
    )
    invited = models.BooleanField(
        _("invited"),
        default=False,
        help_text=_("Formally invited by the host; listed on the home page."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="organisation_unique_name_ci"),
        ]

    def __str__(self):
        if self.acronym:
            return f"{self.name} ({self.acronym})"
        return self.name


class Speaker(BilingualMixin, models.Model):
    name = models.CharField(_("name"), max_length=200)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200, blank=True)
    # A person's title (a position), not the title of an event or a session.
    title = models.CharField(
        pgettext_lazy("position", "title"),
        max_length=200,
        blank=True,
        help_text=_("Position, e.g. Executive Director."),
    )
    title_ja = models.CharField(
        pgettext_lazy("position", "title (Japanese)"), max_length=200, blank=True
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        related_name="speakers",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["name"]

    def __str__(self):
        return self.name


class SessionQuerySet(models.QuerySet):
    def with_approved_count(self):
        """Annotate ``approved_count``: the approved registrations for each session.

        One subquery per session that starts from its event's approved
        registrations (an index gives them), rather than a join through every
        registration of every session: the form checks the chosen sessions
        with this on each submission.
        """
        chosen = Registration.sessions.through.objects.filter(
            session=OuterRef("pk"),
            registration__event=OuterRef("event"),
            registration__status=Registration.Status.APPROVED,
        )
        approved = (
            chosen.order_by()
            .values("session")
            .annotate(total=models.Count("*"))
            .values("total")
        )
        return self.annotate(approved_count=Coalesce(Subquery(approved), 0))


class Session(BilingualMixin, models.Model):
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        related_name="sessions",
        on_delete=models.CASCADE,
    )
    title = models.CharField(_("title"), max_length=200)
    title_ja = models.CharField(_("title (Japanese)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.CharField(_("room"), max_length=100, blank=True)
    room_ja = models.CharField(_("room (Japanese)"), max_length=100, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Seats for approved delegates; leave blank for no limit."),
    )
    speakers = models.ManyToManyField(
        Speaker,
        verbose_name=_("speakers"),
        related_name="sessions",
        through="SessionSpeaker",
        blank=True,
    )

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="session_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=0),
                name="session_capacity_not_negative",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def seats_left(self) -> int | None:
        """Return the free seats (None: unlimited); needs ``with_approved_count``."""
        if self.capacity is None:
            return None
        return max(self.capacity - self.approved_count, 0)

    @property
    def is_full(self) -> bool:
        return self.seats_left == 0


class SessionSpeaker(models.Model):
    class Role(models.TextChoices):
        SPEAKER = "speaker", _("Speaker")
        KEYNOTE = "keynote", _("Keynote speaker")
        CHAIR = "chair", _("Chair")
        PANELLIST = "panellist", _("Panellist")

    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        related_name="speaker_slots",
        on_delete=models.CASCADE,
    )
    speaker = models.ForeignKey(
        Speaker,
        verbose_name=_("speaker"),
        related_name="session_slots",
        on_delete=models.CASCADE,
    )
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.SPEAKER
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("session speaker")
        verbose_name_plural = _("session speakers")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "speaker"], name="session_speaker_once_per_session"
            ),
        ]

    def __str__(self):
        return f"{self.speaker} – {self.session}"


class RegistrationQuerySet(models.QuerySet):
    def live(self):
        """Return registrations that hold their email address for the event."""
        return self.exclude(status=Registration.Status.CANCELLED)

    def approved(self):
        return self.filter(status=Registration.Status.APPROVED)

    def pending(self):
        return self.filter(status=Registration.Status.PENDING)

    def waitlisted(self):
        return self.filter(status=Registration.Status.WAITLISTED)

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


class RegistrationStatus(models.TextChoices):
    """Where a registration stands; ``services`` holds the allowed transitions."""

    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WAITLISTED = "waitlisted", _("Waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Registration(models.Model):
    Status = RegistrationStatus

    class Category(models.TextChoices):
        GOVERNMENT = "government", _("Government official")
        INTERNATIONAL = "international", _("International organisation")
        NGO = "ngo", _("Non-governmental organisation")
        ACADEMIC = "academic", _("Academic")
        PRESS = "press", _("Press")
        OTHER = "other", _("Other")

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
    position = models.CharField(_("position"), max_length=200)
    country = CountryField(_("country"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    sessions = models.ManyToManyField(
        Session,
        verbose_name=_("sessions"),
        related_name="registrations",
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
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language the delegate registered in; emails use it."),
    )
    consent_given_at = models.DateTimeField(
        _("consent given at"),
        help_text=_("When the delegate agreed to the processing of their data."),
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
        ]
        indexes = [
            models.Index(fields=["submitted_at"], name="registration_submitted"),
            models.Index(fields=["category"], name="registration_category"),
            models.Index(fields=["country"], name="registration_country"),
            models.Index(
                fields=["event", "status", "status_changed_at"],
                name="registration_waiting_order",
            ),
        ]

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

        Japanese puts the family name first, and prefers the name in Japanese
        script where the delegate gave one.
        """
        if japanese_is_active():
            return self.name_ja or f"{self.family_name} {self.given_name}"
        return self.full_name

    @property
    def name_in_both_scripts(self) -> str:
        """Return the name for the delegate's own pages and emails.

        English: honorific, given name, family name, then the Japanese script
        in brackets. Japanese: the Japanese way first, then the Latin name.
        """
        if japanese_is_active():
            if self.name_ja:
                return f"{self.name_ja} ({self.full_name})"
            return self.localized_name
        name = self.full_name
        if self.honorific:
            name = f"{self.get_honorific_display()} {name}"
        if self.name_ja:
            name = f"{name} ({self.name_ja})"
        return name

    @property
    def organisation_name(self) -> str:
        """Return the organisation's name in the active language, or the typed one."""
        if self.organisation_id:
            return self.organisation.localized.name
        return self.organisation_other


class RegistrationChange(models.Model):
    """One recorded change of a registration: a status transition or an edit."""

    class Actor(models.TextChoices):
        STAFF = "staff", _("Staff")
        DELEGATE = "delegate", _("Delegate")
        SYSTEM = "system", _("System")

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        related_name="changes",
        on_delete=models.CASCADE,
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    actor = models.CharField(_("by"), max_length=10, choices=Actor.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        related_name="registration_changes",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    from_status = models.CharField(
        _("from status"), max_length=20, choices=Registration.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("to status"), max_length=20, choices=Registration.Status.choices, blank=True
    )
    fields = models.JSONField(
        _("fields changed"),
        default=list,
        blank=True,
        help_text=_("Names of the fields an edit changed."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("registration change")
        verbose_name_plural = _("registration changes")
        ordering = ["changed_at", "pk"]

    def __str__(self):
        if self.to_status:
            from_status = self.get_from_status_display() or "–"
            return f"{from_status} → {self.get_to_status_display()}"
        return ", ".join(self.fields)


class ExportLog(models.Model):
    """A record of one attendee list that left the system: who, when, what, how many."""

    class Kind(models.TextChoices):
        SELECTED = "selected", _("Selected registrations")
        FILTERED = "filtered", _("Filtered list")
        SESSION = "session", _("Session attendees")
        COMMAND = "command", _("Management command")

    exported_at = models.DateTimeField(_("exported at"), default=timezone.now)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("exported by"),
        related_name="exports",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        related_name="exports",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    filters = models.JSONField(
        _("selection"),
        default=dict,
        blank=True,
        help_text=_("The filters, search, session or options that chose the rows."),
    )
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    filename = models.CharField(_("file name"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("export record")
        verbose_name_plural = _("export records")
        ordering = ["-exported_at", "-pk"]

    def __str__(self):
        return f"{self.filename or self.get_kind_display()} ({self.row_count})"


# The outbox's model lives with the rest of the mail delivery; imported here so
# that Django finds it among this app's models.
from registrations.mail.models import OutgoingEmail  # noqa: E402, F401
