"""The event and its programme: sessions, speakers, and the organisations."""

from django.core.validators import URLValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from registrations.models.bilingual import BilingualMixin, japanese_is_active
from registrations.models.choices import ATTENDING, OpenForm, Sector


class EventQuerySet(models.QuerySet):
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
    open_form = models.CharField(
        _("who may use the open form"),
        max_length=12,
        choices=OpenForm.choices,
        default=OpenForm.EVERYONE,
        help_text=_(
            "Invited delegations nominate through their focal point's portal and "
            "personal invitations open a form of their own, whatever this says."
        ),
    )
    open_form_categories = models.JSONField(
        _("categories that may use the open form"),
        default=list,
        blank=True,
        help_text=_("With “only the categories chosen”: e.g. academia and press."),
    )
    hold_delegation_seats = models.BooleanField(
        _("hold the delegations' seats"),
        default=True,
        help_text=_(
            "The seats of each delegation's quota that are not yet approved are "
            "kept for it: open registrations cannot take them."
        ),
    )

    OpenForm = OpenForm
    waitlist_promotion = models.BooleanField(
        _("offer freed seats to the waiting list"),
        default=True,
        help_text=_(
            "When a seat frees (a cancellation, a capacity raised), approve the "
            "first delegates on the waiting list who fit, in its order, and tell "
            "them by email. Untick to decide yourselves: the list of registrations "
            "then shows the free seats and who is next in line."
        ),
    )

    # What approved delegates are told of the place, once staff send it.
    venue_hotel = models.CharField(
        _("hotel"),
        max_length=200,
        blank=True,
        help_text=_("The hotel's name, for approved delegates only."),
    )
    venue_hotel_ja = models.CharField(_("hotel (Japanese)"), max_length=200, blank=True)
    venue_address = models.TextField(_("address"), blank=True)
    venue_address_ja = models.TextField(_("address (Japanese)"), blank=True)
    venue_directions = models.TextField(
        _("directions"),
        blank=True,
        help_text=_("How to reach the hall from the station and the entrance."),
    )
    venue_directions_ja = models.TextField(_("directions (Japanese)"), blank=True)
    venue_map_url = models.URLField(
        _("map link"),
        blank=True,
        validators=[URLValidator(schemes=["https"])],
        help_text=_("An https:// address of a map of the hotel."),
    )
    venue_details_due = models.DateField(
        _("venue details sent by"),
        null=True,
        blank=True,
        help_text=_(
            "The date by which approved delegates will have the venue details; "
            "pages and emails say it until the details are sent."
        ),
    )
    venue_details_sent_at = models.DateTimeField(
        _("venue details sent at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the venue details were last sent to approved delegates."),
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
        return self.localized.title

    def get_absolute_url(self):
        return reverse("registrations:event", kwargs={"slug": self.slug})

    @property
    def venue_details_complete(self) -> bool:
        """Return whether the hotel and its address have been filled in."""
        return bool(self.venue_hotel and self.venue_address)

    @property
    def venue_details_published(self) -> bool:
        """Return whether approved delegates have been sent the venue details."""
        return self.venue_details_sent_at is not None and self.venue_details_complete

    def is_registration_open(self, *, at=None) -> bool:
        at = at or timezone.now()
        return self.registration_opens_at <= at < self.registration_closes_at

    def open_form_admits(self, category: str) -> bool:
        """Return whether a delegate of ``category`` may use the open form."""
        if self.open_form == OpenForm.EVERYONE:
            return True
        if self.open_form == OpenForm.CATEGORIES:
            return category in self.open_form_categories
        return False

    @property
    def open_form_closed_to_all(self) -> bool:
        """Return whether nobody may use the open form (by invitation only)."""
        return self.open_form == OpenForm.INVITEES or (
            self.open_form == OpenForm.CATEGORIES and not self.open_form_categories
        )


class Organisation(BilingualMixin, models.Model):
    Kind = Sector

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
        return self.label

    @property
    def label(self) -> str:
        """Return the name and acronym as lists show them, in the reader's language.

        A Japanese name that already ends in a bracketed gloss, as
        「国連児童基金（ユニセフ）」 does, is shown without a second pair.
        """
        name = self.localized.name
        if not self.acronym or (japanese_is_active() and name.endswith("）")):
            return name
        return _("%(name)s (%(acronym)s)") % {"name": name, "acronym": self.acronym}


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
        return self.localized.name


class SessionQuerySet(models.QuerySet):
    def with_approved_count(self):
        """Annotate ``approved_count``: the approved registrations for each session.

        One subquery per session that starts from its event's approved
        registrations (an index gives them), rather than a join through every
        registration of every session: the form checks the chosen sessions
        with this on each submission.
        """
        chosen = self.model.registrations.through.objects.filter(
            session=OuterRef("pk"),
            registration__event=OuterRef("event"),
            registration__status=ATTENDING,
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
        return self.localized.title

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
