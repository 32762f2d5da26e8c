"""The registration form's HTML: the same as Django and crispy-forms write it.

The select boxes write their options without a template for each, and the
blank form's parts are written once per language and choices offered;
neither may change what a delegate, a browser or a screen reader gets, nor
show a delegate what another typed.
"""

import re

import pytest
from crispy_forms.utils import render_crispy_form
from django import forms
from django.utils import translation
from django.utils.safestring import mark_safe
from django_countries.widgets import LazySelect as CountriesLazySelect
from hypothesis import given
from hypothesis import strategies as st

from registrations import caching
from registrations.forms import RegistrationForm
from registrations.forms.widgets import LazySelect, Select, option_tags
from registrations.models import Event
from tests.factories import OrganisationFactory, SessionFactory
from tests.test_registration_views import form_data, register_url

pytestmark = pytest.mark.django_db

AWKWARD = ["<b>&amp;</b>", 'say "hi"', "l'île", "{0} {}", "", "  spaced  ", "東京"]


def both_ways(choices, value, attrs=None, widget_attrs=None):
    """Return what Django's Select and ours write for the same box."""
    ours = Select(attrs=widget_attrs, choices=choices)
    djangos = forms.Select(attrs=widget_attrs, choices=choices)
    return (
        ours.render("box", value, attrs=attrs),
        djangos.render("box", value, attrs=attrs),
    )


@pytest.mark.parametrize(
    "value", [None, "", "a", ["a"], ["a", "b"], 2, "<b>&amp;</b>", "missing"]
)
def test_the_select_box_writes_what_djangos_templates_write(value):
    choices = [
        ("", "Choose"),
        ("a", "A & B"),
        ("a", "the same value again"),
        ("b", mark_safe("<em>safe</em>")),
        (2, 2),
        (None, "none"),
        *((text, text) for text in AWKWARD),
    ]
    attrs = {
        "id": "id_box",
        "required": True,
        "aria-invalid": False,
        "data-note": 'a "quoted" <value>',
        "data-count": 3,
    }
    ours, djangos = both_ways(choices, value, attrs, {"class": "form-select"})
    assert ours == djangos


def test_options_in_groups_are_written_by_djangos_templates():
    choices = [("Asia", [("jp", "Japan"), ("th", "Thailand")]), ("xx", "Other")]
    ours, djangos = both_ways(choices, "th")
    assert ours == djangos
    assert "<optgroup" in ours
    assert option_tags(choices) is None


@given(
    st.lists(st.tuples(st.text(), st.text()), max_size=6),
    st.one_of(st.none(), st.text()),
)
def test_any_choices_and_any_value_give_djangos_html(choices, value):
    ours, djangos = both_ways(choices, value)
    assert ours == djangos


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("chosen", [None, "JP", "TH", "XX"])
def test_the_country_list_is_the_one_django_countries_would_write(
    event, language, chosen
):
    with translation.override(language):
        field = RegistrationForm(event=event).fields["country"]
        assert isinstance(field.widget, LazySelect)
        theirs = CountriesLazySelect(attrs=field.widget.attrs, choices=field.choices)
        attrs = {"id": "id_country", "required": True}
        assert field.widget.render("country", chosen, attrs) == theirs.render(
            "country", chosen, attrs
        )


def test_options_written_beforehand_give_way_to_choices_set_later():
    widget = Select(choices=[("a", "A")])
    widget.rendered_options = option_tags(widget.choices)
    widget.choices = [("b", "B")]
    assert widget.render("box", "b") == forms.Select(choices=[("b", "B")]).render(
        "box", "b"
    )


def input_tag(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]* name="{name}"[^>]*>', page)
    assert found, name
    return found.group(0)


def blank_form_html(event: Event) -> str:
    return render_crispy_form(RegistrationForm(event=event), context={"event": event})


def rendered_afresh(event: Event) -> str:
    form = RegistrationForm(event=event)
    form.is_blank = False
    return render_crispy_form(form, context={"event": event})


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_blank_form_written_once_is_the_form_written_afresh(event, language):
    SessionFactory(event=event, title="Legal framework")
    OrganisationFactory(name="ECPAT International")
    with translation.override(language):
        first = blank_form_html(event)
        assert blank_form_html(event) == first == rendered_afresh(event)
        assert 'name="organisation"' in first and 'name="sessions"' in first


def test_each_language_keeps_its_own_blank_form(event):
    with translation.override("ja"):
        japanese = blank_form_html(event)
    with translation.override("en"):
        english = blank_form_html(event)
    assert "Email, again" in english
    assert "Email, again" not in japanese
    # Japanese asks for the family name first.
    assert japanese.index('name="family_name"') < japanese.index('name="given_name"')
    assert english.index('name="given_name"') < english.index('name="family_name"')


def test_a_form_shown_again_keeps_every_choice_and_its_errors(client, event):
    session = SessionFactory(event=event)
    organisation = OrganisationFactory()
    client.get(register_url(event))  # The blank form, kept first.
    data = form_data(
        event,
        organisation=organisation,
        honorific="dr",
        country="TH",
        sessions=[session.pk],
        dietary_needs="Halal <please>",
        email_confirmation="someone.else@example.org",
        visa_needed="on",
    )
    del data["consent"]
    page = client.post(register_url(event), data).content.decode()
    assert '<option value="TH" selected>' in page
    assert '<option value="dr" selected>' in page
    assert f'<option value="{organisation.pk}" selected>' in page
    assert 'value="Halal &lt;please&gt;"' in page
    assert "checked" in input_tag(page, "sessions")
    assert "checked" in input_tag(page, "visa_needed")
    assert "The two addresses differ" in page
    assert "We can register you only with your agreement to this." in page
    assert 'aria-invalid="true"' in page

    caching.public_pages_changed()
    blank = client.get(register_url(event)).content.decode()
    assert '<option value="TH" selected>' not in blank
    assert "Halal" not in blank
    assert "The two addresses differ" not in blank
    assert "checked" not in input_tag(blank, "visa_needed")
    assert 'aria-invalid="true"' not in blank


def test_the_blank_form_shows_what_changed_in_the_data(
    client, event, django_capture_on_commit_callbacks
):
    client.get(register_url(event))
    with django_capture_on_commit_callbacks(execute=True):
        OrganisationFactory(name="A newly listed organisation")
        SessionFactory(event=event, title="A newly added session")
    page = client.get(register_url(event)).content.decode()
    assert "A newly listed organisation" in page
    assert "A newly added session" in page
    assert 'value="government"' in page
    with django_capture_on_commit_callbacks(execute=True):
        event.open_form = Event.OpenForm.CATEGORIES
        event.open_form_categories = ["press"]
        event.save()
    page = client.get(register_url(event)).content.decode()
    assert 'value="press"' in page and 'value="government"' not in page


def test_the_blank_form_built_afresh_reads_each_list_once(
    client, event, settings, django_assert_num_queries
):
    """The event, the organisations and the sessions with their seats taken."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    SessionFactory.create_batch(3, event=event)
    OrganisationFactory.create_batch(3)
    for language in ("en", "ja", "en", "ja"):
        with translation.override(language):
            url = register_url(event)
        with django_assert_num_queries(3):
            assert client.get(url).status_code == 200
