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
