"""Staff review in the admin: the list, the review actions and the reviewer role."""

import itertools
from unittest import mock

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.text import smart_split, unescape_string_literal

from registrations import services
from registrations.admin.rows import Rows
from registrations.models import Registration
from registrations.selectors import REGISTRATION_SEARCH_FIELDS as SEARCH_FIELDS
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    RegistrationFactory,
    SessionFactory,
)
from tests.test_registration_views import form_data, register_url

pytestmark = pytest.mark.django_db
Status = Registration.Status
CHANGELIST = "admin:registrations_registration_changelist"
REVIEWER_PERMISSIONS = {
    "view_registration",
    "change_registration",
    "review_registration",
    "export_registration",
    "view_registrationchange",
    "view_outgoingemail",
    "send_again_outgoingemail",
    # Delegations: invite, remind, confirm, read the notes verbales.
    "view_delegation",
    "change_delegation",
    "add_delegation",
    "review_delegation",
    "view_note_verbale",
    "view_delegationchange",
    "view_invitation",
    "add_invitation",
    "change_invitation",
    "view_organisation",
    # The door: who came in, and how many.
    "view_checkin",
    "view_attendance",
    # The statistics, and the record of the messages sent to delegates.
    "view_statistics",
    "view_delegatemessage",
    "view_participantslist",
}


@pytest.fixture
def reviewer(db):
    user = get_user_model().objects.create_user(
        "reviewer", "reviewer@mofa.example", "x" * 16, is_staff=True
    )
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


def changelist(client, **params):
    return client.get(reverse(CHANGELIST), params)


def shown(response):
    """Return the registrations the changelist shows."""
    return set(response.context["cl"].result_list)


def run_action(client, action, registrations, *, confirm=None, follow=False):
    """Choose an action for ``registrations``; with ``confirm``, answer its page."""
    data = {"action": action, ACTION_CHECKBOX_NAME: [r.pk for r in registrations]}
    if confirm is None:
        data["index"] = 0
    else:
        data.update(confirm, confirm="yes")
    return client.post(reverse(CHANGELIST), data, follow=follow)


# The list


def test_the_list_shows_what_reviewers_need(reviewer_client):
    organisation = OrganisationFactory(name="ECPAT International")
    session = SessionFactory()
    RegistrationFactory(
        event=session.event,
        given_name="Hanako",
        family_name="Yamada",
        name_ja="山田 花子",
        organisation=organisation,
        country="JP",
        sessions=[session],
    )
    page = changelist(reviewer_client).content.decode()
    assert "YAMADA Hanako (山田 花子)" in page
    assert "ECPAT International" in page
    assert "Japan" in page
    assert 'class="status status-pending"' in page


def test_counts_per_status_are_shown_above_the_list(reviewer_client):
    event = EventFactory()
    RegistrationFactory.create_batch(3, event=event)
    RegistrationFactory.create_batch(2, event=event, status=Status.APPROVED)
    response = changelist(reviewer_client)
    counts = {
        item["status"]: item["count"] for item in response.context["status_counts"]
    }
    assert counts[Status.PENDING] == 3 and counts[Status.APPROVED] == 2
    assert "Pending review: <strong>3</strong>" in response.content.decode()
    # The counts follow the other filters, and each links to its status.
    filtered = changelist(reviewer_client, status__exact=Status.APPROVED)
    assert {i["count"] for i in filtered.context["status_counts"]} >= {3, 2}


def test_the_waiting_list_position_shows_in_the_status(reviewer_client):
    event = EventFactory()
    RegistrationFactory.create_batch(2, event=event, status=Status.WAITLISTED)
    page = changelist(reviewer_client).content.decode()
    assert "Waiting list (no. 1)" in page and "Waiting list (no. 2)" in page


def test_the_list_takes_a_fixed_number_of_queries(
    reviewer_client, django_assert_max_num_queries
):
    event = EventFactory()
    sessions = SessionFactory.create_batch(3, event=event)
    for _ in range(150):
        RegistrationFactory(event=event, sessions=sessions, status=Status.WAITLISTED)
    with django_assert_max_num_queries(20):
        assert changelist(reviewer_client).status_code == 200


@pytest.mark.parametrize(
    ("param", "value_of"),
    [
        ("status__exact", lambda r: r.status),
        ("category__exact", lambda r: r.category),
        ("organisation__id__exact", lambda r: r.organisation_id),
        ("country", lambda r: r.country.code),
        ("session", lambda r: r.sessions.get().pk),
        ("organisation__invited__exact", lambda r: int(r.organisation.invited)),
    ],
)
def test_each_filter_narrows_the_list(reviewer_client, param, value_of):
    event = EventFactory()
    wanted = RegistrationFactory(
        event=event,
        status=Status.APPROVED,
        category=Registration.Category.PRESS,
        country="TH",
        organisation=OrganisationFactory(invited=True),
        sessions=[SessionFactory(event=event)],
    )
    RegistrationFactory(
        event=event,
        category=Registration.Category.ACADEMIC,
        country="FR",
        sessions=[SessionFactory(event=event)],
    )
    assert shown(changelist(reviewer_client, **{param: value_of(wanted)})) == {wanted}


@pytest.mark.parametrize("term", ["Yamada", "山田", "hanako@", "UNICEF"])
def test_search_by_name_email_and_organisation(reviewer_client, term):
    wanted = RegistrationFactory(
        family_name="Yamada",
        name_ja="山田 花子",
        email="hanako@example.jp",
        organisation=OrganisationFactory(
            name="United Nations Children's Fund", acronym="UNICEF"
        ),
    )
    RegistrationFactory(family_name="Santos")
    assert shown(changelist(reviewer_client, q=term)) == {wanted}


@pytest.mark.parametrize(
    ("term", "count"),
    [
        ("Yamada", 3),
        ("yamada hanako", 1),
        ('"Children\'s Fund" ken', 1),
        ("santos yamada", 0),
        ("example", 6),
        ("ko yamada", 1),
        ("ta", 1),
        ("an", 4),
    ],
)
def test_a_search_finds_by_ids_what_each_word_finds(reviewer_client, term, count):
    # Lookups of at most two rows by their ids: "Yamada" and "Santos" are
    # each found in more, the other words in fewer; "ko", "ta" and "an" are
    # too short for the trigram indexes and looked for in the table ("an" is
    # in four).
    unicef = OrganisationFactory(name="United Nations Children's Fund")
    for family, given in [("Yamada", "Hanako"), ("Yamada", "Taro"), ("Yamada", "Ken")]:
        RegistrationFactory(family_name=family, given_name=given, organisation=unicef)
    for given in ("Ana", "Maria", "Hanako"):
        RegistrationFactory(family_name="Santos", given_name=given)
    expected = Registration.objects.all()
    for word in smart_split(term):
        if word.startswith('"'):
            word = unescape_string_literal(word)
        expected = expected.filter(
            Q.create(
                [(f"{field}__icontains", word) for field in SEARCH_FIELDS],
                connector=Q.OR,
            )
        )
    with mock.patch("registrations.selectors.review.SEARCH_BY_IDS", 2):
        found = shown(changelist(reviewer_client, q=term))
    assert found == set(expected)
    assert len(found) == count


def test_the_search_finds_a_registration_by_what_it_holds_now(reviewer_client, event):
    # Written by the registration form in one statement, then changed by
    # save(): the database writes what the search reads each time.
    public = Client()
    data = form_data(event, family_name="Nakamura", email="n.nakamura@example.jp")
    data["email_confirmation"] = data["email"]
    assert public.post(register_url(event), data).status_code == 302
    registration = Registration.objects.get(family_name="Nakamura")
    assert shown(changelist(reviewer_client, q="nakamura")) == {registration}
    registration.family_name = "Kobayashi"
    registration.save()
    assert shown(changelist(reviewer_client, q="nakamura")) == {registration}  # email
    assert shown(changelist(reviewer_client, q="kobayashi hanako")) == {registration}
    assert shown(changelist(reviewer_client, q="yamada")) == set()
    # A line break is in no field, though it separates them in the text.
    assert shown(changelist(reviewer_client, q='"Kobayashi\nHanako"')) == set()


def rows_of(response) -> str:
    page = response.content.decode()
    return page[page.index("<tbody>") : page.index("</tbody>")]


@pytest.mark.parametrize(
    "params, language",
    [
        ({}, "en"),
        ({"status__exact": Status.WAITLISTED, "o": "-3.1"}, "en"),
        ({"q": "Tanaka"}, "ja"),
    ],
)
def test_the_lists_rows_are_the_ones_djangos_admin_writes(
    reviewer_client, params, language
):
    event = EventFactory(capacity=1, waitlist_promotion=False)
    RegistrationFactory(event=event, family_name="Tanaka", status=Status.APPROVED)
    RegistrationFactory(
        event=event,
        given_name="<b>Ana & Co</b>",
        family_name="Tanaka",
        organisation=None,
        organisation_other='Forum "Mekong" & <Partners>',
        status=Status.WAITLISTED,
        status_changed_at=timezone.now(),
        sessions=[SessionFactory(event=event)],
    )
    RegistrationFactory(event=event, family_name="Sato", country="JP")
    url = reverse(CHANGELIST)
    ours = reviewer_client.get(url, params, HTTP_ACCEPT_LANGUAGE=language)
    assert Rows.of(ours.context["cl"]) is not None
    with mock.patch.object(Rows, "of", return_value=None):
        djangos = reviewer_client.get(url, params, HTTP_ACCEPT_LANGUAGE=language)

    assert rows_of(ours) == rows_of(djangos)
    assert rows_of(ours).count("<tr>") == len(shown(ours))
    assert "&lt;b&gt;Ana &amp; Co&lt;/b&gt;" in rows_of(ours)
    assert ("_changelist_filters=" in rows_of(ours)) == bool(params)


def test_each_reader_sees_the_lists_statuses_and_countries_in_their_language(
    reviewer_client,
):
    RegistrationFactory(country="PH")
    url = reverse(CHANGELIST)
    for language, status, country in [
        ("en", "Pending review", "Philippines"),
        ("ja", "審査待ち", "フィリピン"),
        ("en", "Pending review", "Philippines"),
    ]:
        rows = rows_of(reviewer_client.get(url, HTTP_ACCEPT_LANGUAGE=language))
        assert f">{status}</span>" in rows
        assert f'<td class="field-country_name">{country}</td>' in rows


def test_a_popup_list_is_left_to_djangos_admin(reviewer_client):
    RegistrationFactory()
    response = changelist(reviewer_client, _popup=1)
    assert Rows.of(response.context["cl"]) is None
    assert "data-popup-opener" in rows_of(response)


def test_the_change_page_shows_the_history(reviewer_client, reviewer):
    from registrations import services

    registration = RegistrationFactory()
    services.registration_waitlist(
        registration=registration, by=reviewer, note="Hall nearly full"
    )
    url = reverse("admin:registrations_registration_change", args=[registration.pk])
    page = reviewer_client.get(url).content.decode()
    assert "Hall nearly full" in page
    assert "History" in page or "history" in page


# The review actions


def test_approving_asks_for_confirmation_then_approves(
    reviewer_client, django_capture_on_commit_callbacks
):
    registrations = RegistrationFactory.create_batch(2)
    confirmation = run_action(reviewer_client, "approve", registrations)
    assert confirmation.status_code == 200
    page = confirmation.content.decode()
    assert "You are about to approve these 2 registrations" in page
    assert not Registration.objects.attending().exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(
            reviewer_client, "approve", registrations, confirm={"note": "Welcome"}
        )
    assert response.status_code == 302
    assert Registration.objects.attending().count() == 2
    assert len(mail.outbox) == 2
    messages = [
        str(m) for m in reviewer_client.get(response["Location"]).context["messages"]
    ]
    assert "2 registrations approved." in messages


def test_refused_approvals_are_listed_with_the_reason(reviewer_client):
    event = EventFactory(capacity=1)
    first = RegistrationFactory(event=event, family_name="First")
    second = RegistrationFactory(event=event, family_name="Second")
    response = run_action(
        reviewer_client, "approve", [first, second], confirm={}, follow=True
    )
    messages = " ".join(str(m) for m in response.context["messages"])
    assert "1 registration approved." in messages
    assert "1 registration refused" in messages
    assert "The event is full" in messages


def test_a_review_stopped_by_its_time_limit_says_what_it_changed_and_not(
    reviewer_client, settings
):
    settings.REVIEW_TIME_LIMIT_SECONDS = 25
    event = EventFactory()
    names = ["Abe", "Baba", "Chiba", "Doi", "Endo"]
    registrations = [
        RegistrationFactory(event=event, given_name="Ken", family_name=name)
        for name in names
    ]
    # Each approval takes ten seconds: two fit in the limit.
    clock = mock.Mock(monotonic=mock.Mock(side_effect=itertools.count(0, 10)))
    with mock.patch.object(services.workflow, "time", clock):
        response = run_action(
            reviewer_client, "approve", registrations, confirm={}, follow=True
        )
    approved = set(
        Registration.objects.filter(status=Status.APPROVED).values_list(
            "family_name", flat=True
        )
    )
    assert approved == {"Abe", "Baba"}
    messages = [str(m) for m in response.context["messages"]]
    assert "2 registrations approved." in messages
    assert (
        "Stopped at the time limit of 25 seconds. Changed: Ken Abe; Ken Baba. "
        "Not reviewed, left as they were: 3 registrations (Ken Chiba; Ken Doi; "
        "Ken Endo); select them and review them again."
    ) in messages


def test_approval_can_waitlist_those_without_a_seat(reviewer_client):
    event = EventFactory(capacity=1)
    registrations = RegistrationFactory.create_batch(3, event=event)
    run_action(
        reviewer_client, "approve", registrations, confirm={"waitlist_if_full": "on"}
    )
    statuses = sorted(Registration.objects.values_list("status", flat=True))
    assert statuses == [Status.APPROVED, Status.WAITLISTED, Status.WAITLISTED]


def test_a_rejection_note_is_sent_to_the_delegate(
    reviewer_client, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        run_action(
            reviewer_client,
            "reject",
            [registration],
            confirm={"note": "Seats are reserved for government delegations."},
        )
    registration.refresh_from_db()
    assert registration.status == Status.REJECTED
    assert "Seats are reserved for government delegations." in mail.outbox[0].body


def test_waitlisting_an_approved_registration_is_refused_with_the_reason(
    reviewer_client,
):
    registration = RegistrationFactory(status=Status.APPROVED)
    response = run_action(
        reviewer_client, "waitlist", [registration], confirm={}, follow=True
    )
    messages = " ".join(str(m) for m in response.context["messages"])
    assert "cannot become waiting list" in messages
    registration.refresh_from_db()
    assert registration.status == Status.APPROVED


def test_select_across_reviews_everything_the_filters_show(reviewer_client):
    event = EventFactory()
    press = RegistrationFactory.create_batch(
        3, event=event, category=Registration.Category.PRESS
    )
    other = RegistrationFactory(event=event, category=Registration.Category.NGO)
    url = reverse(CHANGELIST) + "?category__exact=press"
    data = {
        "action": "reject",
        ACTION_CHECKBOX_NAME: [press[0].pk],
        "select_across": "1",
        "confirm": "yes",
        "note": "",
    }
    reviewer_client.post(url, data)
    assert set(Registration.objects.filter(status=Status.REJECTED)) == set(press)
    other.refresh_from_db()
    assert other.status == Status.PENDING


def test_one_registration_is_reviewed_from_its_change_page(reviewer_client):
    registration = RegistrationFactory()
    change_url = reverse(
        "admin:registrations_registration_change", args=[registration.pk]
    )
    review_url = reverse(
        "admin:registrations_registration_review", args=[registration.pk, "approved"]
    )
    assert review_url in reviewer_client.get(change_url).content.decode()
    assert "You are about to approve this registration" in (
        reviewer_client.get(review_url).content.decode()
    )
    response = reviewer_client.post(review_url, {"confirm": "yes", "note": ""})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Status.APPROVED


def change_form_data(client, registration, **changes) -> dict:
    """Return the change page's form as the browser would send it, with ``changes``."""
    url = reverse("admin:registrations_registration_change", args=[registration.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: form.initial.get(name) or "" for name in form.fields if name != "sessions"
    }
    data.update(
        country=registration.country.code,
        organisation=registration.organisation_id,
        interpretation=registration.interpretation,
        # The history and the emails are shown read-only, as empty formsets.
        **{
            f"{prefix}-{count}_FORMS": "0"
            for prefix in ("changes", "emails")
            for count in ("TOTAL", "INITIAL", "MIN_NUM", "MAX_NUM")
        },
    )
    data.update(changes)
    return data


def test_staff_edits_are_recorded_in_the_history(reviewer_client, reviewer):
    registration = RegistrationFactory(position="Counsellor")
    url = reverse("admin:registrations_registration_change", args=[registration.pk])
    data = change_form_data(
        reviewer_client, registration, position="Minister-Counsellor"
    )
    response = reviewer_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    registration.refresh_from_db()
    assert registration.position == "Minister-Counsellor"
    change = registration.changes.get()
    assert change.changed_by == reviewer and change.fields == ["position"]


def test_staff_edits_with_hidden_characters_are_refused_as_on_the_public_form(
    reviewer_client,
):
    registration = RegistrationFactory(position="Counsellor")
    url = reverse("admin:registrations_registration_change", args=[registration.pk])
    data = change_form_data(
        reviewer_client, registration, position="Counsellor\u202e", given_name="A\x1b"
    )
    response = reviewer_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in errors["position"][0]
    assert "U+001B" in errors["given_name"][0]
    registration.refresh_from_db()
    assert registration.position == "Counsellor"
    assert not registration.changes.exists()


# The reviewer role


def test_the_reviewers_group_has_exactly_the_permissions_the_work_needs():
    group = Group.objects.get(name="Reviewers")
    assert set(group.permissions.values_list("codename", flat=True)) == (
        REVIEWER_PERMISSIONS
    )


def test_a_reviewer_can_run_the_review_actions_but_not_delete(reviewer_client):
    actions = changelist(reviewer_client).context["action_form"].fields["action"]
    names = {name for name, _ in actions.choices}
    assert {"approve", "reject", "waitlist"} <= names
    assert "delete_selected" not in names
    registration = RegistrationFactory()
    delete_url = reverse(
        "admin:registrations_registration_delete", args=[registration.pk]
    )
    assert reviewer_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Registration.objects.filter(pk=registration.pk).exists()


def test_a_reviewer_can_export(reviewer):
    assert reviewer.has_perm("registrations.export_registration")


@pytest.mark.parametrize(
    "url_name",
    ["admin:registrations_event_change", "admin:registrations_session_change"],
)
def test_a_reviewer_cannot_edit_events_or_sessions(reviewer_client, url_name):
    session = SessionFactory()
    target = session.event if "event" in url_name else session
    url = reverse(url_name, args=[target.pk])
    assert reviewer_client.get(url).status_code == 403
    assert reviewer_client.post(url, {"title": "Changed"}).status_code == 403


def test_a_reviewer_cannot_see_the_user_pages(reviewer_client, reviewer):
    assert reviewer_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert (
        reviewer_client.get(
            reverse("admin:auth_user_change", args=[reviewer.pk])
        ).status_code
        == 403
    )
    assert (
        reviewer_client.get(reverse("admin:auth_group_changelist")).status_code == 403
    )


def test_staff_without_the_review_permission_get_no_review_actions(client):
    viewer = get_user_model().objects.create_user(
        "viewer", password="x" * 16, is_staff=True
    )
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_registration"))
    client.force_login(viewer)
    actions = changelist(client).context["action_form"]
    names = {name for name, _ in actions.fields["action"].choices} if actions else set()
    assert not names & {"approve", "reject", "waitlist"}
    registration = RegistrationFactory()
    review_url = reverse(
        "admin:registrations_registration_review", args=[registration.pk, "approved"]
    )
    assert client.post(review_url, {"confirm": "yes"}).status_code == 403
    registration.refresh_from_db()
    assert registration.status == Status.PENDING


def test_nobody_adds_registrations_in_the_admin(client, superuser):
    client.force_login(superuser)
    assert (
        client.get(reverse("admin:registrations_registration_add")).status_code == 403
    )


def test_nobody_deletes_registrations_in_the_admin(client, superuser):
    client.force_login(superuser)
    registration = RegistrationFactory()
    names = {
        name
        for name, _ in changelist(client)
        .context["action_form"]
        .fields["action"]
        .choices
    }
    assert "delete_selected" not in names
    delete_url = reverse(
        "admin:registrations_registration_delete", args=[registration.pk]
    )
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Registration.objects.filter(pk=registration.pk).exists()


@pytest.mark.parametrize(
    "query",
    [
        "session=%C2%B2",
        "session=99999999999999999999999",
        "session=abc",
        "country=XX",
        "country=%00",
        "status__exact=%00",
    ],
)
def test_odd_filter_values_never_cause_a_server_error(reviewer_client, query):
    RegistrationFactory()
    for url in [
        reverse(CHANGELIST),
        reverse("admin:registrations_registration_export"),
    ]:
        response = reviewer_client.get(f"{url}?{query}")
        assert response.status_code in (200, 302, 400), (url, response.status_code)


def test_a_review_address_with_a_malformed_id_is_not_found(reviewer_client):
    url = reverse("admin:registrations_registration_review", args=["abc", "approved"])
    assert reviewer_client.get(url).status_code == 404


def test_an_unreadable_selection_changes_nothing(reviewer_client):
    registration = RegistrationFactory()
    response = reviewer_client.post(
        reverse(CHANGELIST),
        {"action": "approve", ACTION_CHECKBOX_NAME: ["abc"], "confirm": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    assert "The selection was not understood" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == Status.PENDING


def test_staff_choose_sessions_only_from_the_registrations_own_event(reviewer_client):
    registration = RegistrationFactory(sessions=[SessionFactory()])
    own = SessionFactory(event=registration.event)
    foreign = SessionFactory()
    url = reverse("admin:registrations_registration_change", args=[registration.pk])
    choices = reviewer_client.get(url).context["adminform"].form.fields["sessions"]
    assert own in choices.queryset and foreign not in choices.queryset


def test_staff_revoke_a_private_link_and_the_delegate_gets_a_new_one(
    reviewer_client, reviewer, client, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory()
    old_link = registration.private_path()
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post(
            reverse(CHANGELIST),
            {
                "action": "replace_link",
                ACTION_CHECKBOX_NAME: [registration.pk],
                "index": 0,
            },
            follow=True,
        )
    assert "private link was revoked and a new one sent" in response.content.decode()
    registration.refresh_from_db()
    [message] = mail.outbox
    assert message.to == [registration.email]
    assert registration.private_path() in message.body
    assert "The link you had before no longer works" in message.body
    assert old_link not in message.body
    assert client.get(old_link).status_code == 404
    assert client.get(registration.private_path()).status_code == 200
    change = registration.changes.get()
    assert (change.actor, change.changed_by, change.fields) == (
        "staff",
        reviewer,
        ["token"],
    )


def test_staff_cancel_for_a_delegate_in_the_admin_recorded_as_staff(
    reviewer_client, reviewer, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(status=Status.APPROVED)
    cancel_url = reverse(
        "admin:registrations_registration_review", args=[registration.pk, "cancelled"]
    )
    change_url = reverse(
        "admin:registrations_registration_change", args=[registration.pk]
    )
    assert cancel_url in reviewer_client.get(change_url).content.decode()
    assert "You are about to cancel this registration" in (
        reviewer_client.get(cancel_url).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        reviewer_client.post(
            cancel_url, {"confirm": "yes", "note": "Asked by telephone"}
        )
    registration.refresh_from_db()
    assert registration.status == Status.CANCELLED
    change = registration.changes.get()
    assert (change.actor, change.changed_by, change.note) == (
        "staff",
        reviewer,
        "Asked by telephone",
    )
    [message] = mail.outbox
    assert "has been cancelled" in message.body


# Only what a list declares applies


@pytest.mark.parametrize(
    "query",
    [
        "id__exact=1&token__startswith=a",
        "token__startswith=a",
        "token=x",
        "email__regex=[]",
        "email__iregex=.*",
        "given_name__contains=a",
        "submitted_at__month=12",
        "submitted_at__gte=2000-01-01",
        "reviewed_by__password__startswith=pbkdf2",
    ],
)
def test_a_lookup_the_list_does_not_declare_is_refused_never_applied(
    reviewer_client, query
):
    from registrations.models import ExportLog

    RegistrationFactory()
    response = reviewer_client.get(f"{reverse(CHANGELIST)}?{query}")
    assert response.status_code in (302, 400), query
    if response.status_code == 302:
        assert response["Location"].endswith("?e=1"), query
    export = reviewer_client.get(
        f"{reverse('admin:registrations_registration_export')}?{query}"
    )
    assert export.status_code in (302, 400), query
    if export.status_code == 302:
        # Back to the list, which says what is wrong with the filters.
        assert export["Location"].startswith(reverse(CHANGELIST)), query
    assert not ExportLog.objects.exists()


def test_the_token_lookup_oracle_answers_the_same_for_every_guess(reviewer_client):
    registration = RegistrationFactory()
    answers = {
        guess: reviewer_client.get(
            reverse(CHANGELIST),
            {"id__exact": registration.pk, "token__startswith": guess},
        ).status_code
        for guess in (registration.token[:1], "!")  # "!" is in no token
    }
    assert set(answers.values()) <= {302, 400}
    assert len(set(answers.values())) == 1


@pytest.mark.parametrize(
    "query",
    [
        "submitted_at__year=99999999999999999999",
        "submitted_at__year=9999&submitted_at__month=12&submitted_at__day=31",
        "submitted_at__year=9999",
        "submitted_at__year=1",
        "submitted_at__year=2026&submitted_at__month=13",
        "submitted_at__year=2026&submitted_at__month=2&submitted_at__day=30",
        "submitted_at__year=%D9%A2",
    ],
)
def test_dates_beyond_the_calendar_are_refused_not_a_server_error(
    reviewer_client, query
):
    RegistrationFactory()
    for name in (CHANGELIST, "admin:registrations_registration_export"):
        response = reviewer_client.get(f"{reverse(name)}?{query}")
        assert response.status_code in (302, 400), (name, query)


def test_the_date_hierarchy_still_narrows_the_list(reviewer_client):
    registration = RegistrationFactory()
    submitted = timezone.localtime(registration.submitted_at)
    response = changelist(
        reviewer_client,
        submitted_at__year=submitted.year,
        submitted_at__month=submitted.month,
        submitted_at__day=submitted.day,
    )
    assert shown(response) == {registration}
    assert shown(changelist(reviewer_client, submitted_at__year=2001)) == set()


def test_an_export_with_a_very_long_filter_value_still_downloads(reviewer_client):
    from registrations.models import ExportLog

    RegistrationFactory()
    url = reverse("admin:registrations_registration_export")
    for params in ({"status__exact": "x" * 300}, {"q": "y" * 300}):
        response = reviewer_client.get(url, params)
        assert response.status_code == 200, params
        b"".join(response.streaming_content)
    assert all(len(log.filename) <= 255 for log in ExportLog.objects.all())


def test_the_history_names_the_fields_changed_in_the_readers_language(
    reviewer_client, reviewer, client
):
    from django.conf import settings

    from registrations import services

    registration = RegistrationFactory()
    services.registration_correct(
        registration=registration,
        by=reviewer,
        sessions=[],
        dietary_needs="Halal",
    )
    url = reverse("admin:registrations_registration_change", args=[registration.pk])

    def history(page: bytes) -> str:
        html = page.decode()
        return html[html.index('class="module registration-history"') :]

    assert "Dietary needs" in history(reviewer_client.get(url).content)
    assert "dietary_needs" not in history(reviewer_client.get(url).content)
    reviewer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    assert "食事に関する配慮" in history(reviewer_client.get(url).content)
