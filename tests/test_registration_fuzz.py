"""Whatever is posted to the registration form, it answers without a server error
and saves a registration only for valid input."""

import hypothesis
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registrations.forms import RegistrationForm
from registrations.models import Registration
from tests.factories import EventFactory, OrganisationFactory, SessionFactory

pytestmark = pytest.mark.django_db

# Text a browser could send: anything but lone surrogates, which UTF-8 cannot carry.
any_text = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300)
FIELDS = [
    "honorific",
    "given_name",
    "family_name",
    "name_ja",
    "email",
    "email_confirmation",
    "organisation",
    "organisation_other",
    "position",
    "country",
    "category",
    "dietary_needs",
    "accessibility_needs",
    "interpretation",
    "consent",
]


@pytest.fixture
def scene(settings):
    settings.REGISTRATION_RATE_LIMIT = "100000/h"
    settings.REGISTRATION_ADDRESS_RATE_LIMIT = "100000/h"
    event = EventFactory()
    sessions = SessionFactory.create_batch(2, event=event, capacity=5)
    other_session = SessionFactory()
    organisation = OrganisationFactory()
    valid = {
        "honorific": "dr",
        "given_name": "Somchai",
        "family_name": "Prasert",
        "name_ja": "",
        "email": "somchai@example.org",
        "email_confirmation": "somchai@example.org",
        "organisation": str(organisation.pk),
        "organisation_other": "",
        "position": "Police Colonel",
        "country": "TH",
        "category": "government",
        "dietary_needs": "Halal",
        "accessibility_needs": "",
        "interpretation": "none",
        "consent": "on",
    }
    session_choices = [str(s.pk) for s in sessions] + [str(other_session.pk)]
    return event, valid, session_choices


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_post_is_answered_without_a_server_error(client, scene, data):
    event, valid, session_choices = scene
    post = {}
    for name in FIELDS:
        # Each field is mostly valid, sometimes left out or arbitrary text, so
        # that both accepted and refused submissions come up often.
        choice = data.draw(
            st.sampled_from(["valid"] * 12 + ["missing", "random"]), label=name
        )
        if choice == "valid":
            post[name] = valid[name]
        elif choice == "random":
            post[name] = data.draw(any_text, label=name)
    odd_ids = st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.just("\x00"),
        st.just("1\x00"),
    )
    post["sessions"] = data.draw(
        st.lists(
            st.one_of(st.sampled_from(session_choices), any_text, odd_ids), max_size=3
        ),
        label="sessions",
    )
    if data.draw(st.booleans(), label="odd organisation id"):
        post["organisation"] = data.draw(odd_ids, label="organisation id")
    post["website"] = data.draw(st.sampled_from(["", "", "", "http://spam"]))

    url = f"/en/events/{event.slug}/register/"
    response = client.post(url, post)

    assert response.status_code in (200, 302), response.status_code
    form = RegistrationForm(post, event=event)
    should_save = form.is_valid() and not post["website"]
    assert Registration.objects.count() == (1 if should_save else 0)
    event_kind = "saved" if should_save else "refused"
    hypothesis.event(event_kind)
    if should_save:
        assert response.status_code == 302
    Registration.objects.all().delete()


# Every POST address of the site, and what a script may send to it: any body,
# in any charset, as any content type, with or without a real-looking CSRF
# cookie and token.
CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=fuzz",
    "multipart/form-data",
    "text/plain",
    "application/json",
    "",
]
CHARSETS = [
    None,
    "utf-8",
    "UTF-8",
    "latin-1",
    "utf-16",
    "utf-32",
    "shift_jis",
    "cp1252",
    "euc-jp",
    "x-no-such-charset",
    "",
]
ENCODINGS = ["utf-8", "latin-1", "utf-16", "shift_jis", "cp1252"]
CSRF_VALUE = "Fz" * 16


def urlencoded(fields: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(fields, doseq=True)


def multipart(fields: dict) -> str:
    parts = [
        f'--fuzz\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, values in fields.items()
        for value in (values if isinstance(values, list) else [values])
    ]
    return "".join(parts) + "--fuzz--\r\n"


@pytest.fixture
def post_addresses(scene):
    from django.urls import reverse

    from registrations import services
    from tests.factories import RegistrationFactory, StaffUserFactory

    event, valid, _session_choices = scene
    token = {"token": RegistrationFactory(event=event).token}
    delegation = services.delegation_create(
        event=event,
        invite=services.DelegationInvite(
            organisation=OrganisationFactory(),
            seat_quota=50,
            focal_point_name="Focal Point",
            focal_point_email="focal@example.org",
        ),
        by=StaffUserFactory(),
        send=False,
    )
    portal = {"token": delegation.portal_token}
    invitation = services.invitation_create(
        event=event,
        email="guest@example.org",
        given_name="Carol",
        family_name="Bellamy",
        by=StaffUserFactory(),
    )
    return valid, [
        f"/en/events/{event.slug}/register/",
        reverse("registrations:private_edit", kwargs=token),
        reverse("registrations:private_cancel", kwargs=token),
        reverse("registrations:portal_nominate", kwargs=portal),
        reverse("registrations:portal_note_verbale", kwargs=portal),
        reverse("registrations:portal_head", kwargs=portal),
        reverse("registrations:portal_decline", kwargs=portal),
        reverse("registrations:invitation", kwargs={"token": invitation.token}),
        reverse("set_language"),
        reverse("admin:login"),
        reverse("healthz"),
    ]


@settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_body_charset_and_content_type_is_answered_without_a_server_error(
    post_addresses, data
):
    from django.test import Client

    valid, addresses = post_addresses
    url = data.draw(st.sampled_from(addresses), label="url")
    fields = {}
    for name in [*FIELDS, "username", "password", "language", "next"]:
        choice = data.draw(st.sampled_from(["valid"] * 6 + ["missing", "random"]))
        if choice == "valid":
            fields[name] = valid.get(name, "ja" if name == "language" else "x")
        elif choice == "random":
            fields[name] = data.draw(any_text, label=name)
    with_csrf = data.draw(st.booleans(), label="csrf cookie")
    if with_csrf:
        fields["csrfmiddlewaretoken"] = CSRF_VALUE
    content_type = data.draw(st.sampled_from(CONTENT_TYPES), label="content type")
    charset = data.draw(st.sampled_from(CHARSETS), label="charset")
    if charset is not None:
        content_type += f"; charset={charset}"
    shape = data.draw(st.sampled_from(["form", "multipart", "bytes"]), label="body")
    if shape == "bytes":
        body = data.draw(st.binary(max_size=400), label="bytes")
    else:
        text = urlencoded(fields) if shape == "form" else multipart(fields)
        encoding = data.draw(st.sampled_from(ENCODINGS), label="encoding")
        body = text.encode(encoding, errors="replace")

    client = Client(enforce_csrf_checks=with_csrf)
    if with_csrf:
        client.cookies["csrftoken"] = CSRF_VALUE
    response = client.generic("POST", url, body, content_type=content_type)

    assert response.status_code < 500, (url, content_type, response.status_code)
    hypothesis.event(f"{response.status_code}")
