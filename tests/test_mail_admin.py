"""Staff see every email to delegates, where it stands, and send failed ones again."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from registrations.models import OutgoingEmail
from tests.factories import OutgoingEmailFactory, RegistrationFactory, StaffUserFactory

pytestmark = pytest.mark.django_db
State = OutgoingEmail.State
Kind = OutgoingEmail.Kind
EMAILS = "admin:registrations_outgoingemail_changelist"


@pytest.fixture
def reviewer_client(client):
    reviewer = get_user_model().objects.create_user(
        "reviewer", "reviewer@mofa.example", "x" * 16, is_staff=True
    )
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    client.force_login(reviewer)
    return client


def emails_list(client, **params):
    return client.get(reverse(EMAILS), params)


def shown(response) -> set[OutgoingEmail]:
    return set(response.context["cl"].result_list)


def failed_email(**fields) -> OutgoingEmail:
    return OutgoingEmailFactory(
        state=State.FAILED,
        attempts=30,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
        queued_at=timezone.now() - datetime.timedelta(days=2),
        next_attempt_at=None,
        **fields,
    )


def test_the_list_shows_each_email_and_where_it_stands(reviewer_client):
    registration = RegistrationFactory(given_name="Hanako", family_name="Yamada")
    failed_email(registration=registration, kind=Kind.CONFIRMATION)
    OutgoingEmailFactory(
        registration=registration, state=State.SENT, sent_at=timezone.now()
    )
    page = emails_list(reviewer_client).content.decode()
    assert "Hanako Yamada" in page
    assert registration.email in page
    assert 'class="status mail-failed">Failed<' in page
    assert 'class="status mail-sent">Sent<' in page
    # The start of the last error; the email's own page has all of it.
    assert "SMTPServerDisconnected: Connection unexpectedly" in page
    assert (
        reverse("admin:registrations_registration_change", args=[registration.pk])
        in page
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state__exact": State.FAILED}, {"failed"}),
        ({"kind__exact": Kind.CONFIRMATION}, {"failed"}),
        ({"registration": "first"}, {"failed", "sent"}),
        ({"q": "yamada"}, {"failed", "sent"}),
    ],
)
def test_the_list_filters_by_state_kind_and_registration(
    reviewer_client, params, expected
):
    first = RegistrationFactory(family_name="Yamada")
    emails = {
        "failed": failed_email(registration=first, kind=Kind.CONFIRMATION),
        "sent": OutgoingEmailFactory(
            registration=first, state=State.SENT, sent_at=timezone.now()
        ),
        "other": OutgoingEmailFactory(kind=Kind.REJECTED),
    }
    if params.get("registration") == "first":
        params = {"registration": first.pk}
    response = emails_list(reviewer_client, **params)
    assert shown(response) == {emails[name] for name in expected}


def test_the_registration_filter_names_the_registration_chosen(reviewer_client):
    email = OutgoingEmailFactory(registration__family_name="Yamada")
    page = emails_list(reviewer_client, registration=email.registration_id)
    assert email.registration.display_name in page.content.decode()


@pytest.mark.parametrize("value", ["abc", "-1", "١٢", "99999999999999999999"])
def test_an_odd_registration_filter_is_no_server_error(reviewer_client, value):
    OutgoingEmailFactory()
    response = emails_list(reviewer_client, registration=value)
    assert response.status_code in (200, 302)


def test_the_list_takes_a_fixed_number_of_queries(
    reviewer_client, django_assert_max_num_queries
):
    OutgoingEmailFactory.create_batch(60)
    with django_assert_max_num_queries(12):
        assert emails_list(reviewer_client).status_code == 200


def test_nobody_adds_changes_or_deletes_an_email(client, superuser):
    client.force_login(superuser)
    email = OutgoingEmailFactory()
    assert client.get(reverse("admin:registrations_outgoingemail_add")).status_code == (
        403
    )
    page = client.get(
        reverse("admin:registrations_outgoingemail_change", args=[email.pk])
    )
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    before = OutgoingEmail.objects.values().get()
    client.post(
        reverse("admin:registrations_outgoingemail_change", args=[email.pk]),
        {"recipient": "attacker@example.org", "state": State.SENT},
    )
    assert OutgoingEmail.objects.values().get() == before
    delete = reverse("admin:registrations_outgoingemail_delete", args=[email.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    actions = emails_list(client).context["action_form"].fields["action"].choices
    assert "delete_selected" not in {name for name, _label in actions}


def test_the_registration_page_shows_its_emails(reviewer_client):
    registration = RegistrationFactory()
    failed_email(registration=registration, kind=Kind.CONFIRMATION)
    OutgoingEmailFactory(kind=Kind.REJECTED)  # another registration's
    url = reverse("admin:registrations_registration_change", args=[registration.pk])
    response = reviewer_client.get(url)
    [emails] = [
        formset
        for formset in response.context["inline_admin_formsets"]
        if formset.opts.model is OutgoingEmail
    ]
    assert [form.original.kind for form in emails] == [Kind.CONFIRMATION]
    page = response.content.decode()
    assert "Registration received" in page
    assert f"{reverse(EMAILS)}?registration={registration.pk}" in page


def test_failed_emails_are_sent_again_and_the_others_left(
    reviewer_client, django_capture_on_commit_callbacks
):
    failed = failed_email()
    sent = OutgoingEmailFactory(state=State.SENT, sent_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post(
            reverse(EMAILS),
            {"action": "send_again", ACTION_CHECKBOX_NAME: [failed.pk, sent.pk]},
            follow=True,
        )
    notes = [str(message) for message in response.context["messages"]]
    assert "1 email will be sent again in a moment." in notes
    assert (
        "1 email was left as it is: only failed emails, and those waiting to "
        "retry, are sent again."
    ) in notes
    failed.refresh_from_db()
    assert failed.state == State.SENT
    [message] = mail.outbox
    assert message.to == [failed.recipient]


def test_staff_without_the_permission_cannot_send_emails_again(client):
    viewer = StaffUserFactory(permissions=["registrations.view_outgoingemail"])
    client.force_login(viewer)
    email = failed_email()
    # No action is left to offer them.
    assert emails_list(client).context["action_form"] is None
    client.post(
        reverse(EMAILS), {"action": "send_again", ACTION_CHECKBOX_NAME: [email.pk]}
    )
    email.refresh_from_db()
    assert email.state == State.FAILED


def test_staff_without_the_view_permission_see_no_emails(client):
    client.force_login(StaffUserFactory())
    assert emails_list(client).status_code == 403
