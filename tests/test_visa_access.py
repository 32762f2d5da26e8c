"""Passport data is the Protocol group's: reviewers see only that a letter was
asked for and how far it got, and every look by staff is on record."""

import pytest
from django.urls import reverse

from registrations import services
from registrations.models import ExportLog, PassportDataView, VisaRequest
from tests.factories import (
    StaffUserFactory,
    VisaLetterheadFactory,
    VisaRequestFactory,
)

pytestmark = pytest.mark.django_db

PASSPORT_NUMBER = "XK9081726"
PASSPORT_NAME = "DELA CRUZ Josefina"


@pytest.fixture
def visa_request(event):
    VisaLetterheadFactory(event=event)
    return VisaRequestFactory(
        registration__event=event,
        registration__family_name="Dela Cruz",
        registration__given_name="Josefina",
        passport_number=PASSPORT_NUMBER,
        passport_name=PASSPORT_NAME,
        nationality="PH",
    )


@pytest.fixture
def reviewer(reviewers_group):
    user = StaffUserFactory(username="reviewer")
    user.groups.add(reviewers_group)
    return user


def request_change_url(visa_request):
    return reverse("admin:registrations_visarequest_change", args=[visa_request.pk])


def test_a_reviewer_sees_the_state_on_the_registration_never_the_passport(
    client, reviewer, visa_request
):
    client.force_login(reviewer)
    page = client.get(
        reverse(
            "admin:registrations_registration_change",
            args=[visa_request.registration_id],
        )
    ).content.decode()
    assert "Visa support letter" in page and "Requested" in page
    assert PASSPORT_NUMBER not in page and PASSPORT_NAME not in page
    assert not PassportDataView.objects.exists()


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:registrations_visarequest_changelist",
        "admin:registrations_passportdataview_changelist",
    ],
)
def test_a_reviewer_cannot_open_the_protocol_pages(client, reviewer, url_name):
    client.force_login(reviewer)
    assert client.get(reverse(url_name)).status_code == 403


def test_a_reviewer_cannot_open_a_request_its_letter_or_its_steps(
    client, reviewer, visa_request, protocol_officer
):
    letter = services.visa_letter_issue(
        request=visa_request,
        by=protocol_officer,
        costs=VisaRequest.Costs.HOST,
        japanese_version=False,
        send=False,
    )
    client.force_login(reviewer)
    for url in [
        request_change_url(visa_request),
        reverse("admin:visa_issue", args=[visa_request.pk]),
        reverse("admin:visa_refuse", args=[visa_request.pk]),
        reverse("admin:visa_letter_pdf", args=[letter.pk]),
        reverse("admin:visa_withdraw", args=[letter.pk]),
    ]:
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert PASSPORT_NUMBER.encode() not in response.content
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "registrations",
            "model_name": "visaletter",
            "field_name": "request",
            "term": "P",
        },
    )
    assert response.status_code == 403
    assert PassportDataView.objects.filter(viewed_by=reviewer).count() == 0


def test_the_attendee_exports_never_hold_passport_data(client, reviewer, visa_request):
    client.force_login(reviewer)
    for name in ("export", "export_xlsx"):
        response = client.get(reverse(f"admin:registrations_registration_{name}"))
        assert response.status_code == 200
        content = b"".join(response.streaming_content)
        assert b"Dela Cruz" in content or name == "export_xlsx"
        assert PASSPORT_NUMBER.encode() not in content
        assert b"DELA CRUZ" not in content


def test_a_protocol_officer_reads_the_request_and_the_look_is_logged(
    client, protocol_officer, visa_request
):
    client.force_login(protocol_officer)
    page = client.get(request_change_url(visa_request)).content.decode()
    assert PASSPORT_NUMBER in page and PASSPORT_NAME in page
    (seen,) = PassportDataView.objects.all()
    assert seen.viewed_by == protocol_officer
    assert seen.request == visa_request
    assert seen.access == PassportDataView.Access.PAGE
    assert seen.registration_ref == visa_request.registration_id


def test_the_list_shows_no_passport_data(client, protocol_officer, visa_request):
    client.force_login(protocol_officer)
    page = client.get(
        reverse("admin:registrations_visarequest_changelist")
    ).content.decode()
    assert "Josefina" in page
    assert PASSPORT_NUMBER not in page and PASSPORT_NAME not in page


def test_the_protocol_export_holds_the_passport_data_and_is_recorded(
    client, protocol_officer, visa_request
):
    client.force_login(protocol_officer)
    response = client.post(
        reverse("admin:registrations_visarequest_changelist"),
        {"action": "export_protocol_list", "_selected_action": [visa_request.pk]},
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert PASSPORT_NUMBER in text and PASSPORT_NAME in text
    log = ExportLog.objects.get()
    assert log.document == ExportLog.Document.VISA_REQUESTS
    assert log.exported_by == protocol_officer and log.row_count == 1
    assert PassportDataView.objects.get().access == PassportDataView.Access.EXPORT


def test_the_protocol_officer_issues_from_the_request_page(
    client, protocol_officer, visa_request
):
    client.force_login(protocol_officer)
    response = client.post(
        reverse("admin:visa_issue", args=[visa_request.pk]),
        {"costs": VisaRequest.Costs.SHARED, "japanese_version": "on", "send": "on"},
    )
    assert response.status_code == 302
    visa_request.refresh_from_db()
    letter = visa_request.letters.get()
    assert visa_request.state == VisaRequest.State.SENT
    assert letter.japanese_version
    download = client.get(reverse("admin:visa_letter_pdf", args=[letter.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert "no-store" in download["Cache-Control"]
    accesses = set(PassportDataView.objects.values_list("access", flat=True))
    assert accesses == {PassportDataView.Access.ISSUE, PassportDataView.Access.LETTER}


def test_a_refusal_needs_a_reason_and_reaches_the_delegate(
    client, protocol_officer, visa_request
):
    client.force_login(protocol_officer)
    url = reverse("admin:visa_refuse", args=[visa_request.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "This field is required" in (
        response.content.decode()
    )
    client.post(url, {"reason": "The nomination letter has not arrived."})
    visa_request.refresh_from_db()
    assert visa_request.state == VisaRequest.State.REFUSED
    assert visa_request.registration.emails.filter(kind="visa_refused").exists()
