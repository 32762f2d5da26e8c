"""The focal point's forms, and the nominee's and the invitee's own.

Names, addresses and free text obey the rules every form of the site obeys
(``registrations.validators``); the services decide the rest (the quota, one
head, one address per event).
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from registrations import validators
from registrations.forms import (
    DelegateDetailsForm,
    RegistrationEditForm,
    country_choices,
)
from registrations.forms.fields import PersonalNamesForm
from registrations.models import Delegation, Registration, japanese_is_active
from registrations.validators import MultiLineTextField, NormalisedEmailField

# What the delegate agrees to, shown above the consent box, as on the open form.
PRIVACY_NOTICE = HTML('{% include "registrations/privacy_notice.html" %}')


class MemberForm(PersonalNamesForm):
    """A member as the focal point nominates or corrects them."""

    email = NormalisedEmailField(
        label=_("Email"),
        max_length=254,
        help_text=_(
            "The member's own address: their private link to complete their "
            "details is sent there."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    language = forms.ChoiceField(
        label=_("Language of their emails"),
        choices=settings.LANGUAGES,
    )

    class Meta:
        model = Registration
        fields = [
            "honorific",
            "given_name",
            "family_name",
            "position",
            "country",
            "delegation_role",
            "protocol_rank",
            "protocol_order",
        ]
        field_classes = {
            name: validators.SingleLineTextField
            for name in ("given_name", "family_name", "position", "protocol_rank")
        }
        labels = {
            "delegation_role": _("Role in the delegation"),
            "protocol_rank": _("Protocol rank or title (optional)"),
            "protocol_order": _("Order of precedence (optional)"),
        }
        help_texts = {
            "given_name": _("As in the passport; the member can correct it."),
            "family_name": _("As in the passport; the member can correct it."),
            "position": _("E.g. Director-General, Counsellor, Police Colonel."),
            "protocol_order": _(
                "Within the same role, members with lower numbers are listed first."
            ),
        }

    def __init__(self, *args, delegation: Delegation, **kwargs):
        super().__init__(*args, **kwargs)
        self.delegation = delegation
        self.fields["honorific"].required = False
        self.fields["delegation_role"].required = True
        self.fields["delegation_role"].choices = Registration.DelegationRole.choices
        self.fields["country"].choices = country_choices(get_language())
        self.fields["protocol_order"].required = False
        self.fields["protocol_order"].widget.attrs["inputmode"] = "numeric"
        if not self.instance.pk:
            self.initial.setdefault("country", delegation.organisation.country)
            self.initial.setdefault("language", delegation.focal_point_language)
            self.initial.setdefault(
                "delegation_role", Registration.DelegationRole.MEMBER
            )
        else:
            self.initial["language"] = self.instance.language
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        names = ["given_name", "family_name"]
        if japanese_is_active():
            # Japanese writes, and so expects to type, the family name first.
            names.reverse()
        self.helper.layout = Layout(
            Div(Div("honorific", css_class="col-sm-4"), css_class="row"),
            Div(*[Div(name, css_class="col-md-6") for name in names], css_class="row"),
            "email",
            "position",
            Div(
                Div("delegation_role", css_class="col-md-6"),
                Div("protocol_rank", css_class="col-md-6"),
                css_class="row",
            ),
            Div(
                Div("country", css_class="col-md-6"),
                Div("language", css_class="col-md-6"),
                css_class="row",
            ),
            "protocol_order",
        )

    def clean_protocol_order(self):
        return self.cleaned_data.get("protocol_order") or 0

    def member_details(self) -> dict:
        """Return what the services store of the member, without email and language."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class HeadForm(forms.Form):
    head = forms.ModelChoiceField(
        queryset=Registration.objects.none(),
        label=_("Head of delegation"),
        empty_label=_("Choose a member"),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["head"].queryset = members
        self.fields["head"].label_from_instance = lambda member: member.full_name


class NoteVerbaleForm(forms.Form):
    document = forms.FileField(
        label=_("Note verbale or nomination letter"),
        help_text=_(
            "A PDF, or a photograph or scan (JPEG or PNG), of %(size)s MB at most."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png"}
        ),
    )

    def __init__(self, *args, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        field = self.fields["document"]
        field.help_text = field.help_text % {"size": settings.NOTE_VERBALE_MAX_MB}

    def clean(self):
        if self.too_large:
            # The file was dropped as it arrived (symposium.uploads).
            self.errors.pop("document", None)
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB; please send a smaller one."),
                code="too_large",
                params={"size": settings.NOTE_VERBALE_MAX_MB},
            )
        return super().clean()


class DeclineForm(forms.Form):
    reason = MultiLineTextField(
        label=_("Reason (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NomineeDetailsForm(RegistrationEditForm):
    """A nominated member completes their details: their organisation is the
    delegation's, their consent is asked the first time."""

    consent = forms.BooleanField(
        label=_(
            "I agree to the processing of my data for this symposium, as "
            "described in the privacy notice."
        ),
        error_messages={
            "required": _("We can register you only with your agreement to this.")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("organisation", "organisation_other", "category"):
            del self.fields[name]
        sections = self.layout_sections()
        if self.instance.consent_given_at is None:
            sections.append(Fieldset(_("Your data"), PRIVACY_NOTICE, "consent"))
        else:
            del self.fields["consent"]
        self.helper.layout = Layout(*sections)

    def layout_sections(self) -> list:
        sections = DelegateDetailsForm.layout_sections(self)
        organisation = sections[1]
        organisation.fields = [
            name for name in organisation.fields if name == "position"
        ] + [Div(Div("country", css_class="col-md-6"), css_class="row")]
        return sections

    def clean(self):
        # No organisation to choose: it is the delegation's.
        return forms.ModelForm.clean(self)

    @property
    def consent_given(self) -> bool:
        return bool(self.cleaned_data.get("consent"))


class InvitationForm(DelegateDetailsForm):
    """The registration form a personal invitation opens: its address is fixed."""

    consent = NomineeDetailsForm.base_fields["consent"]

    def __init__(self, *args, invitation, **kwargs):
        super().__init__(*args, event=invitation.event, **kwargs)
        if not self.is_bound:
            self.initial.update(
                {
                    "given_name": invitation.given_name,
                    "family_name": invitation.family_name,
                    "organisation": invitation.organisation_id,
                    "position": invitation.position,
                    "category": invitation.category,
                    "country": getattr(invitation.organisation, "country", ""),
                }
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            *self.layout_sections(), Fieldset(_("Your data"), PRIVACY_NOTICE, "consent")
        )
