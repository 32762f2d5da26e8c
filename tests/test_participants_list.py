"""The List of Participants: who is in it, in which order, as PDF and XLSX."""

import io
import re
from io import StringIO

import openpyxl
import pypdf
import pytest
from django.core.management import call_command
from django.urls import reverse

from registrations import services
from registrations.documents import participants
from registrations.models import DelegationRole, ExportLog, Organisation, Registration
from registrations.selectors.participants import participants_sections
from tests.factories import (
    DelegationFactory,
    EventFactory,
    OrganisationFactory,
    RegistrationFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db

Status = Registration.Status
Kind = Organisation.Kind


def government(event, country, name, name_ja):
    organisation = OrganisationFactory(
        name=name, name_ja=name_ja, kind=Kind.GOVERNMENT, country=country
    )
    return DelegationFactory(event=event, organisation=organisation)


def member(delegation, family, role, *, order=0, **extra):
    return RegistrationFactory(
        event=delegation.event,
        family_name=family,
        organisation=delegation.organisation,
        category=Registration.Category.GOVERNMENT,
        delegation=delegation,
        delegation_role=role,
        protocol_order=order,
        status=Status.APPROVED,
        **extra,
    )


@pytest.fixture
def symposium():
    """Three governments, an international organisation and an NGO delegate."""
    event = EventFactory()
    thailand = government(event, "TH", "Government of Thailand", "タイ政府")
    japan = government(event, "JP", "Government of Japan", "日本国政府")
    australia = government(event, "AU", "Government of Australia", "豪州政府")
    member(thailand, "Wong", DelegationRole.MEMBER)
    member(thailand, "Adulyadej", DelegationRole.ADVISER)
    member(thailand, "Srisuk", DelegationRole.HEAD, honorific="excellency")
    member(japan, "Yamada", DelegationRole.HEAD, name_ja="山田 花子")
    member(japan, "Abe", DelegationRole.MEMBER, order=2, name_ja="阿部 一郎")
    member(japan, "Ueda", DelegationRole.MEMBER, order=1, name_ja="上田 二郎")
    member(australia, "Clarke", DelegationRole.HEAD)
    RegistrationFactory(
        event=event,
        family_name="Bellamy",
        given_name="Carol",
        organisation=OrganisationFactory(
            name="UNICEF", name_ja="ユニセフ", kind=Kind.INTERNATIONAL
        ),
        category=Registration.Category.INTERNATIONAL,
        status=Status.APPROVED,
    )
    RegistrationFactory(
        event=event,
        family_name="Karlen",
        organisation=OrganisationFactory(name="ECPAT", kind=Kind.NGO),
        status=Status.APPROVED,
    )
    return event


def names(sections):
    return [
        [(group.heading, [p.name for p in group.participants]) for group in s.groups]
        for s in sections
    ]


def test_governments_come_first_by_country_then_organisations_then_ngos(symposium):
    sections = participants_sections(symposium, "en")
    assert [s.sector for s in sections] == [
        Kind.GOVERNMENT,
        Kind.INTERNATIONAL,
        Kind.NGO,
    ]
    headings = [group.heading for group in sections[0].groups]
    assert headings == ["AUSTRALIA", "JAPAN", "THAILAND"]


def test_the_head_of_delegation_comes_first_then_role_then_precedence(symposium):
    sections = participants_sections(symposium, "en")
    thailand = sections[0].groups[2]
    assert [p.name.split()[-1] for p in thailand.participants] == [
        "SRISUK",
        "ADULYADEJ",
        "WONG",
    ]
    assert thailand.participants[0].is_head
    assert thailand.participants[0].honorific == "H.E."
    japan = sections[0].groups[1]
    assert [p.name.split()[-1] for p in japan.participants] == [
        "YAMADA",
        "UEDA",
        "ABE",
    ]


def test_the_japanese_edition_follows_the_syllabary_and_japanese_names(symposium):
    sections = participants_sections(symposium, "ja")
    # オーストラリア, タイ, 日本 (にほん): in the order of the syllabary.
    assert [g.heading for g in sections[0].groups] == ["オーストラリア", "タイ", "日本"]
    japan = sections[0].groups[2]
    assert [p.name for p in japan.participants] == [
        "山田 花子",
        "上田 二郎",
        "阿部 一郎",
    ]
    assert japan.participants[0].role == "代表団長"
    assert sections[1].groups[0].heading == "ユニセフ"


def test_only_approved_delegates_who_did_not_opt_out_are_listed(symposium):
    listed = RegistrationFactory(event=symposium, family_name="Listed")
    listed.status = Status.APPROVED
    listed.save()
    RegistrationFactory(
        event=symposium,
        family_name="Private",
        status=Status.APPROVED,
        listed_in_participants=False,
    )
    RegistrationFactory(event=symposium, family_name="Pending")
    RegistrationFactory(event=symposium, family_name="Rejected", status=Status.REJECTED)
    everyone = [
        p.name
        for s in participants_sections(symposium, "en")
        for g in s.groups
        for p in g.participants
    ]
    assert any(name.endswith("LISTED") for name in everyone)
    assert not any(
        name.endswith(("PRIVATE", "PENDING", "REJECTED")) for name in everyone
    )
    assert len(everyone) == 10


def pdf_text(content: bytes) -> str:
    return "\n".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages
    )


def embedded_fonts(content: bytes) -> set[str]:
    fonts = set()
    for page in pypdf.PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = (
                font["/DescendantFonts"][0].get_object()
                if "/DescendantFonts" in font
                else font
            )
            descriptor = descendant.get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                fonts.add(str(font["/BaseFont"]).split("+")[-1])
    return fonts


def test_the_english_pdf_names_everyone_and_says_provisional(symposium):
    document = participants.participants_document(
        event=symposium, language="en", file_format="pdf", user=None
    )
    text = pdf_text(document.content)
    assert "PROVISIONAL LIST" in text
    assert "GOVERNMENT" in text and "THAILAND" in text
    assert re.search(r"H\.E\. \S+ SRISUK", text)
    assert "Head of delegation" in text
    assert "Carol BELLAMY" in text
    assert text.index("AUSTRALIA") < text.index("JAPAN") < text.index("UNICEF")
    assert "DejaVuSans" in embedded_fonts(document.content)


def test_the_japanese_pdf_is_in_japanese_with_the_japanese_font_embedded(symposium):
    services.participants_list_mark(event=symposium, final=True, by=StaffUserFactory())
    document = participants.participants_document(
        event=symposium, language="ja", file_format="pdf", user=None
    )
    text = pdf_text(document.content)
    assert "確定版" in text
    assert "参加者名簿" in text
    assert "山田 花子" in text and "代表団長" in text
    assert text.index("オーストラリア") < text.index("タイ") < text.index("日本")
    assert "IPAexGothic" in embedded_fonts(document.content)
    assert document.log.filters == {"language": "ja", "state": "final"}


def test_the_workbook_reads_back_in_the_list_order(symposium):
    document = participants.participants_document(
        event=symposium, language="en", file_format="xlsx", user=None
    )
    sheet = openpyxl.load_workbook(io.BytesIO(document.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == (
        "Section",
        "Delegation or organisation",
        "Role in the delegation",
    )
    assert [row[1] for row in rows[1:4]] == ["AUSTRALIA", "JAPAN", "JAPAN"]
    assert rows[2][5].endswith(" YAMADA")
    assert rows[2][2] == "Head of delegation"
    assert len(rows) == 1 + 9


def test_every_edition_is_recorded(symposium):
    user = StaffUserFactory()
    participants.participants_document(
        event=symposium, language="en", file_format="xlsx", user=user
    )
    log = ExportLog.objects.get()
    assert log.document == ExportLog.Document.PARTICIPANTS
    assert log.exported_by == user
    assert log.row_count == 9
    assert log.filters == {"language": "en", "state": "provisional"}


def test_the_command_writes_the_edition_asked_for(symposium, tmp_path):
    output = tmp_path / "lop.pdf"
    stdout = StringIO()
    call_command(
        "list_of_participants",
        event=symposium.slug,
        language="ja",
        format="pdf",
        output=str(output),
        stdout=stdout,
    )
    assert "日本" in pdf_text(output.read_bytes())
    assert "9 participants" in stdout.getvalue()
    assert ExportLog.objects.get().kind == ExportLog.Kind.COMMAND


def test_the_admin_action_downloads_an_edition_for_exporters_only(client, symposium):
    url = reverse("admin:registrations_event_changelist")
    data = {"action": "participants_pdf_en", "_selected_action": [symposium.pk]}
    viewer = StaffUserFactory(permissions=["registrations.view_event"])
    client.force_login(viewer)
    response = client.post(url, data)
    assert response.status_code in (200, 302)
    assert response.get("Content-Type") != "application/pdf"
    exporter = StaffUserFactory(
        permissions=["registrations.view_event", "registrations.export_registration"]
    )
    client.force_login(exporter)
    response = client.post(url, data)
    assert response["Content-Type"] == "application/pdf"
    assert "SRISUK" in pdf_text(response.content)


def test_staff_mark_the_list_final_and_provisional_again(client, symposium):
    user = StaffUserFactory(
        permissions=[
            "registrations.view_event",
            "registrations.change_event",
            "registrations.export_registration",
        ]
    )
    client.force_login(user)
    url = reverse("admin:registrations_event_changelist")
    client.post(
        url, {"action": "participants_mark_final", "_selected_action": [symposium.pk]}
    )
    symposium.participants_list.refresh_from_db()
    assert symposium.participants_list.final_by == user
    document = participants.participants_document(
        event=symposium, language="en", file_format="pdf", user=None
    )
    assert "FINAL LIST" in pdf_text(document.content)
    client.post(
        url,
        {"action": "participants_mark_provisional", "_selected_action": [symposium.pk]},
    )
    symposium.participants_list.refresh_from_db()
    assert not symposium.participants_list.is_final


def test_the_secretariat_s_order_goes_before_the_alphabet(symposium):
    thailand = symposium.delegations.get(organisation__country="TH")
    thailand.list_position = 1
    thailand.save()
    sections = participants_sections(symposium, "en")
    assert [g.heading for g in sections[0].groups] == ["THAILAND", "AUSTRALIA", "JAPAN"]


def test_the_form_lists_the_delegate_unless_they_untick_the_box(client):
    event = EventFactory()
    response = client.get(
        reverse("registrations:register", kwargs={"slug": event.slug})
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="listed_in_participants"' in content
    assert "List of Participants" in content
    field = response.context["form"]["listed_in_participants"]
    assert field.value() is True


@pytest.mark.parametrize("ticked", [True, False])
def test_the_delegate_s_choice_on_the_form_is_kept(client, ticked):
    from tests.test_registration_views import form_data

    event = EventFactory()
    data = form_data(event)
    if ticked:
        data["listed_in_participants"] = "on"
    response = client.post(
        reverse("registrations:register", kwargs={"slug": event.slug}), data
    )
    assert response.status_code == 302
    assert Registration.objects.get().listed_in_participants is ticked


def test_a_nominee_chooses_too_when_completing_their_details(client):
    delegation = DelegationFactory()
    nominee = RegistrationFactory(
        event=delegation.event,
        organisation=delegation.organisation,
        delegation=delegation,
        delegation_role=DelegationRole.MEMBER,
        consent_given_at=None,
    )
    edit = reverse("registrations:private_edit", kwargs={"token": nominee.token})
    page = client.get(edit).content.decode()
    assert 'name="listed_in_participants"' in page
    data = {
        "honorific": "mr",
        "given_name": nominee.given_name,
        "family_name": nominee.family_name,
        "name_ja": "",
        "position": "Counsellor",
        "country": "TH",
        "dietary_needs": "",
        "accessibility_needs": "",
        "interpretation": "none",
        "consent": "on",
    }
    assert client.post(edit, data).status_code == 302
    nominee.refresh_from_db()
    assert nominee.consent_given_at is not None
    assert not nominee.listed_in_participants
