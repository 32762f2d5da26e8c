"""Personal invitations, and who may use the open form."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from registrations import services
from registrations.models import Event, Invitation, Registration
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    RegistrationFactory,
    StaffUserFactory,
)
from tests.test_registration_views import form_data, register_url

pytestmark = pytest.mark.django_db
Status = Registration.Status


def invite(event, **extra):
    return services.invitation_create(
        event=event,
        email="carol.bellamy@example.org",
        given_name="Carol",
        family_name="Bellamy",
        organisation=extra.pop("organisation", None) or OrganisationFactory(),
        position="Executive Director",
        category="international",
        by=StaffUserFactory(),
        **extra,
    )


def invitation_data(invitation, **overrides) -> dict:
    data = form_data(invitation.event, organisation=invitation.organisation)
    for name in ("email", "email_confirmation"):
        data.pop(name, None)
    return {
        **data,
        "given_name": "Carol",
        "family_name": "Bellamy",
        "name_ja": "",
        **overrides,
    }


def test_the_invitation_email_carries_a_link_to_a_prefilled_form(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(EventFactory(), message="We would be honoured.")
    [message] = mail.outbox
    assert message.to == ["carol.bellamy@example.org"]
    assert invitation.link_path() in message.body
    assert "We would be honoured." in message.body
    page = client.get(invitation.link_path()).content.decode()
    assert 'value="Carol"' in page and 'value="Executive Director"' in page
    assert "carol.bellamy@example.org" in page


def test_the_invitation_is_locked_to_its_email(client):
    invitation = invite(EventFactory())
    response = client.post(
        invitation.link_path(),
        invitation_data(
            invitation,
            email="someone.else@example.org",
            email_confirmation="someone.else@example.org",
        ),
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.email == "carol.bellamy@example.org"
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.ACCEPTED
    assert invitation.registration == registration
    # Used once: the link registers nobody else.
    again = client.post(invitation.link_path(), invitation_data(invitation))
    assert again.status_code == 200
    assert Registration.objects.count() == 1


def test_an_invitation_can_approve_on_submission(client):
    invitation = invite(EventFactory(), approve_on_submission=True)
    client.post(invitation.link_path(), invitation_data(invitation))
    assert Registration.objects.get().status == Status.APPROVED


def test_approval_on_submission_obeys_the_hall_capacity(client):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event, status=Status.APPROVED)
    invitation = invite(event, approve_on_submission=True)
    client.post(invitation.link_path(), invitation_data(invitation))
    assert Registration.objects.get(email=invitation.email).status == Status.PENDING


def test_a_withdrawn_or_declined_invitation_registers_nobody(client):
    withdrawn = invite(EventFactory())
    services.invitation_revoke(invitation=withdrawn, by=StaffUserFactory())
    assert client.get(withdrawn.link_path()).status_code == 404
    declined = invite(EventFactory())
    decline_url = reverse(
        "registrations:invitation_decline", kwargs={"token": declined.token}
    )
    assert client.post(decline_url).status_code == 302
    declined.refresh_from_db()
    assert declined.state == Invitation.State.DECLINED
    client.post(declined.link_path(), invitation_data(declined))
    assert not Registration.objects.exists()


def test_an_invitation_works_even_when_the_open_form_takes_invitees_only(client):
    event = EventFactory(open_form=Event.OpenForm.INVITEES)
    invitation = invite(event)
    assert (
        client.post(invitation.link_path(), invitation_data(invitation)).status_code
        == 302
    )
    assert Registration.objects.filter(email=invitation.email).exists()


# Who may use the open form


def test_everyone_may_use_the_open_form_by_default(client, event):
    assert client.post(register_url(event), form_data(event)).status_code == 302
    assert Registration.objects.count() == 1


def test_invitees_only_refuses_every_visitor_and_says_how_to_be_invited(client):
    event = EventFactory(open_form=Event.OpenForm.INVITEES)
    page = client.get(register_url(event)).content.decode()
    assert "by invitation only" in page
    assert event.contact_email in page
    assert client.post(register_url(event), form_data(event)).status_code == 403
    assert not Registration.objects.exists()
    home = client.get(event.get_absolute_url()).content.decode()
    assert "Attendance is by invitation" in home
    assert register_url(event) not in home


def test_only_some_categories_admits_them_and_refuses_the_others(client):
    event = EventFactory(
        open_form=Event.OpenForm.CATEGORIES, open_form_categories=["academic", "press"]
    )
    page = client.get(register_url(event)).content.decode()
    assert 'value="press"' in page and 'value="government"' not in page
    refused = client.post(register_url(event), form_data(event, category="government"))
    assert refused.status_code == 200
    error = str(refused.context["form"].errors["category"])
    assert "by invitation" in error and event.contact_email in error
    assert not Registration.objects.exists()
    admitted = client.post(register_url(event), form_data(event, category="academic"))
    assert admitted.status_code == 302
    assert Registration.objects.get().category == "academic"


def test_the_service_refuses_a_category_the_form_would_not_offer(event):
    event.open_form = Event.OpenForm.CATEGORIES
    event.open_form_categories = ["press"]
    with pytest.raises(services.RegistrationError) as refusal:
        services.registration_submit(
            event=event,
            email="x@example.org",
            sessions=[],
            language="en",
            given_name="A",
            family_name="B",
            organisation_other="Ministry",
            position="Officer",
            country="PH",
            category="government",
        )
    assert refusal.value.code == "by_invitation"


def test_staff_choose_the_open_forms_categories_in_the_admin(client, superuser):
    event = EventFactory()
    client.force_login(superuser)
    url = reverse("admin:registrations_event_change", args=[event.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {
        name: form[name].value()
        for name in form.fields
        if form[name].value() is not None
    }
    for name in list(data):
        if name.endswith(("_at", "starts_at", "ends_at")):
            del data[name]
    for name in [
        "starts_at",
        "ends_at",
        "registration_opens_at",
        "registration_closes_at",
    ]:
        moment = timezone.localtime(getattr(event, name))
        data[f"{name}_0"] = moment.strftime("%Y-%m-%d")
        data[f"{name}_1"] = moment.strftime("%H:%M:%S")
    data |= {
        "sessions-TOTAL_FORMS": 0,
        "sessions-INITIAL_FORMS": 0,
        "open_form": "categories",
        "hold_delegation_seats": "on",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Choose the categories" in refused.content.decode()
    data["open_form_categories"] = ["academic", "press"]
    assert client.post(url, data).status_code == 302
    event.refresh_from_db()
    assert event.open_form_categories == ["academic", "press"]
    assert not event.open_form_admits("government")
