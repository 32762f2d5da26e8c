"""Staff and delegates obey the same rules on every field of a registration.

The delegate's form and the admin's correction form are given the same data,
one field made wrong at a time, and must refuse it with the same error, or
accept it and clean it to the same value. A correction that a rule or the
services refuse is neither saved nor logged.
"""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse

from registrations import services, validators
from registrations.admin.registrations import RegistrationAdmin
from registrations.forms import RegistrationEditForm
from registrations.models import Registration, RegistrationChange
from tests.factories import (
    OrganisationFactory,
    RegistrationFactory,
    SessionFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db
Status = Registration.Status
LONG = "x" * 501


@pytest.fixture
def registration():
    session = SessionFactory(title="Opening")
    return RegistrationFactory(
        event=session.event,
        given_name="Hanako",
        family_name="Yamada",
        organisation=OrganisationFactory(),
        sessions=[session],
    )


def form_data(registration: Registration, **changes) -> dict:
    data = {
        "honorific": registration.honorific,
        "given_name": registration.given_name,
        "family_name": registration.family_name,
        "name_ja": registration.name_ja,
        "organisation": registration.organisation_id or "",
        "organisation_other": registration.organisation_other,
        "position": registration.position,
        "country": registration.country.code,
        "category": registration.category,
        "dietary_needs": registration.dietary_needs,
        "accessibility_needs": registration.accessibility_needs,
        "interpretation": registration.interpretation,
        "sessions": [session.pk for session in registration.sessions.all()],
        # The admin shows the registration's emails read-only, as an empty
        # formset whose management form the browser sends along.
        **{
            f"emails-{count}_FORMS": "0"
            for count in ("TOTAL", "INITIAL", "MIN_NUM", "MAX_NUM")
        },
    }
    if registration.listed_in_participants:
        # A ticked box, as the browser sends it (an unticked one is absent).
        data["listed_in_participants"] = "on"
    data.update(changes)
    return data


def staff_form_class():
    from django.contrib import admin

    request = RequestFactory().get("/")
    request.user = StaffUserFactory()
    model_admin = RegistrationAdmin(Registration, admin.site)
    form_class = model_admin.get_form(request)
    # Validation alone here: without a staff member the form applies nothing.
    form_class.corrected_by = None
    return form_class


def both_forms(registration, data):
    delegate = RegistrationEditForm(
        data, instance=registration, event=registration.event
    )
    staff = staff_form_class()(data, instance=registration)
    return delegate, staff


def error_codes(form) -> dict[str, set[str]]:
    return {
        field: {error.code for error in errors}
        for field, errors in form.errors.as_data().items()
    }


WRONG = [
    ("given_name", "R2D2 <b>", "invalid_character"),
    ("given_name", "12345", "no_letters"),
    ("family_name", "   ", "required"),
    ("name_ja", "Yamada", "not_japanese"),
    ("organisation", "99999999999999999999999", "invalid_choice"),
    ("position", "", "required"),
    ("position", LONG[:201], "max_length"),
    ("country", "XX", "invalid_choice"),
    ("category", "alien", "invalid_choice"),
    ("honorific", "king", "invalid_choice"),
    ("interpretation", "fr", "invalid_choice"),
    ("dietary_needs", LONG[:301], "max_length"),
    ("accessibility_needs", LONG, "max_length"),
    ("sessions", ["abc"], "invalid_choice"),
    # Characters nobody can see, or that reverse the text after them.
    ("given_name", "Hana\u200bko", "hidden_character"),
    ("organisation_other", "Kyodo\u202e News", "hidden_character"),
    ("position", "Counsellor\x1b", "hidden_character"),
    ("dietary_needs", "Halal\ue000", "hidden_character"),
]


@pytest.mark.parametrize(("field", "value", "code"), WRONG)
def test_staff_and_delegates_refuse_the_same_wrong_value(
    registration, field, value, code
):
    delegate, staff = both_forms(
        registration, form_data(registration, **{field: value})
    )
    assert error_codes(delegate) == {field: {code}}
    assert error_codes(staff) == error_codes(delegate)


def test_both_keep_the_listed_organisation_over_a_name_left_typed(registration):
    data = form_data(registration, organisation_other="Kyodo News")
    delegate, staff = both_forms(registration, data)
    assert delegate.is_valid() and staff.is_valid()
    assert delegate.delegate_details() == staff.delegate_details()
    assert staff.cleaned_data["organisation"] == registration.organisation
    assert staff.cleaned_data["organisation_other"] == ""


def test_both_ask_for_an_organisation_when_none_is_given(registration):
    data = form_data(registration, organisation="", organisation_other="  ")
    delegate, staff = both_forms(registration, data)
    assert error_codes(delegate) == {"organisation": {"required"}}
    assert error_codes(staff) == error_codes(delegate)


def test_both_ask_for_the_name_when_not_listed_is_chosen_without_one(registration):
    data = form_data(registration, organisation="other", organisation_other="")
    delegate, staff = both_forms(registration, data)
    assert error_codes(delegate) == {"organisation_other": {"required"}}
    assert error_codes(staff) == error_codes(delegate)


def test_both_refuse_a_session_of_another_event(registration):
    data = form_data(registration, sessions=[SessionFactory().pk])
    delegate, staff = both_forms(registration, data)
    assert error_codes(delegate) == {"sessions": {"invalid_choice"}}
    assert error_codes(staff) == error_codes(delegate)


def test_both_refuse_an_approved_delegate_a_full_session(registration):
    full = SessionFactory(event=registration.event, capacity=1)
    RegistrationFactory(
        event=registration.event, status=Status.APPROVED, sessions=[full]
    )
    registration.status = Status.APPROVED
    registration.save()
    data = form_data(registration, sessions=[full.pk])
    delegate, staff = both_forms(registration, data)
    assert error_codes(delegate) == {"sessions": {"session_full"}}
    assert error_codes(staff) == error_codes(delegate)


@pytest.mark.parametrize(
    ("field", "value", "cleaned"),
    [
        ("given_name", "  Hana   Maria ", "Hana Maria"),
        ("family_name", "O’Neil-Smith", "O’Neil-Smith"),
        ("name_ja", "山田　花子", "山田 花子"),
        ("position", "  Counsellor ", "Counsellor"),
    ],
)
def test_staff_and_delegates_tidy_a_value_the_same_way(
    registration, field, value, cleaned
):
    delegate, staff = both_forms(
        registration, form_data(registration, **{field: value})
    )
    assert delegate.is_valid() and staff.is_valid(), (delegate.errors, staff.errors)
    assert delegate.cleaned_data[field] == staff.cleaned_data[field] == cleaned
    assert delegate.delegate_details() == staff.delegate_details()


def test_a_typed_organisation_is_tidied_the_same_way(registration):
    data = form_data(registration, organisation="", organisation_other=" Kyodo  News ")
    delegate, staff = both_forms(registration, data)
    assert delegate.is_valid() and staff.is_valid()
    assert delegate.delegate_details() == staff.delegate_details()
    assert staff.cleaned_data["organisation_other"] == "Kyodo News"


def test_the_forms_take_their_rules_from_the_validators_module():
    assert validators.clean_personal_name("  Ana  Lima ") == "Ana Lima"


# Through the admin


@pytest.fixture
def reviewer_client(client):
    reviewer = StaffUserFactory(username="reviewer")
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    client.force_login(reviewer)
    return client


def change_url(registration) -> str:
    return reverse("admin:registrations_registration_change", args=[registration.pk])


def nothing_recorded(registration) -> bool:
    return (
        not LogEntry.objects.exists()
        and not RegistrationChange.objects.filter(registration=registration).exists()
    )


def test_the_admin_refuses_what_the_public_form_refuses(reviewer_client, registration):
    data = form_data(
        registration, given_name="R2D2 <b>", organisation_other="Rebel\u200b Alliance"
    )
    response = reviewer_client.post(change_url(registration), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"given_name", "organisation_other"}
    registration.refresh_from_db()
    assert (registration.given_name, registration.organisation_other) == ("Hanako", "")
    assert nothing_recorded(registration)


def test_a_correction_the_service_refuses_is_neither_saved_nor_logged(
    reviewer_client, registration, monkeypatch
):
    """The form's quick check passed, but another reviewer took the last seat."""
    full = SessionFactory(event=registration.event, capacity=1, title="Small room")
    RegistrationFactory(
        event=registration.event, status=Status.APPROVED, sessions=[full]
    )
    Registration.objects.filter(pk=registration.pk).update(status=Status.APPROVED)
    registration.refresh_from_db()
    monkeypatch.setattr(
        services, "check_seats_for_sessions", lambda registration, sessions: None
    )
    data = form_data(registration, position="Minister", sessions=[full.pk])
    response = reviewer_client.post(change_url(registration), data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "Small room" in str(form.errors["sessions"])
    # What the reviewer typed is still in the form.
    assert form["position"].value() == "Minister"
    registration.refresh_from_db()
    assert registration.position == "Programme Officer"
    assert list(registration.sessions.all()) != [full]
    assert nothing_recorded(registration)


def test_an_accepted_correction_is_logged_with_the_fields_it_changed(
    reviewer_client, registration
):
    data = form_data(registration, position="Minister", dietary_needs="Halal")
    response = reviewer_client.post(change_url(registration), data)
    assert response.status_code == 302
    [entry] = LogEntry.objects.all()
    assert entry.get_change_message() == "Changed Position and Dietary needs."
    change = registration.changes.get()
    assert change.fields == ["position", "dietary_needs"]
