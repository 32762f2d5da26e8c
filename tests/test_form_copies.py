"""Every form has fields of its own, whatever another form did to its fields.

The forms copy their class's fields without deep-copying each choice
(``registrations.forms.copying``); what a form changes must still stay in that
form, and a copy must offer what Django's deep copy offers.
"""

import copy

import pytest
from django import forms

from registrations.admin.forms import RegistrationCorrectionForm
from registrations.forms import RegistrationEditForm, RegistrationForm
from registrations.forms.copying import CopiesFieldsLightly
from registrations.models import Event, Registration
from registrations.portal.forms import MemberForm
from tests.factories import RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db

FORMS = [RegistrationForm, RegistrationEditForm, RegistrationCorrectionForm, MemberForm]


def offered(field: forms.Field) -> dict:
    """Return what a field offers and how it checks, as a person would meet it."""
    widget = field.widget
    return {
        "class": type(field),
        "widget": type(widget),
        "attrs": widget.attrs,
        "choices": list(getattr(field, "choices", [])),
        "widget choices": list(getattr(widget, "choices", [])),
        "messages": {key: str(text) for key, text in field.error_messages.items()},
        "validators": field.validators,
        "required": field.required,
        "label": str(field.label),
        "help": str(field.help_text),
        "initial": field.initial,
    }


@pytest.mark.parametrize("form_class", FORMS, ids=lambda form: form.__name__)
def test_a_forms_fields_offer_what_a_deep_copy_of_the_class_fields_offers(
    form_class,
):
    ours = copy.deepcopy(form_class.base_fields)
    djangos = {
        name: copy.deepcopy(field) for name, field in form_class.base_fields.items()
    }
    assert ours.keys() == form_class.base_fields.keys()
    for name in ours:
        assert offered(ours[name]) == offered(djangos[name]), name


def test_a_form_shares_the_choices_it_does_not_change():
    form = RegistrationForm({}, event=RegistrationFactory().event)
    for name in ("honorific", "interpretation"):
        mine = form.fields[name].choices
        the_class = RegistrationForm.base_fields[name].choices
        assert mine is not the_class
        # The same choices, not copies of each (the blank one is made anew).
        pairs = list(zip(mine, the_class, strict=True))
        assert all(choice is theirs for choice, theirs in pairs if choice[0])


def test_what_one_form_changes_in_its_fields_stays_in_that_form():
    event = RegistrationFactory().event
    first = RegistrationForm({}, event=event)
    first.fields["given_name"].widget.attrs["data-changed"] = "yes"
    first.fields["category"].choices = [("", "only this")]
    first.fields["category"].error_messages["invalid_choice"] = "changed"
    first.fields["email"].validators.append(lambda value: None)
    first.fields["interpretation"].widget.choices.append(("x", "added"))
    first.fields["position"].required = False

    second = RegistrationForm({}, event=event)
    assert "data-changed" not in second.fields["given_name"].widget.attrs
    assert len(second.fields["category"].choices) > 1
    assert second.fields["category"].error_messages["invalid_choice"] != "changed"
    assert len(second.fields["email"].validators) == len(
        RegistrationForm.base_fields["email"].validators
    )
    assert ("x", "added") not in second.fields["interpretation"].widget.choices
    assert second.fields["position"].required
    assert "data-changed" not in RegistrationForm.base_fields["given_name"].widget.attrs


def test_a_form_open_to_some_categories_leaves_the_next_events_form_whole():
    narrowed = RegistrationFactory().event
    narrowed.open_form = Event.OpenForm.CATEGORIES
    narrowed.open_form_categories = [Registration.Category.ACADEMIC]
    narrowed.save()
    open_to_all = RegistrationFactory().event

    only_some = RegistrationForm(event=narrowed).fields["category"].choices
    every = RegistrationForm(event=open_to_all).fields["category"].choices
    assert [value for value, _label in only_some] == ["", "academic"]
    assert len(every) > len(only_some)


def test_each_form_narrows_the_sessions_of_its_own_event():
    one, other = SessionFactory(), SessionFactory()
    form_of_one = RegistrationForm(event=one.event)
    form_of_other = RegistrationForm(event=other.event)
    assert list(form_of_one.fields["sessions"].queryset) == [one]
    assert list(form_of_other.fields["sessions"].queryset) == [other]
    assert not RegistrationForm.base_fields["sessions"].queryset.exists()


class Appointment(forms.ModelForm, metaclass=CopiesFieldsLightly):
    """A form with a field made of fields, which is deep-copied as before."""

    when = forms.SplitDateTimeField()

    class Meta:
        model = Registration
        fields = ["given_name"]


def test_a_field_made_of_fields_is_still_copied_whole():
    form = Appointment()
    form.fields["when"].fields[0].error_messages["invalid"] = "changed"
    form.fields["when"].widget.widgets[0].attrs["data-changed"] = "yes"
    again = Appointment()
    assert again.fields["when"].fields[0].error_messages["invalid"] != "changed"
    assert "data-changed" not in again.fields["when"].widget.widgets[0].attrs
