"""The staff's correction of a registration: the delegate's rules, then the service.

The form is the delegates' ``RegistrationDetailsForm`` (the same rules on every
field) and its validation ends by asking ``services.registration_correct``
to apply the correction. A correction the service refuses (a seat another
reviewer took a moment ago) is a form error: the admin then saves nothing and
logs nothing, and the reviewer keeps what they typed.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from registrations import services, validators
from registrations.forms import RegistrationDetailsForm, SessionChoiceField
from registrations.models import Delegation, Event, Sector, Session

# The services' refusals that concern the chosen sessions, shown at that field.
SESSION_REFUSALS = {"session_full", "overlapping_sessions"}


class StaffSessionField(SessionChoiceField):
    """The session picker for staff: times and rooms, and seats already taken."""

    full_remark = _("full")


class RegistrationCorrectionForm(RegistrationDetailsForm):
    sessions = StaffSessionField(
        queryset=Session.objects.none(),
        required=False,
        label=_("Sessions"),
        help_text=_("Sessions at the same time run in parallel."),
    )

    # The staff member correcting; the admin sets it for each request.
    corrected_by = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.changed_fields: list[str] = []
        self.fields["organisation"].not_listed_label = _(
            "Not on the list: the name typed below"
        )

    def _post_clean(self):
        if self.errors or self.corrected_by is None:
            return
        try:
            self.changed_fields = services.registration_correct(
                registration=self.instance,
                by=self.corrected_by,
                sessions=list(self.cleaned_data["sessions"]),
                **self.delegate_details(),
            )
        except services.RegistrationError as error:
            field = "sessions" if error.code in SESSION_REFUSALS else None
            self.add_error(field, forms.ValidationError(error.message, code=error.code))


class SavedByServicesMixin:
    """For an admin whose form's validation applies the change through services.

    The form is told who acts (``changed_by``); the admin then saves nothing
    itself, so that a change a rule refuses is neither saved nor logged.
    """

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"changed_by": request.user})

    def save_model(self, request, obj, form, change):
        pass

    def save_related(self, request, form, formsets, change):
        pass


class DelegationForm(forms.ModelForm):
    """A delegation as staff create or change it; the services apply the change.

    Creating one sends the invitation at once unless told not to; a quota the
    hall cannot hold, or one below the members nominated, is a form error.
    """

    send_invitation = forms.BooleanField(
        label=_("Send the invitation now"),
        required=False,
        initial=True,
        help_text=_(
            "Emailed to the focal point in their language, with the portal link."
        ),
    )

    class Meta:
        model = Delegation
        fields = [
            "event",
            "organisation",
            "seat_quota",
            "focal_point_name",
            "focal_point_email",
            "focal_point_phone",
            "focal_point_language",
            "list_position",
        ]
        field_classes = {
            "focal_point_name": validators.SingleLineTextField,
            "focal_point_phone": validators.SingleLineTextField,
            "focal_point_email": validators.NormalisedEmailField,
        }

    # The staff member acting; the admin sets it for each request.
    changed_by = None

    def _post_clean(self):
        if self.errors or self.changed_by is None:
            return
        data = self.cleaned_data
        focal_point = {name: data[name] for name in services.FOCAL_POINT_FIELDS}
        try:
            if self.instance.pk is None:
                self.instance = services.delegation_create(
                    event=data["event"],
                    invite=services.DelegationInvite(
                        organisation=data["organisation"],
                        seat_quota=data["seat_quota"],
                        **focal_point,
                    ),
                    by=self.changed_by,
                    send=data.get("send_invitation", False),
                )
                if data.get("list_position") is not None:
                    services.delegation_update(
                        delegation=self.instance,
                        by=self.changed_by,
                        seat_quota=data["seat_quota"],
                        list_position=data["list_position"],
                    )
            else:
                services.delegation_update(
                    delegation=self.instance,
                    by=self.changed_by,
                    seat_quota=data["seat_quota"],
                    list_position=data.get("list_position"),
                    **focal_point,
                )
        except services.RegistrationError as error:
            field = "seat_quota" if "quota" in error.code else None
            self.add_error(field, forms.ValidationError(error.message, code=error.code))


class EventForm(forms.ModelForm):
    """An event, with the categories its open form admits as checkboxes."""

    open_form_categories = forms.MultipleChoiceField(
        label=_("Categories that may use the open form"),
        choices=Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("With “only the categories chosen”: e.g. academia and press."),
    )

    class Meta:
        model = Event
        # The admin gives the fields of its fieldsets; these are the ones at stake.
        fields = ["open_form", "open_form_categories", "hold_delegation_seats"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("open_form") == Event.OpenForm.CATEGORIES and not cleaned.get(
            "open_form_categories"
        ):
            self.add_error(
                "open_form_categories",
                forms.ValidationError(
                    _("Choose the categories the open form admits."),
                    code="no_categories",
                ),
            )
        return cleaned
