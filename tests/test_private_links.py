"""A delegate's private link is a bearer secret: no staff page, log or redirect has it.

Staff read, correct and cancel a registration in the admin, recorded as staff;
they never need, and never get, the link that acts as the delegate.
"""

import logging

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from registrations.models import Registration
from tests.factories import RegistrationFactory, SessionFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


def admin_urls_about(registration: Registration) -> list[str]:
    """Return every admin address that concerns ``registration``."""
    content_type = ContentType.objects.get_for_model(Registration)
    session = registration.sessions.get()
    return [
        reverse("admin:index"),
        reverse("admin:registrations_registration_changelist"),
        reverse("admin:registrations_registration_change", args=[registration.pk]),
        reverse("admin:registrations_registration_history", args=[registration.pk]),
        reverse("admin:registrations_registration_export"),
        reverse(
            "admin:registrations_registration_review",
            args=[registration.pk, "approved"],
        ),
        reverse("admin:registrations_session_change", args=[session.pk]),
        reverse("admin:registrations_session_export", args=[session.pk]),
        reverse("admin:registrations_exportlog_changelist"),
        reverse("admin:view_on_site", args=[content_type.pk, registration.pk]),
    ]


def revealed(response, token: str) -> bool:
    """Return whether the response's page, file or redirect holds ``token``."""
    if response.streaming:
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    return token.encode() in body or token in response.get("Location", "")


@pytest.fixture
def registration():
    session = SessionFactory(capacity=None)
    registration = RegistrationFactory(
        event=session.event, status=Registration.Status.APPROVED, sessions=[session]
    )
    registration.changes.create(actor="delegate", to_status="pending")
    return registration


@pytest.mark.parametrize("who", ["staff without permissions", "superuser"])
def test_no_admin_url_gives_staff_a_delegates_private_link(
    client, registration, superuser, who
):
    user = superuser if who == "superuser" else StaffUserFactory()
    client.force_login(user)
    for url in admin_urls_about(registration):
        response = client.get(url)
        assert response.status_code < 500, url
        assert not revealed(response, registration.token), url


def test_the_view_on_site_redirect_leads_nowhere_for_a_registration(
    client, registration
):
    client.force_login(StaffUserFactory())
    content_type = ContentType.objects.get_for_model(Registration)
    response = client.get(f"/admin/r/{content_type.pk}/{registration.pk}/")
    assert response.status_code == 404


def test_the_change_page_offers_no_view_on_site_button(client, superuser, registration):
    client.force_login(superuser)
    url = reverse("admin:registrations_registration_change", args=[registration.pk])
    page = client.get(url).content.decode()
    assert "viewsitelink" not in page
    assert "/admin/r/" not in page


def test_a_mistyped_private_link_is_logged_without_the_token(client, caplog):
    token = "Zq8" + "x" * 40
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(f"/en/registration/{token}/").status_code == 404
    [record] = [r for r in caplog.records if r.name == "django.request"]
    handler = logging.getLogger().handlers[0]
    line = handler.format(record)
    assert token not in line
    assert "/en/registration/" in line
