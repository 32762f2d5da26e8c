"""The delegate's request for a visa letter, checked as an embassy would, and
the passport data deleted by the daily job well before the rest."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from registrations import services
from registrations.models import Registration, VisaLetter, VisaRequest
from registrations.models.photos import private_storage
from tests.factories import (
    RegistrationFactory,
    VisaLetterheadFactory,
    VisaRequestFactory,
)
from tests.test_data_retention import event_ended_days_ago

pytestmark = pytest.mark.django_db

Status = Registration.Status


def form_data(event, **changes):
    first = timezone.localdate(event.starts_at)
    last = timezone.localdate(event.ends_at)
    data = {
        "passport_name": "SANTOS Maria Clara",
        "passport_number": "p 765-4321b",
        "nationality": "PH",
        "date_of_birth": "1984-03-09",
        "passport_expiry": (last + datetime.timedelta(days=400)).isoformat(),
        "stay_from": (first - datetime.timedelta(days=1)).isoformat(),
        "stay_until": (last + datetime.timedelta(days=3)).isoformat(),
        "mission": "Embassy of Japan in the Philippines, Manila",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def registration(event):
    return RegistrationFactory(event=event, status=Status.APPROVED)


def visa_url(registration, language="en"):
    return f"/{language}" + reverse(
        "registrations:private_visa", kwargs={"token": registration.token}
    ).removeprefix("/en")


def test_a_delegate_requests_a_letter_from_the_private_page(client, registration):
    response = client.post(visa_url(registration), form_data(registration.event))
    assert response.status_code == 302
    visa_request = VisaRequest.objects.get(registration=registration)
    assert visa_request.passport_number == "P7654321B"
    assert visa_request.state == VisaRequest.State.REQUESTED
    page = client.get(registration.private_path()).content.decode()
    assert "Visa support letter" in page and "Requested" in page
    # The private page says how far it got, not the passport data.
    assert "P7654321B" not in page


def test_the_form_is_in_japanese_for_a_japanese_delegate(client, registration):
    page = client.get(visa_url(registration, "ja")).content.decode()
    assert "旅券" in page and "査証" in page
    assert 'type="date"' in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"passport_expiry": "STAY_UNTIL"}, "passport_expiry", "valid beyond"),
        ({"nationality": "XX"}, "nationality", "Select a valid choice"),
        ({"nationality": ""}, "nationality", "required"),
        ({"date_of_birth": "2030-01-01"}, "date_of_birth", "date of birth"),
        ({"date_of_birth": "1899-01-01"}, "date_of_birth", "date of birth"),
        ({"date_of_birth": "1984-02-30"}, "date_of_birth", "valid date"),
        ({"stay_from": "AFTER_START"}, "stay_from", "first day"),
        ({"stay_until": "BEFORE_END"}, "stay_until", "last day"),
        ({"passport_number": "12"}, "passport_number", "5 to 15"),
        ({"passport_name": "R2-D2"}, "passport_name", "letters"),
    ],
)
def test_a_request_that_no_embassy_would_accept_is_refused_with_a_reason(
    client, registration, changes, field, message
):
    event = registration.event
    last = timezone.localdate(event.ends_at)
    first = timezone.localdate(event.starts_at)
    stand_ins = {
        "STAY_UNTIL": (last + datetime.timedelta(days=3)).isoformat(),
        "AFTER_START": (first + datetime.timedelta(days=1)).isoformat(),
        "BEFORE_END": (last - datetime.timedelta(days=1)).isoformat(),
    }
    changes = {key: stand_ins.get(value, value) for key, value in changes.items()}
    response = client.post(visa_url(registration), form_data(event, **changes))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    assert not VisaRequest.objects.exists()
    # What was typed is kept for the correction.
    assert 'value="SANTOS Maria Clara"' in response.content.decode() or (
        field == "passport_name"
    )


def issued_letter(registration, officer):
    VisaLetterheadFactory(event=registration.event)
    return services.visa_letter_issue(
        request=VisaRequestFactory(registration=registration),
        by=officer,
        costs=VisaRequest.Costs.ORGANISATION,
        japanese_version=False,
    )


def test_a_correction_asks_for_a_check_again(client, registration, protocol_officer):
    letter = issued_letter(registration, protocol_officer)
    visa_request = letter.request
    client.post(
        visa_url(registration),
        form_data(registration.event, passport_number="P0000001Z"),
    )
    visa_request.refresh_from_db()
    assert visa_request.state == VisaRequest.State.REQUESTED
    assert visa_request.passport_number == "P0000001Z"
    # The letter in force stays until the office reissues it.
    letter.refresh_from_db()
    assert letter.is_valid


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.REJECTED])
def test_no_request_for_a_registration_no_longer_live(client, event, status):
    registration = RegistrationFactory(event=event, status=status)
    response = client.post(visa_url(registration), form_data(event))
    assert response.status_code == 302
    assert not VisaRequest.objects.exists()


def test_the_delegate_downloads_the_letter_in_force(
    client, registration, protocol_officer
):
    letter = issued_letter(registration, protocol_officer)
    url = reverse(
        "registrations:private_visa_letter", kwargs={"token": registration.token}
    )
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert letter.reference in response["Content-Disposition"]
    services.visa_letter_withdraw(letter=letter, by=protocol_officer, reason="Error")
    assert client.get(url).status_code == 404


def test_the_registration_form_asks_whether_a_visa_is_needed(client, event):
    page = client.get(
        reverse("registrations:register", kwargs={"slug": event.slug})
    ).content.decode()
    assert "I need a visa to enter Japan" in page


def test_the_retention_job_deletes_passport_data_at_its_own_date(
    settings, protocol_officer, django_capture_on_commit_callbacks
):
    settings.VISA_DATA_RETENTION_DAYS = 30
    settings.REGISTRATION_RETENTION_DAYS = 183
    old, recent = event_ended_days_ago(31), event_ended_days_ago(29)
    VisaLetterheadFactory(event=old)
    due = VisaRequestFactory(registration__event=old, passport_number="P1111111A")
    kept = VisaRequestFactory(registration__event=recent, passport_number="P2222222B")
    letter = services.visa_letter_issue(
        request=due,
        by=protocol_officer,
        costs=VisaRequest.Costs.ORGANISATION,
        japanese_version=False,
        send=False,
    )
    pdf_name = letter.file_name
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("delete_expired_registrations", stdout=out)
    assert "passport data of 1 visa requests" in out.getvalue()
    due.refresh_from_db()
    kept.refresh_from_db()
    assert due.passport_number == "" and due.passport_name == ""
    assert due.date_of_birth is None and not due.nationality
    assert due.passport_data_deleted_at is not None
    assert kept.passport_number == "P2222222B"
    # The rest stays: the registration, the request's state, the letter's validity.
    assert Registration.objects.filter(pk=due.registration_id).exists()
    letter.refresh_from_db()
    assert letter.is_valid and letter.file_name == ""
    assert not private_storage().exists(pdf_name)
    assert VisaLetter.objects.filter(reference=letter.reference).exists()
