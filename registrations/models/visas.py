"""Visa support: a delegate's request, the letters issued for it, who read it.

Passport data lives in ``VisaRequest`` only, never on the registration: the
"Protocol" group alone may read it (``view_passport_data``), and every time
staff see it a ``PassportDataView`` row says who, when and which. Reviewers
learn only that a letter was requested and how far it has got.

Each letter (``VisaLetter``) has its own reference, printed on it and in its
QR code, which leads to a public page that says whether the letter is valid
and nothing about whom it is for. A reissue withdraws the letter before it.
Passport data is deleted earlier than the rest of a registration
(``VISA_DATA_RETENTION_DAYS`` after the event): the request keeps its state
and the letters their reference and validity, without a name or a number.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from registrations.models.badges import SHORT_CODE_ALPHABET, grouped_short_code
from registrations.models.programme import Event
from registrations.models.registrations import Registration

# The fields that identify the traveller; deleted first, read by Protocol only.
PASSPORT_FIELDS = (
    "passport_name",
    "passport_number",
    "nationality",
    "date_of_birth",
    "passport_expiry",
    "stay_from",
    "stay_until",
)
# The random part of a letter's reference: 40 bits, read aloud in two groups.
REFERENCE_CODE_LENGTH = 8


def new_letter_reference(event: Event) -> str:
    """Return a fresh reference such as ``VL-2027-7KQ2-M9XD`` (year of the event)."""
    code = "".join(
        secrets.choice(SHORT_CODE_ALPHABET) for _ in range(REFERENCE_CODE_LENGTH)
    )
    year = timezone.localtime(event.starts_at).year
    return f"VL-{year}-{grouped_short_code(code)}"


class VisaRequestState(models.TextChoices):
    """Where a request stands; ``services.visas`` moves it along."""

    REQUESTED = "requested", _("Requested")
    ISSUED = "issued", _("Letter issued")
    SENT = "sent", _("Letter sent")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Letter withdrawn")


class VisaCosts(models.TextChoices):
    """Who bears the costs of the delegate's journey and stay, as the letter says."""

    ORGANISATION = "organisation", _("The delegate's government or organisation")
    HOST = "host", _("The host ministry")
    SHARED = "shared", _("Travel by the delegate's side, accommodation by the host")
    DELEGATE = "delegate", _("The delegate")


class VisaRequest(models.Model):
    """A delegate's request for a visa support letter, with their passport data."""

    State = VisaRequestState
    Costs = VisaCosts

    registration = models.OneToOneField(
        Registration,
        verbose_name=_("registration"),
        related_name="visa_request",
        on_delete=models.CASCADE,
    )
    passport_name = models.CharField(
        _("name as in the passport"),
        max_length=200,
        blank=True,
        help_text=_("Exactly as printed on the passport's data page."),
    )
    passport_number = models.CharField(_("passport number"), max_length=20, blank=True)
    nationality = CountryField(_("nationality"), blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    passport_expiry = models.DateField(_("passport valid until"), null=True, blank=True)
    stay_from = models.DateField(_("arrival in Japan"), null=True, blank=True)
    stay_until = models.DateField(_("departure from Japan"), null=True, blank=True)
    mission = models.CharField(
        _("embassy or consulate"),
        max_length=200,
        help_text=_("The Japanese embassy or consulate where the visa is applied for."),
    )
    japanese_version = models.BooleanField(
        _("Japanese version"),
        default=False,
        help_text=_("The embassy or consulate asks for the letter in Japanese too."),
    )
    costs = models.CharField(
        _("costs borne by"),
        max_length=12,
        choices=VisaCosts.choices,
        default=VisaCosts.ORGANISATION,
        help_text=_("Who pays for the journey and the stay, as the letter says."),
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=VisaRequestState.choices,
        default=VisaRequestState.REQUESTED,
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    updated_at = models.DateTimeField(_("corrected at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        related_name="visa_requests_decided",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    refusal_reason = models.TextField(
        _("reason for refusal"),
        blank=True,
        help_text=_("Sent to the delegate when the request is refused."),
    )
    passport_data_deleted_at = models.DateTimeField(
        _("passport data deleted at"),
        null=True,
        blank=True,
        help_text=_("Deleted by the retention job some time after the event."),
    )

    class Meta:
        verbose_name = _("visa request")
        verbose_name_plural = _("visa requests")
        ordering = ["-requested_at", "-pk"]
        permissions = [
            ("view_passport_data", _("Can read the passport data of visa requests")),
            ("issue_visa_letter", _("Can issue, send and withdraw visa letters")),
            ("export_visa_requests", _("Can export the visa requests")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=VisaRequestState.values),
                name="visarequest_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(stay_until__gte=models.F("stay_from"))
                | Q(stay_until__isnull=True)
                | Q(stay_from__isnull=True),
                name="visarequest_stay_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return str(
            _("Visa request of %(name)s") % {"name": self.registration.full_name}
        )

    @property
    def has_passport_data(self) -> bool:
        return self.passport_data_deleted_at is None

    @property
    def current_letter(self) -> "VisaLetter | None":
        """Return the letter in force, if any (the latest one not withdrawn)."""
        return self.letters.filter(withdrawn_at__isnull=True).first()


class VisaLetter(models.Model):
    """One issued letter: its reference, its PDF (while kept), its validity."""

    request = models.ForeignKey(
        VisaRequest,
        verbose_name=_("visa request"),
        related_name="letters",
        on_delete=models.CASCADE,
    )
    reference = models.CharField(
        _("reference"),
        max_length=40,
        unique=True,
        editable=False,
        help_text=_("Printed on the letter and in its QR code."),
    )
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        related_name="visa_letters",
        on_delete=models.CASCADE,
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        related_name="visa_letters_issued",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    japanese_version = models.BooleanField(_("with a Japanese version"), default=False)
    file_name = models.CharField(
        _("file"),
        max_length=200,
        blank=True,
        editable=False,
        help_text=_("The PDF in the private storage; deleted with the passport data."),
    )
    sent_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        related_name="visa_letters_withdrawn",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    withdrawal_reason = models.CharField(
        _("reason for withdrawal"), max_length=300, blank=True
    )

    class Meta:
        verbose_name = _("visa letter")
        verbose_name_plural = _("visa letters")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(withdrawn_at__isnull=True),
                name="visaletter_one_in_force_per_request",
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_valid(self) -> bool:
        return self.withdrawn_at is None


class VisaLetterhead(models.Model):
    """The ministry's letterhead and signatory for an event's visa letters."""

    event = models.OneToOneField(
        Event,
        verbose_name=_("event"),
        related_name="visa_letterhead",
        on_delete=models.CASCADE,
    )
    header = models.TextField(
        _("letterhead"),
        help_text=_("One line each: the ministry, the division, the address."),
    )
    header_ja = models.TextField(_("letterhead (Japanese)"), blank=True)
    signatory_name = models.CharField(_("signatory's name"), max_length=200)
    signatory_name_ja = models.CharField(
        _("signatory's name (Japanese)"), max_length=200, blank=True
    )
    signatory_title = models.CharField(_("signatory's title"), max_length=300)
    signatory_title_ja = models.CharField(
        _("signatory's title (Japanese)"), max_length=300, blank=True
    )
    stamp_file = models.CharField(
        _("stamp image"),
        max_length=200,
        blank=True,
        editable=False,
        help_text=_("The official seal printed beside the signature (optional)."),
    )

    class Meta:
        verbose_name = _("visa letterhead")
        verbose_name_plural = _("visa letterheads")

    def __str__(self):
        return str(self.event)


class PassportDataView(models.Model):
    """One time a member of staff saw passport data: who, when, which, how."""

    class Access(models.TextChoices):
        PAGE = "page", _("Request's page opened")
        EXPORT = "export", _("Exported in the protocol list")
        LETTER = "letter", _("Letter PDF downloaded")
        ISSUE = "issue", _("Letter issued")

    request = models.ForeignKey(
        VisaRequest,
        verbose_name=_("visa request"),
        related_name="views",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    registration_ref = models.PositiveIntegerField(
        _("registration number"),
        help_text=_("Kept when the registration itself has been deleted."),
    )
    viewed_at = models.DateTimeField(_("seen at"), default=timezone.now)
    viewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("seen by"),
        related_name="passport_data_views",
        on_delete=models.PROTECT,
    )
    access = models.CharField(_("how"), max_length=8, choices=Access.choices)

    class Meta:
        verbose_name = _("passport data access")
        verbose_name_plural = _("passport data accesses")
        ordering = ["-viewed_at", "-pk"]

    def __str__(self):
        return (
            f"{self.viewed_by} – {self.registration_ref} – {self.get_access_display()}"
        )
