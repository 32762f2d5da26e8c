"""Visa support letters: issued by Protocol, verified in public, withdrawn in time.

The PDF holds the passport details, the reference and, in its Japanese
version, Japanese text in an embedded font; the QR code leads to a page that
says whether the letter is valid and nothing about whom it is for.
"""

import io

import pypdf
import pypdfium2
import pytest
import zxingcpp
from django.core import mail
from django.urls import reverse

from registrations import services
from registrations.mail.outbox import email_deliver
from registrations.models import OutgoingEmail, Registration, VisaLetter, VisaRequest
from registrations.models.photos import private_storage
from tests.factories import (
    RegistrationFactory,
    VisaLetterheadFactory,
    VisaRequestFactory,
)

pytestmark = pytest.mark.django_db

Status = Registration.Status
State = VisaRequest.State


@pytest.fixture
def officer(protocol_officer):
    return protocol_officer


@pytest.fixture
def visa_request(event):
    VisaLetterheadFactory(event=event)
    return VisaRequestFactory(
        registration__event=event,
        registration__given_name="Maria Clara",
        registration__family_name="Santos",
        passport_name="SANTOS Maria Clara",
        passport_number="P7654321B",
    )


def issue(visa_request, officer, **options):
    options = {
        "costs": VisaRequest.Costs.ORGANISATION,
        "japanese_version": False,
        **options,
    }
    return services.visa_letter_issue(request=visa_request, by=officer, **options)


def letter_pdf(letter: VisaLetter) -> bytes:
    with private_storage().open(letter.file_name, "rb") as file:
        return file.read()


def page_texts(content: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages]


def squashed(text: str) -> str:
    return "".join(text.split())


def test_the_letter_holds_the_passport_details_and_its_reference(visa_request, officer):
    letter = issue(visa_request, officer)
    (english,) = page_texts(letter_pdf(letter))
    assert "SANTOS Maria Clara" in english
    assert "P7654321B" in english
    assert letter.reference in squashed(english)
    assert "Embassy of Japan in the Philippines" in english
    assert "Taro Suzuki" in english


def test_the_japanese_version_is_japanese_text_in_an_embedded_font(
    visa_request, officer
):
    letter = services.visa_letter_issue(
        request=visa_request,
        by=officer,
        costs=VisaRequest.Costs.HOST,
        japanese_version=True,
        send=False,
    )
    content = letter_pdf(letter)
    english, japanese = page_texts(content)
    assert "外務省" in japanese
    assert "旅券番号" in japanese
    assert "P7654321B" in japanese and letter.reference in squashed(japanese)
    reader = pypdf.PdfReader(io.BytesIO(content))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = (
                font["/DescendantFonts"][0].get_object()
                if "/DescendantFonts" in font
                else font
            )
            assert "/FontFile2" in descendant["/FontDescriptor"].get_object()
            names.add(str(font["/BaseFont"]))
    assert any("IPAexGothic" in name for name in names)


def test_the_qr_code_leads_to_the_verification_page(visa_request, officer, client):
    letter = issue(visa_request, officer)
    document = pypdfium2.PdfDocument(letter_pdf(letter))
    picture = document[0].render(scale=4).to_pil()
    (code,) = [found.text for found in zxingcpp.read_barcodes(picture)]
    assert code.endswith(
        reverse("registrations:visa_verify", kwargs={"reference": letter.reference})
    )


def test_the_verification_page_shows_no_personal_data_and_flips_to_withdrawn(
    visa_request, officer, client
):
    letter = issue(visa_request, officer)
    url = reverse("registrations:visa_verify", kwargs={"reference": letter.reference})
    page = client.get(url).content.decode()
    assert "Valid" in page and letter.reference in page
    registration = visa_request.registration
    for personal in (
        "Santos",
        "SANTOS",
        "Maria",
        "P7654321B",
        registration.email,
        "Philippines",
        "1980",
    ):
        assert personal not in page
    services.visa_letter_withdraw(letter=letter, by=officer, reason="Issued in error")
    page = client.get(url).content.decode()
    assert "Withdrawn: this letter is no longer valid" in page
    assert "Issued in error" not in page


def test_an_unknown_reference_is_not_a_letter(client):
    response = client.get(
        reverse("registrations:visa_verify", kwargs={"reference": "VL-2027-0000-0000"})
    )
    assert response.status_code == 404
    assert "No letter has the reference" in response.content.decode()


def test_reissuing_gives_a_new_reference_and_withdraws_the_old(visa_request, officer):
    first = issue(visa_request, officer)
    second = issue(visa_request, officer)
    first.refresh_from_db()
    assert second.reference != first.reference
    assert not first.is_valid and second.is_valid
    assert second.reference in first.withdrawal_reason


def test_cancelling_the_registration_withdraws_its_letters(visa_request, officer):
    letter = issue(visa_request, officer)
    services.registration_cancel(registration=visa_request.registration)
    letter.refresh_from_db()
    visa_request.refresh_from_db()
    assert not letter.is_valid
    assert visa_request.state == State.WITHDRAWN


def test_rejecting_a_pending_registration_withdraws_its_letter(
    event, officer, settings
):
    settings.VISA_LETTERS_FOR_PENDING = True
    VisaLetterheadFactory(event=event)
    visa_request = VisaRequestFactory(
        registration__event=event, registration__status=Status.PENDING
    )
    letter = issue(visa_request, officer)
    services.registration_reject(
        registration=visa_request.registration, by=officer, note=""
    )
    letter.refresh_from_db()
    assert not letter.is_valid


@pytest.mark.parametrize(
    "status", [Status.PENDING, Status.WAITLISTED, Status.CANCELLED, Status.REJECTED]
)
def test_only_approved_delegates_get_a_letter_by_default(event, officer, status):
    VisaLetterheadFactory(event=event)
    visa_request = VisaRequestFactory(
        registration__event=event, registration__status=status
    )
    with pytest.raises(services.RegistrationError):
        issue(visa_request, officer)
    assert not VisaLetter.objects.exists()


@pytest.mark.parametrize(
    ("status", "allowed"),
    [(Status.PENDING, True), (Status.CANCELLED, False), (Status.REJECTED, False)],
)
def test_the_setting_lets_pending_ones_have_a_letter_never_cancelled_ones(
    event, officer, settings, status, allowed
):
    settings.VISA_LETTERS_FOR_PENDING = True
    VisaLetterheadFactory(event=event)
    visa_request = VisaRequestFactory(
        registration__event=event, registration__status=status
    )
    if allowed:
        assert issue(visa_request, officer).is_valid
    else:
        with pytest.raises(services.RegistrationError):
            issue(visa_request, officer)


def test_the_letter_is_emailed_as_an_attachment(visa_request, officer):
    letter = issue(visa_request, officer)
    email = OutgoingEmail.objects.get(kind=OutgoingEmail.Kind.VISA_LETTER)
    assert email.visa_letter == letter
    mail.outbox.clear()
    email_deliver(email_id=email.pk)
    (message,) = mail.outbox
    ((name, content, content_type),) = message.attachments
    assert name == f"{letter.reference}.pdf" and content_type == "application/pdf"
    assert content == letter_pdf(letter)
    visa_request.refresh_from_db()
    assert visa_request.state == State.SENT


def test_a_letter_withdrawn_before_sending_is_not_attached(visa_request, officer):
    letter = issue(visa_request, officer)
    services.visa_letter_withdraw(letter=letter, by=officer, reason="Wrong mission")
    email = OutgoingEmail.objects.get(kind=OutgoingEmail.Kind.VISA_LETTER)
    mail.outbox.clear()
    email_deliver(email_id=email.pk)
    (message,) = mail.outbox
    assert message.attachments == []
    assert "withdrawn" in message.body


def test_the_costs_are_said_as_chosen(visa_request, officer):
    letter = services.visa_letter_issue(
        request=visa_request,
        by=officer,
        costs=VisaRequest.Costs.HOST,
        japanese_version=False,
        send=False,
    )
    text = " ".join(page_texts(letter_pdf(letter))[0].split())
    assert "borne by the Ministry of Foreign Affairs of Japan" in text


def test_the_head_of_a_delegation_is_named_as_such(event, officer):
    from tests.factories import DelegationFactory

    VisaLetterheadFactory(event=event)
    delegation = DelegationFactory(
        event=event, organisation__name="Government of the Philippines"
    )
    registration = RegistrationFactory(
        event=event,
        status=Status.APPROVED,
        delegation=delegation,
        delegation_role=Registration.DelegationRole.HEAD,
    )
    letter = issue(VisaRequestFactory(registration=registration), officer)
    text = " ".join(page_texts(letter_pdf(letter))[0].split())
    assert "Head of delegation (delegation of Government of the Philippines)" in text


def test_without_a_letterhead_the_office_is_told_to_give_one(event, officer):
    visa_request = VisaRequestFactory(registration__event=event)
    with pytest.raises(services.RegistrationError, match="letterhead"):
        issue(visa_request, officer)
