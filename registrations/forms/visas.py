"""The delegate's request for a visa support letter, also the Protocol office's
corrections in the admin: one set of rules (``validators.visas``)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from registrations import validators
from registrations.forms.fields import ask_as_each_field_needs, country_choices
from registrations.models import Event, VisaRequest
from registrations.models.visas import PASSPORT_FIELDS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# What the delegate gives; the Protocol office sets the costs when issuing.
DELEGATE_VISA_FIELDS = [*PASSPORT_FIELDS, "mission", "japanese_version"]


class VisaRequestForm(forms.ModelForm):
    """Passport details, the stay and the mission, checked against the event."""

    class Meta:
        model = VisaRequest
        fields = DELEGATE_VISA_FIELDS
        field_classes = {
            "passport_name": validators.SingleLineTextField,
            "passport_number": validators.SingleLineTextField,
            "mission": validators.SingleLineTextField,
        }
        labels = {
            "passport_name": _("Name as printed in the passport"),
            "stay_from": _("Arrival in Japan"),
            "stay_until": _("Departure from Japan"),
            "mission": _("Embassy or consulate of Japan where you will apply"),
            "japanese_version": _(
                "The embassy or consulate asks for a Japanese version of the letter"
            ),
        }
        help_texts = {
            "passport_name": _(
                "Exactly as on the passport's data page, e.g. SANTOS Maria Clara."
            ),
            "passport_number": _("As printed, e.g. P1234567A."),
            "date_of_birth": _("As in the passport."),
            "passport_expiry": _(
                "The passport must remain valid for the whole of your stay."
            ),
            "mission": _("E.g. Embassy of Japan in the Philippines, Manila."),
            "japanese_version": "",
        }
        widgets = {
            "date_of_birth": DATE_INPUT,
            "passport_expiry": DATE_INPUT,
            "stay_from": DATE_INPUT,
            "stay_until": DATE_INPUT,
        }

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        # Every passport field is needed, although the model lets the
        # retention job empty them.
        for name in DELEGATE_VISA_FIELDS[:-1]:
            self.fields[name].required = True
        choices = country_choices(get_language())
        self.fields["nationality"].choices = [
            ("", _("Choose your nationality")),
            *choices[1:],
        ]
        ask_as_each_field_needs(self)
        self.fields["passport_name"].widget.attrs["autocomplete"] = "name"
        self.fields["passport_number"].widget.attrs.update(
            {
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        )
        self.fields["date_of_birth"].widget.attrs["autocomplete"] = "bday"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(
                _("Your passport"),
                "passport_name",
                Div(
                    Div("passport_number", css_class="col-md-6"),
                    Div("nationality", css_class="col-md-6"),
                    css_class="row",
                ),
                Div(
                    Div("date_of_birth", css_class="col-md-6"),
                    Div("passport_expiry", css_class="col-md-6"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("Your stay and your visa application"),
                Div(
                    Div("stay_from", css_class="col-md-6"),
                    Div("stay_until", css_class="col-md-6"),
                    css_class="row",
                ),
                "mission",
                "japanese_version",
            ),
        )

    def clean_passport_name(self):
        return validators.clean_personal_name(self.cleaned_data["passport_name"])

    def clean_passport_number(self):
        number = validators.normalise_passport_number(
            self.cleaned_data["passport_number"]
        )
        validators.validate_passport_number(number)
        return number

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        validators.validate_date_of_birth(value, today=timezone.localdate())
        return value

    def clean(self):
        data = super().clean()
        errors = validators.stay_errors(
            stay_from=data.get("stay_from"),
            stay_until=data.get("stay_until"),
            expiry=data.get("passport_expiry"),
            event_first_day=timezone.localdate(self.event.starts_at),
            event_last_day=timezone.localdate(self.event.ends_at),
            today=timezone.localdate(),
        )
        for name, error in errors.items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, error)
        return data

    def visa_details(self) -> dict:
        return {name: self.cleaned_data[name] for name in DELEGATE_VISA_FIELDS}
