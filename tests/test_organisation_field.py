"""The organisation: one from the list, or "not listed" and its name typed.

The typed box belongs to "My organisation is not listed"; a static script
shows it only then (tests/test_browser.py). With scripts off it is always
shown, so whatever a person sends in the two fields is understood: the list
wins over a name left typed, a name typed without a choice counts as not
listed, and only a missing organisation is asked for.
"""

import pytest
from django.urls import reverse
from django.utils import translation

from registrations.forms import NOT_LISTED, RegistrationForm
from registrations.models import Registration
from tests.factories import OrganisationFactory, RegistrationFactory
from tests.test_registration_views import form_data, register_url

pytestmark = pytest.mark.django_db


def choices(form) -> list[tuple[str, str]]:
    return [
        (str(value), str(label)) for value, label in form["organisation"].field.choices
    ]


def test_the_list_starts_with_a_prompt_and_ends_with_not_listed(event):
    OrganisationFactory(name="International Organization for Migration", acronym="IOM")
    form = RegistrationForm(event=event)
    listed = choices(form)
    assert listed[0] == ("", "Choose your organisation")
    assert listed[-1] == (NOT_LISTED, "My organisation is not listed")
    assert ("International Organization for Migration (IOM)") in dict(listed).values()
    html = str(form["organisation"])
    # Nothing is chosen until the delegate chooses.
    assert 'value="" selected' in html
    assert f'data-not-listed="{NOT_LISTED}"' in html


def test_a_listed_organisation_wins_over_a_name_left_in_the_box(client, event):
    organisation = OrganisationFactory()
    response = client.post(
        register_url(event),
        form_data(event, organisation=organisation, organisation_other="Another NGO"),
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.organisation == organisation
    assert registration.organisation_other == ""


@pytest.mark.parametrize("choice", [NOT_LISTED, ""])
def test_a_typed_name_is_the_organisation_chosen_or_not(client, event, choice):
    response = client.post(
        register_url(event),
        form_data(event, organisation=choice, organisation_other="Kyodo News"),
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.organisation is None
    assert registration.organisation_other == "Kyodo News"


@pytest.mark.parametrize(
    ("choice", "field", "language", "message"),
    [
        (
            NOT_LISTED,
            "organisation_other",
            "en",
            "Please type the name of your organisation.",
        ),
        (NOT_LISTED, "organisation_other", "ja", "所属機関の名称を入力してください。"),
        (
            "",
            "organisation",
            "en",
            "Please choose your organisation, or “My organisation is not listed” "
            "and type its name.",
        ),
        (
            "",
            "organisation",
            "ja",
            "所属機関を選択してください。一覧にない場合は「所属機関が一覧にない」を選択し、"
            "名称を入力してください。",
        ),
    ],
)
def test_only_a_missing_organisation_is_asked_for_at_its_field(
    client, event, choice, field, language, message
):
    with translation.override(language):
        url = register_url(event)
    response = client.post(
        url, form_data(event, organisation=choice, organisation_other="")
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not Registration.objects.exists()


def test_a_typed_organisation_shows_as_not_listed_when_corrected(client, event):
    registration = RegistrationFactory(
        event=event, organisation=None, organisation_other="Kyodo News"
    )
    page = client.get(
        reverse("registrations:private_edit", kwargs={"token": registration.token})
    )
    html = page.content.decode()
    assert f'<option value="{NOT_LISTED}" selected>' in html
    assert 'value="Kyodo News"' in html


def test_the_form_loads_the_organisation_script_from_a_file(client, event):
    html = client.get(register_url(event)).content.decode()
    assert '<script src="/static/js/organisation.js" defer></script>' in html
