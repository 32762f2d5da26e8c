"""Without Redis the site keeps serving: no cache, sessions from the database.

Redis is pointed at a port where nothing listens, as when it has stopped. The
rate limits and the sign-in lockouts go on counting, in each process's memory;
``symposium.cache`` explains the choice.
"""

import logging
import socket
import uuid
from unittest import mock

import pytest
import redis
from django.conf import settings
from django.core.cache import caches
from django.test import Client, override_settings
from django.urls import reverse

from registrations.models import Registration, Session
from symposium import cache as resilient
from symposium.env import cache_settings
from tests.factories import OrganisationFactory, SessionFactory
from tests.test_registration_views import form_data, register_url
from tests.test_security import TEST_REDIS_URL, needs_redis, submit

pytestmark = pytest.mark.django_db
PASSWORD = "a long passphrase nobody guesses"


def closed_port() -> int:
    """Return a port of this machine where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def _no_outage_carried_over():
    resilient._outages.clear()
    yield
    resilient._outages.clear()


def redis_settings(url: str) -> dict:
    # CACHES first, so that django-axes, told of its handler next, binds to it.
    return {
        **cache_settings(url),
        "AXES_HANDLER": "axes.handlers.cache.AxesCacheHandler",
    }


@pytest.fixture
def redis_away():
    """Run the test with Redis configured, at an address that refuses."""
    url = f"redis://127.0.0.1:{closed_port()}/0"
    with override_settings(**redis_settings(url)):
        yield url


@pytest.fixture
def staff_member(settings, django_user_model):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return django_user_model.objects.create_superuser(
        "chief", "chief@mofa.example", PASSWORD
    )


def sign_in(client, password):
    return client.post(
        reverse("admin:login"),
        {"username": "chief", "password": password, "next": "/admin/"},
    )


def test_every_page_delegates_and_staff_use_answers_without_redis(
    client, event, staff_member, redis_away, caplog, django_capture_on_commit_callbacks
):
    answers = {}
    with caplog.at_level(logging.WARNING, logger="symposium.cache"):
        event_url = reverse("registrations:event", kwargs={"slug": event.slug})
        answers["event page"] = client.get(event_url).status_code
        answers["form"] = client.get(register_url(event)).status_code
        with django_capture_on_commit_callbacks(execute=True):
            submitted = client.post(register_url(event), form_data(event))
        answers["submission"] = submitted.status_code
        done = client.get(submitted["Location"])
        answers["done page"] = done.status_code
        registration = Registration.objects.get()
        private = registration.private_path()
        answers["private page"] = client.get(private).status_code

        staff = Client()
        answers["sign-in page"] = staff.get(reverse("admin:login")).status_code
        answers["sign-in"] = sign_in(staff, PASSWORD).status_code
        changelist = reverse("admin:registrations_registration_changelist")
        answers["admin"] = staff.get(changelist).status_code
    assert answers == {
        "event page": 200,
        "form": 200,
        "submission": 302,
        "done page": 200,
        "private page": 200,
        "sign-in page": 200,
        "sign-in": 302,
        "admin": 200,
    }
    assert "hanako.yamada@example.jp" in done.content.decode()
    assert registration.emails.get().state == "sent"
    outage_warnings = [r for r in caplog.records if "does not answer" in r.message]
    assert len(outage_warnings) == 1
    assert redis_away.removeprefix("redis://") in outage_warnings[0].message


def test_without_redis_the_rate_limit_counts_in_the_process(client, event, redis_away):
    # Inside redis_away's settings, so that they are put back in order.
    with override_settings(REGISTRATION_RATE_LIMIT="2/h"):
        statuses = [submit(client, event, n).status_code for n in (1, 2, 3)]
    assert statuses == [302, 302, 429]
    assert Registration.objects.count() == 2


def test_without_redis_a_sent_form_sees_what_other_servers_changed(
    client, event, redis_away
):
    """No version says when another server changes the programme: nothing is kept."""
    organisation = OrganisationFactory()

    def submit(number: int, sessions) -> int:
        email = f"delegate{number}@example.org"
        data = form_data(
            event,
            email=email,
            email_confirmation=email,
            organisation=organisation,
            sessions=[session.pk for session in sessions],
        )
        return client.post(register_url(event), data).status_code

    assert submit(1, []) == 302
    # Added by another server: no signal in this process.
    [added] = Session.objects.bulk_create([SessionFactory.build(event=event)])
    assert submit(2, [added]) == 302
    assert (
        Registration.objects.get(email="delegate2@example.org").sessions.get() == added
    )


def test_without_redis_the_sign_in_lockout_counts_in_the_process(
    staff_member, redis_away
):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "a guess").status_code == 200
    assert sign_in(client, "a guess").status_code == 429
    assert sign_in(client, PASSWORD).status_code == 429


def test_a_redis_that_does_not_answer_is_tried_once_in_a_few_seconds(redis_away):
    cache = caches["default"]
    with mock.patch.object(cache.redis, "get", wraps=cache.redis.get) as asked:
        assert [cache.get("page") for _ in range(20)] == [None] * 20
    assert asked.call_count == 1
    cache.set("page", "kept nowhere")
    assert cache.get("page") is None


@needs_redis
def test_the_cache_uses_redis_again_once_it_answers(caplog):
    prefix = f"test-{uuid.uuid4().hex}"
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "symposium.cache.ResilientRedisCache",
                "LOCATION": TEST_REDIS_URL,
                "KEY_PREFIX": prefix,
                "OPTIONS": {"FALLBACK": "none", "RETRY_SECONDS": 0},
            }
        }
    ):
        cache = caches["default"]
        cache.outage.failed(ConnectionError("stopped a moment ago"), 0)
        with caplog.at_level(logging.WARNING, logger="symposium.cache"):
            cache.set("greeting", "hello")
        assert cache.get("greeting") == "hello"
        assert "answers again" in caplog.text
    connection = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1)
    keys = list(connection.scan_iter(f"{prefix}:*"))
    assert len(keys) == 1
    connection.delete(*keys)
