"""Badges: what the PDF shows, the QR code's own secret, reissues, the print record."""

import importlib
import io
from io import StringIO

import pypdf
import pypdfium2
import pytest
import zxingcpp
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from registrations import selectors, services
from registrations.documents import badges, selection
from registrations.models import (
    Badge,
    BadgeCheck,
    BadgePrint,
    ExportLog,
    Registration,
)
from tests.factories import EventFactory, OrganisationFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status

JAPANESE_NAME = "山田 花子"
VIETNAMESE_GIVEN, VIETNAMESE_FAMILY = "Thị Ánh", "Nguyễn"
# Sixty characters, as long organisation names are.
LONG_ORGANISATION = "Regional Support Office of the Bali Process on People Smuggl"


def print_badges(registrations, *, layout="a6", reason="", user=None):
    chosen = selection.Selection(
        registrations=registrations,
        kind=ExportLog.Kind.SELECTED,
        event=None,
        name="test",
    )
    return badges.badge_document(
        selection=chosen, user=user, layout=layout, reason=reason
    )


def squashed(text: str) -> str:
    """Return ``text`` without white space, to compare text that may wrap."""
    return "".join(text.split())


def page_texts(content: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages]


def qr_codes(content: bytes, *, scale: float = 4) -> list[list[str]]:
    """Return the QR codes each page shows, read from the page drawn as a picture."""
    document = pypdfium2.PdfDocument(content)
    found = []
    for page in document:
        picture = page.render(scale=scale).to_pil()
        found.append([code.text for code in zxingcpp.read_barcodes(picture)])
    return found


@pytest.fixture
def delegates(event):
    japanese = RegistrationFactory(
        event=event,
        status=Status.APPROVED,
        given_name="Hanako",
        family_name="Yamada",
        name_ja=JAPANESE_NAME,
        country="JP",
        category=Registration.Category.GOVERNMENT,
    )
    vietnamese = RegistrationFactory(
        event=event,
        status=Status.APPROVED,
        given_name=VIETNAMESE_GIVEN,
        family_name=VIETNAMESE_FAMILY,
        organisation=None,
        organisation_other=LONG_ORGANISATION,
        country="VN",
        category=Registration.Category.INTERNATIONAL,
    )
    return japanese, vietnamese


def test_the_badges_show_japanese_and_vietnamese_names_and_a_long_organisation(
    delegates,
):
    japanese, vietnamese = delegates
    document = print_badges(Registration.objects.order_by("pk"))
    first, second = page_texts(document.content)
    assert "Hanako YAMADA" in first
    assert JAPANESE_NAME in first
    assert "政府" in first and "GOVERNMENT" in first
    assert f"{VIETNAMESE_GIVEN} {VIETNAMESE_FAMILY.upper()}" in second
    assert "NGUYỄN" in second
    # The organisation may wrap, but every character of it is there.
    assert squashed(LONG_ORGANISATION) in squashed(second)
    assert "Vietnam / ベトナム" in second
    assert document.pages == 2


def test_the_fonts_are_embedded_in_the_badge_pdf(delegates):
    document = print_badges(Registration.objects.all())
    reader = pypdf.PdfReader(io.BytesIO(document.content))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts, "the badges name no font"
    for name, font in fonts.items():
        descendant = (
            font["/DescendantFonts"][0].get_object()
            if "/DescendantFonts" in font
            else font
        )
        descriptor = descendant["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, f"{name} is not embedded"
    names = " ".join(fonts)
    assert "IPAexGothic" in names and "DejaVuSans" in names


def test_the_qr_code_holds_the_badge_secret_not_the_private_link(delegates):
    japanese, vietnamese = delegates
    document = print_badges(Registration.objects.order_by("pk"))
    codes = qr_codes(document.content)
    for registration, page_codes in zip((japanese, vietnamese), codes, strict=True):
        badge = selectors.current_badge(registration)
        assert page_codes == [badge.secret]
        assert badge.secret != registration.token
        assert registration.token not in page_codes[0]
        assert len(badge.secret) >= 43  # 256 bits in URL-safe base 64
        # The short code under it, for typing in at the door.
        assert (
            badge.printed_code
            in page_texts(document.content)[[japanese, vietnamese].index(registration)]
        )


def test_four_badges_share_an_a4_sheet_with_every_qr_code_readable(event):
    registrations = RegistrationFactory.create_batch(
        5, event=event, status=Status.APPROVED
    )
    document = print_badges(Registration.objects.order_by("pk"), layout="a4-4up")
    assert document.pages == 2
    reader = pypdf.PdfReader(io.BytesIO(document.content))
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    codes = qr_codes(document.content, scale=3)
    secrets = {selectors.current_badge(r).secret for r in registrations}
    assert set(codes[0] + codes[1]) == secrets
    assert len(codes[0]) == 4


def test_a_badge_printed_again_is_the_same_badge_and_needs_a_reason(delegates):
    japanese, _vietnamese = delegates
    first = print_badges(Registration.objects.filter(pk=japanese.pk))
    badge = selectors.current_badge(japanese)
    with pytest.raises(services.RegistrationError) as refused:
        print_badges(Registration.objects.filter(pk=japanese.pk))
    assert refused.value.code == "reprint_reason_missing"
    assert ExportLog.objects.filter(document=ExportLog.Document.BADGES).count() == 1
    again = print_badges(Registration.objects.filter(pk=japanese.pk), reason="Jammed")
    assert qr_codes(again.content) == qr_codes(first.content) == [[badge.secret]]
    kinds = list(
        BadgePrint.objects.order_by("pk").values_list("kind", "export__reason")
    )
    assert kinds == [(BadgePrint.Kind.FIRST, ""), (BadgePrint.Kind.REPRINT, "Jammed")]


def test_a_reissued_badge_has_a_new_secret_and_the_old_one_is_refused(delegates):
    japanese, _vietnamese = delegates
    print_badges(Registration.objects.filter(pk=japanese.pk))
    old = selectors.current_badge(japanese)
    old_secret, old_code = old.secret, old.short_code
    new = services.badge_reissue(registration=japanese, by=None, reason="Lost")
    assert new.secret != old_secret and new.short_code != old_code
    assert new.version == 2
    old.refresh_from_db()
    assert old.secret is None  # only its hash is kept

    assert selectors.badge_lookup(old_secret).check == BadgeCheck.REISSUED
    assert selectors.badge_lookup(old_code).check == BadgeCheck.REISSUED
    assert selectors.badge_lookup(old_secret).current_version == 2
    assert selectors.badge_lookup(new.secret).admits
    assert selectors.badge_lookup(new.printed_code.lower()).admits

    reprint = print_badges(Registration.objects.filter(pk=japanese.pk), reason="Lost")
    assert qr_codes(reprint.content) == [[new.secret]]
    assert BadgePrint.objects.latest("pk").kind == BadgePrint.Kind.REPLACEMENT


def test_a_reissue_needs_a_reason():
    registration = RegistrationFactory(status=Status.APPROVED)
    with pytest.raises(services.RegistrationError):
        services.badge_reissue(registration=registration, by=None, reason="  ")
    assert not Badge.objects.exists()


@pytest.mark.parametrize(
    ("status", "check"),
    [
        (Status.APPROVED, BadgeCheck.VALID),
        (Status.PENDING, BadgeCheck.NOT_APPROVED),
        (Status.WAITLISTED, BadgeCheck.NOT_APPROVED),
        (Status.CANCELLED, BadgeCheck.CANCELLED),
    ],
)
def test_a_door_is_told_whether_a_badge_admits_and_why_not(event, status, check):
    registration = RegistrationFactory(event=event, status=Status.APPROVED)
    print_badges(Registration.objects.filter(pk=registration.pk))
    badge = selectors.current_badge(registration)
    Registration.objects.filter(pk=registration.pk).update(status=status)
    assert selectors.badge_lookup(badge.secret, event=event).check == check
    other_event = EventFactory()
    assert (
        selectors.badge_lookup(badge.secret, event=other_event).check
        == BadgeCheck.OTHER_EVENT
    )


@pytest.mark.parametrize(
    "scanned", ["", "not a badge", "X" * 43, "ZZZZ-ZZZZ", "é" * 500]
)
def test_an_unknown_code_is_unknown(scanned):
    assert selectors.badge_lookup(scanned).check == BadgeCheck.UNKNOWN


def test_a_badge_secret_is_never_the_private_token_and_differs_per_badge(event):
    registrations = RegistrationFactory.create_batch(
        3, event=event, status=Status.APPROVED
    )
    print_badges(Registration.objects.all())
    secrets = {selectors.current_badge(r).secret for r in registrations}
    tokens = {r.token for r in registrations}
    assert len(secrets) == 3 and not secrets & tokens


def test_rejected_and_cancelled_registrations_get_no_badge(event):
    RegistrationFactory(event=event, status=Status.APPROVED)
    RegistrationFactory(event=event, status=Status.CANCELLED, family_name="Gone")
    with pytest.raises(services.RegistrationError) as refused:
        print_badges(Registration.objects.all())
    assert "GONE" not in refused.value.message and "Gone" in refused.value.message
    assert not Badge.objects.exists() and not ExportLog.objects.exists()


def test_nothing_is_cut_off_from_the_longest_names_the_form_allows(event):
    organisation = "Organisation " * 15  # 195 characters
    registration = RegistrationFactory(
        event=event,
        status=Status.APPROVED,
        given_name="Bartholomew-Alexander " * 4 + "Wolfe",
        family_name="Featherstonehaugh-Cholmondeley " * 3,
        name_ja="寿限無寿限無五劫の擦り切れ海砂利水魚の水行末雲来末風来末" * 2,
        organisation=None,
        organisation_other=organisation.strip(),
    )
    document = print_badges(Registration.objects.filter(pk=registration.pk))
    text = squashed(page_texts(document.content)[0])
    for typed in (
        registration.given_name,
        registration.family_name.upper(),
        registration.name_ja,
        registration.organisation_other,
    ):
        assert squashed(typed) in text
    # The QR code is still readable: the text did not run over it.
    assert qr_codes(document.content) == [
        [selectors.current_badge(registration).secret]
    ]


def test_make_badges_writes_the_approved_badges_and_records_the_print(tmp_path, event):
    approved = RegistrationFactory.create_batch(3, event=event, status=Status.APPROVED)
    RegistrationFactory(event=event, status=Status.PENDING)
    output = tmp_path / "badges.pdf"
    err = StringIO()
    call_command(
        "make_badges",
        event=event.slug,
        layout="a4-4up",
        output=str(output),
        stderr=err,
    )
    assert "Wrote 3 badges" in err.getvalue()
    assert len(pypdf.PdfReader(output).pages) == 1
    log = ExportLog.objects.get()
    assert (log.document, log.file_format, log.kind, log.row_count) == (
        ExportLog.Document.BADGES,
        ExportLog.Format.PDF,
        ExportLog.Kind.COMMAND,
        3,
    )
    assert log.filters["layout"] == "a4-4up"
    assert set(BadgePrint.objects.values_list("badge__registration", flat=True)) == {
        r.pk for r in approved
    }

    with pytest.raises(CommandError, match="printed before"):
        call_command("make_badges", event=event.slug, output=str(output))
    late = RegistrationFactory(event=event, status=Status.APPROVED)
    call_command(
        "make_badges", event=event.slug, unprinted=True, output=str(output), stderr=err
    )
    assert qr_codes(output.read_bytes()) == [[selectors.current_badge(late).secret]]


def test_make_badges_refuses_an_unknown_event(tmp_path):
    with pytest.raises(CommandError, match="No event"):
        call_command("make_badges", event="nope", output=str(tmp_path / "b.pdf"))


# The staff pages


def staff_member(*permissions):
    user = get_user_model().objects.create_user(
        f"staff{get_user_model().objects.count()}", password="x", is_staff=True
    )
    user.user_permissions.add(*Permission.objects.filter(codename__in=permissions))
    return user


def test_the_badge_page_needs_its_own_permission(client, event):
    url = reverse("registrations:staff_badges")
    assert client.get(url).status_code == 302  # to the sign-in
    client.force_login(staff_member("view_registration", "export_registration"))
    assert client.get(url).status_code == 403
    client.force_login(staff_member("print_badges"))
    assert client.get(url).status_code == 200


def test_the_badge_page_counts_then_prints_the_event_badges(client, event):
    RegistrationFactory.create_batch(2, event=event, status=Status.APPROVED)
    RegistrationFactory(event=event, status=Status.PENDING)
    user = staff_member("print_badges")
    client.force_login(user)
    form = {"event": event.pk, "statuses": [Status.APPROVED], "layout": "a6"}
    counted = client.post(reverse("registrations:staff_badges"), {**form, "check": "1"})
    assert "2 badges" in counted.content.decode()
    printed = client.post(reverse("registrations:staff_badges"), {**form, "print": "1"})
    assert printed["Content-Type"] == "application/pdf"
    assert "attachment" in printed["Content-Disposition"]
    assert len(qr_codes(printed.content)) == 2
    assert ExportLog.objects.get().exported_by == user
    again = client.post(reverse("registrations:staff_badges"), {**form, "print": "1"})
    assert again.status_code == 200
    assert "say why they are printed again" in again.content.decode()


def test_the_admin_prints_the_ticked_badges_after_a_confirmation(client, superuser):
    chosen = RegistrationFactory(status=Status.APPROVED)
    RegistrationFactory(status=Status.APPROVED)
    client.force_login(superuser)
    url = reverse("admin:registrations_registration_changelist")
    action = {"action": "print_badges", "_selected_action": [chosen.pk]}
    confirmation = client.post(url, action)
    assert confirmation.status_code == 200
    assert chosen.display_name in confirmation.content.decode()
    assert not Badge.objects.exists()
    response = client.post(url, {**action, "confirm": "yes", "layout": "a6"})
    assert response["Content-Type"] == "application/pdf"
    assert qr_codes(response.content) == [[selectors.current_badge(chosen).secret]]
    log = ExportLog.objects.get()
    assert (log.kind, log.exported_by) == (ExportLog.Kind.SELECTED, superuser)


def test_the_admin_reissues_ticked_badges_with_a_reason(client, superuser):
    registration = RegistrationFactory(status=Status.APPROVED)
    print_badges(Registration.objects.all())
    old = selectors.current_badge(registration)
    client.force_login(superuser)
    url = reverse("admin:registrations_registration_changelist")
    action = {"action": "reissue_badges", "_selected_action": [registration.pk]}
    refused = client.post(url, {**action, "confirm": "yes", "reason": ""})
    assert refused.status_code == 200 and selectors.current_badge(registration) == old
    client.post(url, {**action, "confirm": "yes", "reason": "Stolen"})
    new = selectors.current_badge(registration)
    assert new.version == 2 and new.reason == "Stolen" and new.issued_by == superuser


def test_staff_without_the_permission_see_no_badge_actions(client):
    RegistrationFactory(status=Status.APPROVED)
    client.force_login(staff_member("view_registration"))
    page = client.get(reverse("admin:registrations_registration_changelist"))
    assert "print_badges" not in page.content.decode()


def test_the_staff_category_is_offered_to_staff_only(client, event):
    page = client.get(reverse("registrations:register", kwargs={"slug": event.slug}))
    assert 'value="staff"' not in page.content.decode()
    registration = RegistrationFactory(
        event=event, status=Status.APPROVED, category=Registration.Category.STAFF
    )
    document = print_badges(Registration.objects.filter(pk=registration.pk))
    assert "ORGANISERS' STAFF" in page_texts(document.content)[0]


def test_an_organisation_of_the_list_prints_in_both_languages(event):
    organisation = OrganisationFactory(name="Ministry of Justice", name_ja="法務省")
    registration = RegistrationFactory(
        event=event, status=Status.APPROVED, organisation=organisation
    )
    document = print_badges(Registration.objects.filter(pk=registration.pk))
    text = page_texts(document.content)[0]
    assert "Ministry of Justice" in text and "法務省" in text


def test_the_badge_desk_group_may_print_badges_and_nothing_else(client):
    importlib.import_module(
        "registrations.migrations.0010_badge_desk_group"
    ).create_badge_desk(django_apps, None)
    user = get_user_model().objects.create_user("desk", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Badge desk"))
    assert selectors.can_print_badges(user)
    assert selectors.can_view_photos(user) and selectors.can_change_photos(user)
    assert not selectors.can_review(user) and not selectors.can_export(user)
    client.force_login(user)
    assert client.get(reverse("registrations:staff_badges")).status_code == 200


def test_the_delegation_role_prints_under_the_name_the_head_marked():
    """The place the delegations' role fills: a registration with the field."""
    from django.db import models

    from registrations.documents.badge_content import delegation_role

    class DelegationRole(models.TextChoices):
        HEAD = "head", "Head of delegation"
        MEMBER = "member", "Member"

    class WithRole:
        pass

    WithRole.DelegationRole = DelegationRole
    head, member, none = WithRole(), WithRole(), RegistrationFactory.build()
    head.delegation_role, member.delegation_role = "head", "member"
    assert delegation_role(head) == ("Head of delegation", True)
    assert delegation_role(member) == ("Member", False)
    assert delegation_role(none) == ("", False)
