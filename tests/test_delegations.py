"""Delegations: invited, nominated on the portal, submitted, approved, told by email."""

import io
import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from registrations import services
from registrations.models import Delegation, OutgoingEmail, Registration
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    RegistrationFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db
Status = Registration.Status
State = Delegation.State
Role = Registration.DelegationRole


@pytest.fixture
def reviewer(db):
    user = StaffUserFactory()
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


def invite(event, reviewer, *, quota=3, language="en", **extra):
    organisation = extra.pop("organisation", None) or OrganisationFactory(
        name="Ministry of Home Affairs of Thailand", kind="government", country="TH"
    )
    return services.delegation_create(
        event=event,
        invite=services.DelegationInvite(
            organisation=organisation,
            seat_quota=quota,
            focal_point_name="Somchai Prasert",
            focal_point_email="focal@example.go.th",
            focal_point_language=language,
        ),
        by=reviewer,
        **extra,
    )


def link_in(message) -> str:
    return re.search(r"https?://\S+/(?:delegation|registration)/[\w-]+/", message.body)[
        0
    ]


def member_data(n: int, **overrides) -> dict:
    return {
        "honorific": "",
        "given_name": f"Member{'abcdefgh'[n]}",
        "family_name": "Wongsakul",
        "email": f"member{n}@example.go.th",
        "position": "Counsellor",
        "country": "TH",
        "delegation_role": "member",
        "protocol_rank": "",
        "protocol_order": "",
        "language": "en",
        **overrides,
    }


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (80, 100), "white").save(buffer, "PDF")
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_whole_flow_from_invitation_to_the_members_approval(
    client, reviewer, language, django_capture_on_commit_callbacks
):
    event = EventFactory()
    with django_capture_on_commit_callbacks(execute=True):
        delegation = invite(event, reviewer, language=language)
    [invitation] = mail.outbox
    assert invitation.to == ["focal@example.go.th"]
    portal = link_in(invitation)
    assert f"/{language}/delegation/" in portal
    if language == "ja":
        assert "代表団" in invitation.subject
    path = portal.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200
    assert "Ministry of Home Affairs of Thailand" in page.content.decode()

    mail.outbox.clear()
    nominate = reverse(
        "registrations:portal_nominate", kwargs={"token": delegation.portal_token}
    )
    with (
        translation.override(language),
        django_capture_on_commit_callbacks(execute=True),
    ):
        for n, role in enumerate(["head", "adviser", "member"]):
            response = client.post(
                nominate,
                member_data(
                    n,
                    delegation_role=role,
                    protocol_rank="H.E." if n == 0 else "",
                    language=language,
                ),
            )
            assert response.status_code == 302, response.context["form"].errors
    delegation.refresh_from_db()
    assert delegation.state == State.NOMINATIONS_OPEN
    members = list(delegation.members.order_by("pk"))
    assert [m.delegation_role for m in members] == ["head", "adviser", "member"]
    assert all(
        m.status == Status.PENDING and m.organisation == delegation.organisation
        for m in members
    )
    assert {m.to[0] for m in mail.outbox} == {m.email for m in members}
    nominee_link = link_in(mail.outbox[0])
    assert "/registration/" in nominee_link

    # The nominee completes their details through their own link.
    head = members[0]
    edit = reverse("registrations:private_edit", kwargs={"token": head.token})
    data = {
        "honorific": "excellency",
        "given_name": head.given_name,
        "family_name": head.family_name,
        "name_ja": "",
        "position": "Minister",
        "country": "TH",
        "dietary_needs": "Halal",
        "accessibility_needs": "",
        "interpretation": "none",
        "consent": "on",
    }
    assert client.post(edit, data).status_code == 302
    head.refresh_from_db()
    assert head.consent_given_at is not None and head.dietary_needs == "Halal"

    upload = reverse(
        "registrations:portal_note_verbale", kwargs={"token": delegation.portal_token}
    )
    document = SimpleUploadedFile("note.pdf", pdf_bytes(), "application/pdf")
    assert client.post(upload, {"document": document}).status_code == 302

    mail.outbox.clear()
    submit = reverse(
        "registrations:portal_submit", kwargs={"token": delegation.portal_token}
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(submit).status_code == 302
    delegation.refresh_from_db()
    assert delegation.state == State.SUBMITTED
    [acknowledgement] = mail.outbox
    assert acknowledgement.to == ["focal@example.go.th"]
    assert head.family_name in acknowledgement.body

    # The reviewer verifies the note verbale and approves the members together.
    services.delegation_verify_note_verbale(delegation=delegation, by=reviewer)
    mail.outbox.clear()
    client.force_login(reviewer)
    changelist = reverse("admin:registrations_delegation_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            changelist,
            {
                "action": "confirm",
                "_selected_action": [delegation.pk],
                "confirm": "yes",
                "note": "",
            },
        )
    assert response.status_code == 302
    delegation.refresh_from_db()
    assert delegation.state == State.CONFIRMED
    assert set(delegation.members.values_list("status", flat=True)) == {Status.APPROVED}
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted([*(m.email for m in members), "focal@example.go.th"])
    kinds = set(
        OutgoingEmail.objects.filter(registration__delegation=delegation).values_list(
            "kind", flat=True
        )
    )
    assert {"nominated", "approved"} <= kinds


def test_the_quota_is_never_exceeded_and_the_portal_says_so(client, reviewer):
    delegation = invite(EventFactory(), reviewer, quota=2)
    nominate = reverse(
        "registrations:portal_nominate", kwargs={"token": delegation.portal_token}
    )
    for n in range(2):
        assert client.post(nominate, member_data(n)).status_code == 302
    response = client.post(nominate, member_data(2))
    assert response.status_code == 200
    assert "quota is reached" in response.content.decode()
    assert delegation.members.count() == 2
    page = client.get(delegation.portal_path()).content.decode()
    assert "Nominate a member" not in page


def test_a_second_head_is_refused_with_a_clear_message(client, reviewer):
    delegation = invite(EventFactory(), reviewer)
    nominate = reverse(
        "registrations:portal_nominate", kwargs={"token": delegation.portal_token}
    )
    client.post(nominate, member_data(0, delegation_role="head"))
    response = client.post(nominate, member_data(1, delegation_role="head"))
    assert response.status_code == 200
    assert "has a head already" in str(
        response.context["form"].errors["delegation_role"]
    )
    assert delegation.members.count() == 1


def test_naming_another_head_makes_the_previous_one_a_member(reviewer):
    delegation = invite(EventFactory(), reviewer)
    first = services.member_nominate(
        delegation=delegation,
        email="a@example.org",
        language="en",
        **member_fields(role="head"),
    )
    second = services.member_nominate(
        delegation=delegation, email="b@example.org", language="en", **member_fields()
    )
    services.delegation_name_head(delegation=delegation, member=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.delegation_role, second.delegation_role) == ("member", "head")
    from registrations import selectors

    assert selectors.delegation_head(delegation) == second


def member_fields(role="member", **extra):
    return {
        "honorific": "",
        "given_name": "Ana",
        "family_name": "Reyes",
        "position": "Director",
        "country": "PH",
        "delegation_role": role,
        "protocol_rank": "",
        "protocol_order": 0,
        **extra,
    }


def test_replacing_a_member_cancels_them_and_keeps_the_seat_count(
    reviewer, django_capture_on_commit_callbacks
):
    delegation = invite(EventFactory(), reviewer, quota=1)
    member = services.member_nominate(
        delegation=delegation, email="a@example.org", language="en", **member_fields()
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        replacement = services.member_replace(
            delegation=delegation,
            member=member,
            email="b@example.org",
            language="ja",
            **member_fields(given_name="Ben"),
        )
    member.refresh_from_db()
    assert member.status == Status.CANCELLED
    assert replacement.status == Status.PENDING
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]


def test_correcting_a_members_address_replaces_their_link(
    reviewer, django_capture_on_commit_callbacks
):
    delegation = invite(EventFactory(), reviewer)
    member = services.member_nominate(
        delegation=delegation,
        email="typo@example.org",
        language="en",
        **member_fields(),
    )
    old_token = member.token
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        changed = services.member_correct(
            delegation=delegation,
            member=member,
            email="right@example.org",
            **member_fields(),
        )
    member.refresh_from_db()
    assert changed == ["email"]
    assert member.token != old_token
    [message] = mail.outbox
    assert message.to == ["right@example.org"]


def test_a_member_beyond_the_quota_is_never_approved(reviewer):
    delegation = invite(EventFactory(), reviewer, quota=1)
    member = services.member_nominate(
        delegation=delegation, email="a@example.org", language="en", **member_fields()
    )
    # Put there behind the services' back, as a bug or a hand-made row could.
    outsider = RegistrationFactory(
        event=delegation.event, delegation=delegation, delegation_role="member"
    )
    services.registration_approve(registration=member, by=reviewer)
    with pytest.raises(services.RegistrationError) as refusal:
        services.registration_approve(registration=outsider, by=reviewer)
    assert refusal.value.code == "delegation_full"


def test_held_seats_keep_the_open_form_from_the_delegations_places(reviewer):
    event = EventFactory(capacity=3)
    delegation = invite(event, reviewer, quota=2)
    walk_in = [RegistrationFactory(event=event) for _ in range(2)]
    services.registration_approve(registration=walk_in[0], by=reviewer)
    with pytest.raises(services.RegistrationError) as refusal:
        services.registration_approve(registration=walk_in[1], by=reviewer)
    assert "held for invited delegations" in refusal.value.message
    member = services.member_nominate(
        delegation=delegation, email="a@example.org", language="en", **member_fields()
    )
    services.registration_approve(registration=member, by=reviewer)
    assert member.__class__.objects.get(pk=member.pk).status == Status.APPROVED


def test_a_quota_the_hall_cannot_hold_is_refused(reviewer):
    event = EventFactory(capacity=5)
    invite(event, reviewer, quota=4)
    with pytest.raises(services.RegistrationError) as refusal:
        invite(event, reviewer, quota=2, organisation=OrganisationFactory())
    assert refusal.value.code == "quota_does_not_fit"


def test_a_revoked_portal_link_is_dead(
    client, reviewer, django_capture_on_commit_callbacks
):
    delegation = invite(EventFactory(), reviewer)
    old = delegation.portal_path()
    assert client.get(old).status_code == 200
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.delegation_replace_portal_link(delegation=delegation, by=reviewer)
    delegation.refresh_from_db()
    assert client.get(old).status_code == 404
    nominate = old + "nominate/"
    assert client.post(nominate, member_data(0)).status_code == 404
    [message] = mail.outbox
    assert link_in(message).endswith(delegation.portal_path())
    assert client.get(delegation.portal_path()).status_code == 200


def test_declining_withdraws_every_member(client, reviewer):
    delegation = invite(EventFactory(), reviewer)
    member = services.member_nominate(
        delegation=delegation, email="a@example.org", language="en", **member_fields()
    )
    response = client.post(
        reverse(
            "registrations:portal_decline", kwargs={"token": delegation.portal_token}
        ),
        {"reason": "The minister is travelling."},
    )
    assert response.status_code == 302
    delegation.refresh_from_db()
    member.refresh_from_db()
    assert delegation.state == State.DECLINED
    assert member.status == Status.CANCELLED


def test_a_placeholder_focal_point_gets_no_invitation(reviewer):
    delegation = invite(EventFactory(), reviewer, send=False, placeholder=True)
    with pytest.raises(services.RegistrationError) as refusal:
        services.delegation_send_invitation(delegation=delegation, by=reviewer)
    assert refusal.value.code == "placeholder_focal_point"
    assert not OutgoingEmail.objects.exists()


def test_reminders_go_only_to_focal_points_who_have_not_submitted(
    reviewer, django_capture_on_commit_callbacks
):
    event = EventFactory()
    waiting = invite(event, reviewer)
    done = invite(event, reviewer, organisation=OrganisationFactory())
    Delegation.objects.filter(pk=done.pk).update(state=State.SUBMITTED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.for_each(
            [waiting, done], services.delegation_remind, by=reviewer
        )
    assert [d.pk for d in outcome.done] == [waiting.pk]
    assert len(outcome.refused) == 1
    [reminder] = mail.outbox
    assert "reminder" in reminder.subject.lower()


def test_staff_invite_organisations_in_bulk_each_in_their_language(
    client, reviewer, django_capture_on_commit_callbacks
):
    event = EventFactory()
    first, second = OrganisationFactory(), OrganisationFactory()
    client.force_login(reviewer)
    url = reverse("admin:registrations_organisation_changelist")
    selected = {
        "action": "invite_delegations",
        "_selected_action": [first.pk, second.pk],
    }
    page = client.post(url, selected)
    assert page.status_code == 200
    data = {
        **selected,
        "confirm": "yes",
        "event": event.pk,
        "seat_quota": 3,
        "fp-TOTAL_FORMS": 2,
        "fp-INITIAL_FORMS": 2,
    }
    for n, (organisation, language) in enumerate([(first, "en"), (second, "ja")]):
        data |= {
            f"fp-{n}-organisation": organisation.pk,
            f"fp-{n}-seat_quota": "" if n == 0 else 5,
            f"fp-{n}-focal_point_name": f"Focal {'AB'[n]}",
            f"fp-{n}-focal_point_email": f"focal{n}@example.org",
            f"fp-{n}-focal_point_phone": "",
            f"fp-{n}-focal_point_language": language,
        }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    quotas = dict(Delegation.objects.values_list("organisation", "seat_quota"))
    assert quotas == {first.pk: 3, second.pk: 5}
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert "Invitation" in subjects["focal0@example.org"]
    assert "代表団" in subjects["focal1@example.org"]


def test_the_delegations_list_shows_its_columns_and_filters(client, reviewer):
    delegation = invite(EventFactory(), reviewer)
    services.member_nominate(
        delegation=delegation, email="a@example.org", language="en", **member_fields()
    )
    client.force_login(reviewer)
    url = reverse("admin:registrations_delegation_changelist")
    page = client.get(url).content.decode()
    for column in [
        "seat quota",
        "nominated",
        "approved",
        "note verbale received",
        "note verbale verified",
    ]:
        assert column in page.lower()
    assert client.get(url, {"note_verbale": "missing"}).status_code == 200
    assert client.get(url, {"state__exact": "open"}).status_code == 200
    assert delegation.portal_token not in page
    change = client.get(
        reverse("admin:registrations_delegation_change", args=[delegation.pk])
    )
    assert delegation.portal_token not in change.content.decode()


def test_the_delegations_list_exports_for_the_protocol_office(client, reviewer):
    delegation = invite(EventFactory(), reviewer)
    services.member_nominate(
        delegation=delegation,
        email="a@example.org",
        language="en",
        **member_fields(role="head", protocol_rank="H.E."),
    )
    client.force_login(reviewer)
    url = reverse("admin:registrations_delegation_changelist")
    response = client.post(
        url, {"action": "export_delegations", "_selected_action": [delegation.pk]}
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Head of delegation" in body and "Ana Reyes" in body and "H.E." in body
    response = client.post(
        url, {"action": "export_delegations_xlsx", "_selected_action": [delegation.pk]}
    )
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_the_attendee_export_has_the_delegation_and_role_columns(client, reviewer):
    delegation = invite(EventFactory(), reviewer)
    services.member_nominate(
        delegation=delegation,
        email="a@example.org",
        language="en",
        **member_fields(role="head", protocol_rank="Minister"),
    )
    client.force_login(reviewer)
    response = client.get(reverse("admin:registrations_registration_export"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    header, row = body.splitlines()[:2]
    assert '"Delegation"' in header and '"Role in the delegation"' in header
    assert '"Head of delegation"' in row and '"Minister"' in row


def test_the_seed_gives_the_invited_organisations_placeholder_delegations():
    from django.core.management import call_command

    call_command("load_symposium", stdout=io.StringIO())
    delegations = Delegation.objects.select_related("organisation")
    assert {d.organisation.acronym for d in delegations} == {
        "UNICEF",
        "INTERPOL",
        "ECPAT",
    }
    assert all(
        d.focal_point_is_placeholder and d.focal_point_email.endswith(".invalid")
        for d in delegations
    )
    assert all(d.invited_at is None for d in delegations)
    call_command("load_symposium", stdout=io.StringIO())
    assert Delegation.objects.count() == 3


# The note verbale


def upload(client, delegation, document):
    url = reverse(
        "registrations:portal_note_verbale", kwargs={"token": delegation.portal_token}
    )
    return client.post(url, {"document": document})


def test_a_png_note_verbale_is_taken_and_read_back_by_staff_with_permission(
    client, reviewer
):
    delegation = invite(EventFactory(), reviewer)
    assert (
        upload(
            client, delegation, SimpleUploadedFile("scan.png", png_bytes(), "image/png")
        ).status_code
        == 302
    )
    delegation.refresh_from_db()
    assert delegation.note_verbale_type == "image/png"
    assert delegation.note_verbale_received_at is not None
    url = reverse("admin:registrations_delegation_note_verbale", args=[delegation.pk])
    client.force_login(reviewer)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png_bytes()
    assert "attachment" in response["Content-Disposition"]


def test_a_file_disguised_by_its_name_is_refused(client, reviewer):
    delegation = invite(EventFactory(), reviewer)
    disguised = SimpleUploadedFile(
        "note.pdf", b"MZ\x90\x00 an executable, not a PDF", "application/pdf"
    )
    response = upload(client, delegation, disguised)
    assert response.status_code == 400
    assert "not a PDF document" in response.content.decode()
    delegation.refresh_from_db()
    assert not delegation.note_verbale and delegation.note_verbale_received_at is None


def test_an_oversized_file_is_refused_and_not_stored(
    client, reviewer, settings, private_media
):
    settings.NOTE_VERBALE_MAX_MB = 1
    delegation = invite(EventFactory(), reviewer)
    big = SimpleUploadedFile(
        "note.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 10), "application/pdf"
    )
    response = upload(client, delegation, big)
    assert response.status_code == 400
    assert "larger than 1 MB" in response.content.decode()
    delegation.refresh_from_db()
    assert not delegation.note_verbale
    assert not private_media.exists() or not any(private_media.rglob("*.*"))


def test_the_note_verbale_is_unreachable_without_permission(client, reviewer):
    delegation = invite(EventFactory(), reviewer)
    upload(client, delegation, SimpleUploadedFile("scan.png", png_bytes(), "image/png"))
    url = reverse("admin:registrations_delegation_note_verbale", args=[delegation.pk])
    assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(StaffUserFactory(permissions=["registrations.view_delegation"]))
    assert client.get(url).status_code == 403
    delegation.refresh_from_db()
    assert delegation.note_verbale.name.startswith("notes-verbales/")
    assert "scan" not in delegation.note_verbale.name
    for public in [
        "/static/" + delegation.note_verbale.name,
        "/media/" + delegation.note_verbale.name,
    ]:
        assert client.get(public).status_code == 404


def test_a_file_sent_to_any_other_form_is_still_refused(client, reviewer):
    delegation = invite(EventFactory(), reviewer)
    nominate = reverse(
        "registrations:portal_nominate", kwargs={"token": delegation.portal_token}
    )
    document = SimpleUploadedFile("note.pdf", pdf_bytes(), "application/pdf")
    response = client.post(nominate, {**member_data(0), "document": document})
    assert response.status_code == 400
    assert not delegation.members.exists()


def test_portal_links_and_invitation_links_are_masked_in_logs():
    from symposium.redaction import mask_secrets

    token = "A" * 43
    for path in [f"/en/delegation/{token}/nominate/", f"/ja/invitation/{token}/"]:
        assert token not in mask_secrets(f"Not Found: {path}")


def test_a_member_of_another_delegation_cannot_be_reached_through_a_portal(
    client, reviewer
):
    event = EventFactory()
    ours = invite(event, reviewer)
    theirs = invite(event, reviewer, organisation=OrganisationFactory())
    stranger = services.member_nominate(
        delegation=theirs, email="x@example.org", language="en", **member_fields()
    )
    for name in ["edit", "replace", "withdraw"]:
        url = reverse(
            f"registrations:portal_member_{name}",
            kwargs={"token": ours.portal_token, "member_id": stranger.pk},
        )
        assert client.get(url).status_code == 404
        assert client.post(url, member_data(0)).status_code == 404
    stranger.refresh_from_db()
    assert stranger.status == Status.PENDING


def test_an_email_belongs_to_exactly_one_owner(reviewer):
    from django.db import IntegrityError, transaction

    delegation = invite(EventFactory(), reviewer, send=False)
    registration = RegistrationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        OutgoingEmail.objects.create(
            registration=registration,
            delegation=delegation,
            recipient="x@example.org",
            kind="approved",
            language="en",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        OutgoingEmail.objects.create(
            recipient="x@example.org", kind="approved", language="en"
        )


def test_delegations_go_with_their_event_s_registrations_at_the_end_of_retention(
    client, reviewer, private_media, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    long_ago = timezone.now() - datetime.timedelta(days=400)
    event = EventFactory(
        starts_at=long_ago,
        registration_opens_at=long_ago - datetime.timedelta(days=30),
    )
    delegation = invite(EventFactory(), reviewer)
    upload(client, delegation, SimpleUploadedFile("scan.png", png_bytes(), "image/png"))
    services.member_nominate(
        delegation=delegation, email="a@example.org", language="en", **member_fields()
    )
    Delegation.objects.filter(pk=delegation.pk).update(event=event)
    Registration.objects.filter(delegation=delegation).update(event=event)
    delegation.refresh_from_db()
    stored = private_media / delegation.note_verbale.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.registrations_delete_expired()
    assert not Delegation.objects.exists()
    assert not Registration.objects.exists()
    assert not stored.exists()


def test_the_portal_page_costs_the_same_queries_however_many_members(client, reviewer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    delegation = invite(EventFactory(), reviewer, quota=8)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(delegation.portal_path()).status_code == 200
        return len(captured)

    services.member_nominate(
        delegation=delegation, email="m0@example.org", language="en", **member_fields()
    )
    one = queries()
    for n in range(1, 6):
        services.member_nominate(
            delegation=delegation,
            email=f"m{n}@example.org",
            language="en",
            **member_fields(),
        )
    assert queries() == one
