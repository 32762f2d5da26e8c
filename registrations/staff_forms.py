"""Forms of the badge pages: what to print and how, a reissue, a photo upload.

The admin's actions and the staff's badge page ask the same questions with
the same forms; the photo form serves the delegate's page and the admin's.
They validate only; the services decide (``services.badges_print``,
``badge_reissue``, ``photo_replace``).
"""

from django import forms
from django.forms.utils import ErrorDict
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from registrations import validators
from registrations.models import ATTENDING, Event, Registration, Sector
from symposium.uploads import refused_upload

Status = Registration.Status

LAYOUT_CHOICES = [
    ("a6", _("A6 pages, one badge each (for badge holders)")),
    ("a4-4up", _("A4 sheets, four badges each, with crop marks (office printers)")),
]
# The statuses whose badges may be printed; the others attend no event.
PRINTABLE_STATUSES = [ATTENDING, Status.PENDING, Status.WAITLISTED]


class BadgePrintForm(forms.Form):
    """How to print: the layout, and why badges printed before are printed again."""

    layout = forms.ChoiceField(
        label=_("Layout"),
        choices=LAYOUT_CHOICES,
        initial="a6",
        widget=forms.RadioSelect,
    )
    reason = validators.SingleLineTextField(
        label=_("Reason for a reprint"),
        required=False,
        max_length=300,
        help_text=_(
            "Needed when a badge was printed before: lost, damaged, details "
            "corrected. Kept in the print record."
        ),
    )


class BadgeSelectionForm(BadgePrintForm):
    """The staff page: which badges of which event, then how to print them."""

    event = forms.ModelChoiceField(
        label=_("Event"),
        queryset=Event.objects.order_by("-starts_at"),
        empty_label=None,
    )
    statuses = forms.MultipleChoiceField(
        label=_("Status"),
        choices=[(s, Status(s).label) for s in PRINTABLE_STATUSES],
        initial=[ATTENDING],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Badges of pending or waitlisted delegates do not open the door."),
    )
    categories = forms.MultipleChoiceField(
        label=_("Categories"),
        choices=Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every category."),
    )
    unprinted = forms.BooleanField(
        label=_("Only badges not printed yet"),
        required=False,
        help_text=_("For the delegates approved since the last print."),
    )

    field_order = ["event", "statuses", "categories", "unprinted", "layout", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["event"].initial = Event.objects.current()


class BadgeReissueForm(forms.Form):
    reason = validators.SingleLineTextField(
        label=_("Reason"),
        max_length=300,
        help_text=_(
            "Lost, stolen, or printed with details since corrected. The old "
            "badges stop opening the door."
        ),
    )


class PhotoForm(forms.Form):
    """A portrait for the badge, proven a picture and cleaned when validated.

    ``request`` tells the form of a file dropped as it arrived because it
    was too large (``symposium.uploads``).
    """

    photo = forms.FileField(
        label=_("Photo"),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.portrait: validators.Portrait | None = None
        self.fields["photo"].help_text = _(
            "A recent portrait, face and shoulders, as for a passport: JPEG, "
            "PNG or WebP, %(limit)s at most."
        ) % {"limit": filesizeformat(validators.PHOTO_MAX_BYTES)}

    def full_clean(self):
        limit = self.request is not None and refused_upload(self.request, "photo")
        if limit and self.is_bound:
            # The file was dropped as it came: say so, not "this field is
            # required".
            self.cleaned_data = {}
            self._errors = ErrorDict()
            self.add_error("photo", validators.too_large(limit))
            return
        super().full_clean()

    def clean_photo(self):
        upload = self.cleaned_data["photo"]
        if upload.size > validators.PHOTO_MAX_BYTES:
            raise validators.too_large()
        self.portrait = validators.read_portrait(upload.read())
        return upload
