"""The forms a delegate registers with and corrects a pending registration with.

They are built on ``forms.details.RegistrationDetailsForm``, as the admin's
correction form is, so that delegates and staff obey one set of rules.
"""

import functools

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from registrations import services
from registrations.forms import widgets as select_widgets
from registrations.forms.details import RegistrationDetailsForm
from registrations.forms.fields import country_choices, country_codes, country_options
from registrations.forms.layout import keep_unchanging_parts
from registrations.models import (
    DELEGATE_SECTORS,
    Event,
    Registration,
    japanese_is_active,
)
from registrations.validators import NormalisedEmailField


@functools.lru_cache(maxsize=8)
def category_choices(offered: frozenset[str]) -> list[tuple[str, str]]:
    """Return the categories of ``offered`` to choose from, after a prompt.

    The same list for every form that offers them: the labels are translated
    as they are shown.
    """
    return [
        ("", _("Choose one")),
        *(choice for choice in Registration.Category.choices if choice[0] in offered),
    ]


class DelegateDetailsForm(RegistrationDetailsForm):
    """The details a delegate gives and may later correct while pending."""

    class Meta(RegistrationDetailsForm.Meta):
        labels = {
            "organisation_other": _("Organisation, if not listed"),
            "name_ja": _("Name in Japanese script (optional)"),
            "category": _("You attend as"),
            "interpretation": _("Simultaneous interpretation"),
            "listed_in_participants": _("List me in the List of Participants"),
        }
        help_texts = {
            "given_name": _("As in your passport or identity document."),
            "family_name": _("As in your passport or identity document."),
            "organisation_other": _(
                "Type its full name if it is not in the list above."
            ),
            "position": _("Your job title, e.g. Director, Counsellor, Researcher."),
            "dietary_needs": _(
                "E.g. vegetarian, halal, allergies. Leave empty if none."
            ),
            "accessibility_needs": _(
                "E.g. wheelchair access, hearing loop. Leave empty if none."
            ),
            "interpretation": _(
                "The plenary sessions are held in English and Japanese."
            ),
            "listed_in_participants": _(
                "The list handed to every participant gives your name, title, "
                "position and organisation, never your email or your needs. "
                "Untick the box to be left out of it."
            ),
        }
        widgets = {
            "honorific": select_widgets.Select,
            "country": select_widgets.LazySelect,
            "category": select_widgets.Select,
            "interpretation": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if japanese_is_active():
            # Japanese writes, and so expects to type, the family name first:
            # the layout and the error summary follow the fields' order.
            self.order_fields(["honorific", "family_name", "given_name"])
        self.fields["honorific"].required = False
        # The list and its options are built once per language
        # (``country_choices``, ``country_options``); the field's setter would
        # go through its 250 choices again on each form.
        country = self.fields["country"]
        language = get_language()
        country._choices = country.widget._choices = country_choices(language)
        country.widget.rendered_options = country_options(language)
        country.codes = country_codes(language)
        # Organisers' staff is set by staff in the admin; a delegate keeps it
        # only if staff gave it to them.
        category = self.fields["category"]
        offered = frozenset({*DELEGATE_SECTORS, self.instance.category})
        category._choices = category.widget._choices = category_choices(offered)
        self.fields["given_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["family_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["position"].widget.attrs["autocomplete"] = "organization-title"
        self.fields["organisation_other"].widget.attrs["autocomplete"] = "organization"
        self.fields["name_ja"].widget.attrs["lang"] = "ja"
        self.fields["honorific"].widget.attrs["autocomplete"] = "honorific-prefix"
        self.fields["country"].widget.attrs["autocomplete"] = "country"
        # The example is Japanese inside English text: screen readers read it
        # in Japanese (WCAG 3.1.2).
        self.fields["name_ja"].help_text = format_html(
            gettext("Family name first, as written in Japanese, e.g. {example}."),
            example=format_html('<span lang="ja">{}</span>', "山田 花子"),
        )

    def layout_sections(self) -> list:
        # In the fields' order: Japanese puts the family name first (__init__).
        names = [name for name in self.fields if name in ("given_name", "family_name")]
        return [
            Fieldset(
                _("About you"),
                Div(
                    Div("honorific", css_class="col-sm-4"),
                    css_class="row",
                ),
                Div(
                    *[Div(name, css_class="col-md-6") for name in names],
                    css_class="row",
                ),
                "name_ja",
            ),
            Fieldset(
                _("Your organisation"),
                "organisation",
                "organisation_other",
                "position",
                Div(
                    Div("country", css_class="col-md-6"),
                    Div("category", css_class="col-md-6"),
                    css_class="row",
                ),
            ),
            Fieldset(_("Programme"), "sessions"),
            Fieldset(
                _("Your needs"),
                "dietary_needs",
                "accessibility_needs",
                "interpretation",
            ),
            Fieldset(_("List of Participants"), "listed_in_participants"),
        ]


class RegistrationForm(DelegateDetailsForm):
    """The form a delegate fills in to register."""

    email = NormalisedEmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("We send your confirmation and your private link here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    email_confirmation = NormalisedEmailField(
        label=_("Email, again"),
        max_length=254,
        help_text=_(
            "Type it once more, so that a typing mistake cannot lose your confirmation."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree to the processing of my data for this symposium, as "
            "described above."
        ),
        error_messages={
            "required": _("We can register you only with your agreement to this.")
        },
    )
    visa_needed = forms.BooleanField(
        label=_("I need a visa to enter Japan"),
        required=False,
        help_text=_(
            "Once registered, you give your passport details on your registration "
            "page, and the Ministry's protocol office sends you a letter in "
            "support of your visa application."
        ),
    )
    # A field people never see: bots fill every input they find.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    # What these fields show depends on nothing but the language, and what
    # the next ones show on their choices too: on a blank form, their parts
    # of the page are written once per language and choices
    # (``forms.layout``).
    SAME_FOR_EVERYONE = frozenset(
        {
            "honorific",
            "given_name",
            "family_name",
            "name_ja",
            "email",
            "email_confirmation",
            "organisation_other",
            "position",
            "country",
            "dietary_needs",
            "accessibility_needs",
            "interpretation",
            "listed_in_participants",
            "visa_needed",
            "consent",
            "website",
        }
    )
    SHOWN_BY_THEIR_CHOICES = frozenset({"organisation", "category", "sessions"})

    def __init__(self, *args, **kwargs):
        # Built from the event alone: nobody's values, the usual names and ids.
        self.is_blank = not args and kwargs.keys() <= {"event"}
        super().__init__(*args, **kwargs)
        if self.event.open_form == Event.OpenForm.CATEGORIES:
            # Only the categories the open form admits; the others are told
            # how to be invited.
            category = self.fields["category"]
            category.choices = [
                choice
                for choice in category.choices
                if not choice[0] or choice[0] in self.event.open_form_categories
            ]
            refusal = services.open_form_refusal(self.event).message
            category.error_messages["invalid_choice"] = refusal.replace("%", "%%")

    @cached_property
    def helper(self) -> FormHelper:
        # Built when the form is shown: a valid submission never is.
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        sections = self.layout_sections()
        sections[0].fields += ["email", "email_confirmation"]
        sections[-1].fields += ["visa_needed"]
        helper.layout = Layout(
            *sections,
            Fieldset(
                _("Your data"),
                HTML('{% include "registrations/privacy_notice.html" %}'),
                "consent",
            ),
            Div("website", css_class="hp-field", aria_hidden="true"),
        )
        keep_unchanging_parts(
            helper.layout, self.SAME_FOR_EVERYONE, self.SHOWN_BY_THEIR_CHOICES
        )
        return helper

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def clean_email_confirmation(self):
        email = self.cleaned_data.get("email")
        confirmation = self.cleaned_data["email_confirmation"]
        if email and confirmation.lower() != email.lower():
            raise forms.ValidationError(
                _("The two addresses differ; please type the same address twice."),
                code="email_mismatch",
            )
        return confirmation


class RegistrationEditForm(DelegateDetailsForm):
    """The delegate's corrections while the registration is pending."""

    @cached_property
    def helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        helper.layout = Layout(*self.layout_sections())
        return helper
