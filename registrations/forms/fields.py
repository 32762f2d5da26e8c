"""The fields of the registration forms: sessions, organisations, countries."""

import functools

from django import forms
from django.conf import settings
from django.forms.models import ModelChoiceIterator
from django.utils import timezone, translation
from django.utils.formats import time_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField, LazyTypedChoiceField

from registrations import selectors, validators
from registrations.countries import country_choices_in
from registrations.forms import widgets as select_widgets
from registrations.forms.copying import CopiesFieldsLightly
from registrations.models import Organisation, Session
from registrations.validators import SingleLineTextField

# The fields delegates type freely, checked for hidden characters by the
# public form and the admin alike.
FREE_TEXT_FIELD_CLASSES = {
    name: SingleLineTextField
    for name in (
        "given_name",
        "family_name",
        "name_ja",
        "organisation_other",
        "position",
        "dietary_needs",
        "accessibility_needs",
    )
}


@functools.lru_cache(maxsize=len(settings.LANGUAGES))
def country_choices(language: str) -> list[tuple[str, str]]:
    """Return the country list in ``language`` and its order, after a prompt.

    The list changes only with the language.
    """
    with translation.override(language):
        prompt = str(_("Choose your country"))
    return [("", prompt), *country_choices_in(language)]


@functools.lru_cache(maxsize=len(settings.LANGUAGES))
def country_options(language: str) -> list[tuple[str, str, str]]:
    """Return the ``<option>`` tags of ``country_choices(language)``."""
    return select_widgets.option_tags(country_choices(language))


@functools.lru_cache(maxsize=len(settings.LANGUAGES))
def country_codes(language: str) -> frozenset[str]:
    """Return the codes among ``country_choices(language)``."""
    return frozenset(code for code, _name in country_choices(language) if code)


class CountryChoiceField(LazyTypedChoiceField):
    """The country list (django-countries' field), a choice found by its code.

    Django looks for a choice along the list, comparing each one: some 250
    for every form sent. ``codes``, when the form sets it with the list's
    choices, holds their codes (``country_codes``).
    """

    codes: frozenset[str] | None = None

    def valid_value(self, value) -> bool:
        if self.codes is None:
            return super().valid_value(value)
        return str(value) in self.codes


def form_field_of(model_field, **kwargs) -> forms.Field:
    """Make each form field of a model's field; the country's a ``CountryChoiceField``.

    A model form's ``formfield_callback``.
    """
    if isinstance(model_field, CountryField):
        kwargs["choices_form_class"] = CountryChoiceField
    return model_field.formfield(**kwargs)


def session_label(session: Session) -> str:
    """Return "09:30–10:30 Title (Room)": parallel sessions show side by side."""
    # Programme times are read in Japan Standard Time, as on the event page.
    values = {
        "times": _("%(starts)s–%(ends)s")
        % {
            "starts": time_format(timezone.localtime(session.starts_at), "TIME_FORMAT"),
            "ends": time_format(timezone.localtime(session.ends_at), "TIME_FORMAT"),
        },
        "title": session.localized.title,
        "room": session.localized.room,
    }
    if values["room"]:
        return _("%(times)s %(title)s (%(room)s)") % values
    return _("%(times)s %(title)s") % values


class OfferedChoiceIterator(ModelChoiceIterator):
    """The field's choices: those it was given read already, else its queryset's."""

    def __iter__(self):
        if self.field.offered is None:
            yield from super().__iter__()
            return
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for instance in self.field.offered.values():
            yield self.choice(instance)

    def __len__(self):
        if self.field.offered is None:
            return super().__len__()
        return len(self.field.offered) + (self.field.empty_label is not None)

    def __bool__(self):
        if self.field.offered is None:
            return super().__bool__()
        return self.field.empty_label is not None or bool(self.field.offered)


class SessionChoiceField(forms.ModelMultipleChoiceField):
    """Sessions as checkboxes with their times and rooms, full ones marked."""

    widget = forms.CheckboxSelectMultiple
    iterator = OfferedChoiceIterator
    default_error_messages = {
        "invalid_choice": _(
            "One of the chosen sessions is not in this programme; please choose again."
        ),
        "invalid_pk_value": _(
            "One of the chosen sessions is not in this programme; please choose again."
        ),
    }

    # The sessions on offer by id, when the form is given them read already
    # (``caching.form_choices``): the choices are then checked, and shown
    # again, without a query.
    offered: dict[int, Session] | None = None

    def _check_values(self, value):
        if not all(validators.is_possible_id(pk) for pk in value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        if self.offered is None:
            return super()._check_values(value)
        chosen = {int(pk) for pk in value}
        if not chosen <= self.offered.keys():
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        # In the programme's order, as the query would give them.
        return [session for pk, session in self.offered.items() if pk in chosen]

    def label_from_instance(self, session: Session) -> str:
        label = session_label(session)
        if self.is_full(session):
            label = _("%(session)s — %(remark)s") % {
                "session": label,
                "remark": self.full_remark,
            }
        return label

    full_remark = _("Full: choosing it puts your registration on the waiting list")

    def is_full(self, session: Session) -> bool:
        if hasattr(session, "approved_count"):
            return session.is_full
        # Sessions of a sent form, shown again: their seats counted at once.
        if not hasattr(self, "_full_ids"):
            self._full_ids = {
                full.pk for full in selectors.full_sessions_among(self.queryset)
            }
        return session.pk in self._full_ids


# The choice of an organisation that is not on the list; its name is typed.
NOT_LISTED = "other"


class OrganisationChoiceIterator(OfferedChoiceIterator):
    """The organisations on the list, then "not listed" last."""

    def __iter__(self):
        yield from super().__iter__()
        yield (NOT_LISTED, self.field.not_listed_label)

    def __len__(self):
        return super().__len__() + 1


class OrganisationChoiceField(forms.ModelChoiceField):
    """The list of organisations, with "not listed" as its last choice.

    Cleans to an ``Organisation``, ``NOT_LISTED`` or None (nothing chosen).
    Whether the choice may be left empty depends on the typed name, so the
    form decides it (``RegistrationDetailsForm.clean``).
    """

    iterator = OrganisationChoiceIterator
    not_listed_label = _("My organisation is not listed")
    default_error_messages = {
        "invalid_choice": _(
            "That organisation is not on the list; choose another or type its name."
        ),
    }

    # The organisations on the list by id, when the form is given them read
    # already (``caching.form_choices``): the choice is then found, and the
    # list shown again, without a query.
    offered: dict[int, Organisation] | None = None

    def to_python(self, value):
        if value == NOT_LISTED:
            return NOT_LISTED
        if value in self.empty_values:
            return None
        if not validators.is_possible_id(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        if self.offered is None:
            return super().to_python(value)
        try:
            return self.offered[int(value)]
        except KeyError:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None

    def validate(self, value):
        # Left to the form, which sees the typed name as well.
        pass

    def label_from_instance(self, organisation: Organisation) -> str:
        return organisation.label


# Django says "This field is required." of every field; Japanese asks to type
# (入力してください) or to choose (選択してください), as the field needs.
REQUIRED_INPUT = pgettext_lazy("a field to type in", "This field is required.")
REQUIRED_CHOICE = pgettext_lazy("a field to choose in", "This field is required.")
CHOICE_WIDGETS = (forms.Select, forms.RadioSelect, forms.CheckboxInput)


def ask_as_each_field_needs(form: forms.BaseForm) -> None:
    """Give each field's "required" error the verb its kind of input takes."""
    for field in form.fields.values():
        if (
            field.error_messages.get("required")
            is not forms.Field.default_error_messages["required"]
        ):
            # A message of its own, e.g. the consent's. (Compared as the same
            # object: comparing the lazy texts would translate them.)
            continue
        choosing = isinstance(field.widget, CHOICE_WIDGETS)
        field.error_messages["required"] = (
            REQUIRED_CHOICE if choosing else REQUIRED_INPUT
        )


class PersonalNamesForm(forms.ModelForm, metaclass=CopiesFieldsLightly):
    """A person's names cleaned by the delegate's rules; the services save.

    The fields and the clean methods check every rule a delegate can break,
    and the services module saves, under the database's own constraints. The
    model's validation would repeat those checks, with a query for each
    constraint and foreign key, on every submission.
    """

    def _post_clean(self):
        pass

    def clean_given_name(self):
        return validators.clean_personal_name(self.cleaned_data["given_name"])

    def clean_family_name(self):
        return validators.clean_personal_name(self.cleaned_data["family_name"])
