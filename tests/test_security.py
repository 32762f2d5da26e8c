"""Production security: what an attacker on the public site or the admin meets.

Headers, HTTPS and cookies; nothing inline for the Content-Security-Policy to
block; CSRF; uploads; altered private links; the admin sign-in lockout; and
the shared cache that makes the rate limit and the lockout hold on every
server. Forged links on the delegate's own page are covered in
``test_registration_views.py`` (``test_a_wrong_link_is_a_friendly_404``), the
registration rate limit within one process there too.
"""

import datetime
import json
import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from html.parser import HTMLParser
from unittest import mock

import pytest
import redis
import time_machine
from axes.models import AccessAttempt
from csp.constants import NONE
from csp.decorators import csp_update
from csp.utils import build_policy
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import SESSION_KEY, hashers
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from registrations.models import Registration
from symposium.security import ContentSecurityPolicyMiddleware
from tests.factories import (
    RegistrationFactory,
    SessionFactory,
    SessionSpeakerFactory,
)
from tests.test_registration_views import form_data, register_url
from tests.test_settings import PRODUCTION, PROJECT_ROOT, run_check

pytestmark = pytest.mark.django_db
Status = Registration.Status

HTTPS_AND_COOKIE_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "LANGUAGE_COOKIE_SECURE",
    "LANGUAGE_COOKIE_HTTPONLY",
    "LANGUAGE_COOKIE_SAMESITE",
    "SESSION_COOKIE_AGE",
]


def production_values(names: list[str], **environment: str) -> dict:
    """Return settings as the production environment sets them, read afresh."""
    code = (
        "import json, sys\n"
        "from django.conf import settings\n"
        "print(json.dumps({n: getattr(settings, n) for n in sys.argv[1:]}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *names],
        cwd=PROJECT_ROOT,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "symposium.settings",
            **PRODUCTION,
            **environment,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def production_https_and_cookies():
    return production_values(HTTPS_AND_COOKIE_SETTINGS)


@pytest.fixture
def in_production(settings, production_https_and_cookies):
    """Run the test with the HTTPS and cookie settings production gets."""
    for name, value in production_https_and_cookies.items():
        setattr(settings, name, value)
    return settings


def policy(response) -> dict[str, list[str]]:
    """Return the response's Content-Security-Policy as directive -> sources."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


class InlineCodeFinder(HTMLParser):
    """Collect what a strict Content-Security-Policy would block in a page."""

    def __init__(self):
        super().__init__()
        self.blocked = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes:
            self.blocked.append(f"inline <script> {attributes}")
        if tag == "style":
            self.blocked.append("<style> element")
        for name, value in attributes.items():
            if name.startswith("on") or name == "style":
                self.blocked.append(f"<{tag} {name}={value!r}>")
            if (value or "").strip().lower().startswith("javascript:"):
                self.blocked.append(f"<{tag} {name}={value!r}>")


def blocked_by_policy(response) -> list[str]:
    return inline_code(response.content.decode())


def inline_code(page: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(page)
    return finder.blocked


# Headers


def test_production_settings_force_https_and_protect_the_cookies(
    production_https_and_cookies,
):
    values = production_https_and_cookies
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is True
    for cookie in ("SESSION", "CSRF", "LANGUAGE"):
        assert values[f"{cookie}_COOKIE_SECURE"] is True
        assert values[f"{cookie}_COOKIE_HTTPONLY"] is True
    assert values["LANGUAGE_COOKIE_SAMESITE"] == "Lax"
    # A working day, not Django's two weeks.
    assert values["SESSION_COOKIE_AGE"] <= 12 * 3600


@pytest.mark.parametrize("page", ["event", "admin login"])
def test_pages_send_the_security_headers(client, event, page):
    url = {
        "event": reverse("registrations:event", kwargs={"slug": event.slug}),
        "admin login": reverse("admin:login"),
    }[page]
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Content-Security-Policy" in response
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions


def test_the_content_security_policy_allows_no_inline_script_and_no_framing(
    client, event
):
    directives = policy(client.get(register_url(event)))
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    every_source = {source for sources in directives.values() for source in sources}
    assert not every_source & {"'unsafe-inline'", "'unsafe-eval'", "*"}


def test_production_redirects_http_to_https_and_sends_hsts(
    client, event, in_production
):
    url = reverse("registrations:event", kwargs={"slug": event.slug})
    plain = client.get(url)
    assert plain.status_code == 301
    assert plain["Location"] == f"https://testserver{url}"

    secure = client.get(url, secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == (
        f"max-age={in_production.SECURE_HSTS_SECONDS}; includeSubDomains; preload"
    )


def test_production_cookies_are_secure_and_hidden_from_scripts(
    client, event, in_production
):
    client.get(register_url(event), secure=True)
    client.post(register_url(event), form_data(event), secure=True)
    client.post(
        reverse("registrations:lost_link", kwargs={"slug": event.slug}),
        {"email": "hanako.yamada@example.jp"},
        secure=True,
    )
    client.post(reverse("set_language"), {"language": "ja"}, secure=True)
    for name in ("csrftoken", "registration_done", "sessionid", "django_language"):
        cookie = client.cookies[name]
        assert cookie["secure"] is True, name
        assert cookie["httponly"] is True, name
        assert cookie["samesite"] == "Lax", name


# Nothing inline that the policy would block


@pytest.fixture
def programme(event):
    session = SessionFactory(event=event, capacity=10)
    SessionSpeakerFactory(session=session)
    return RegistrationFactory(event=event, sessions=[session])


@pytest.mark.parametrize(
    "page", ["home", "register", "registered", "private", "edit", "cancel", "404"]
)
def test_public_pages_have_no_inline_script_or_style(client, programme, page):
    registration = programme
    event = registration.event
    token = {"token": registration.token}
    url = {
        "home": reverse("registrations:home"),
        "register": register_url(event),
        "registered": reverse("registrations:registered", kwargs={"slug": event.slug}),
        "private": registration.private_path(),
        "edit": reverse("registrations:private_edit", kwargs=token),
        "cancel": reverse("registrations:private_cancel", kwargs=token),
        "404": reverse("registrations:private", kwargs={"token": "x" * 43}),
    }[page]
    response = client.get(url)
    assert response.status_code == (404 if page == "404" else 200)
    assert blocked_by_policy(response) == []


def test_admin_pages_have_no_inline_script_or_style(client, superuser, programme):
    client.force_login(superuser)
    assert blocked_by_policy(client.get(reverse("admin:index"))) == []
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        changelist = client.get(reverse(f"{prefix}_changelist"))
        assert changelist.status_code == 200, prefix
        assert blocked_by_policy(changelist) == [], prefix
        pages = [reverse(f"{prefix}_add")]
        first = model._default_manager.first()
        if first is not None:
            pages.append(reverse(f"{prefix}_change", args=[first.pk]))
        for url in pages:
            response = client.get(url)
            if response.status_code == 200:
                assert blocked_by_policy(response) == [], url


def test_the_admin_login_page_has_no_inline_script_or_style(client):
    assert blocked_by_policy(client.get(reverse("admin:login"))) == []


def test_the_server_error_page_has_no_inline_script_or_style():
    assert inline_code(render_to_string("500.html")) == []


# CSRF


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def test_the_registration_form_needs_its_csrf_token(csrf_client, event):
    refused = csrf_client.post(register_url(event), form_data(event))
    assert refused.status_code == 403
    assert "Please go back, reload the page" in refused.content.decode()
    assert blocked_by_policy(refused) == []
    assert not Registration.objects.exists()

    csrf_client.get(register_url(event))
    token = csrf_client.cookies["csrftoken"].value
    accepted = csrf_client.post(
        register_url(event), {**form_data(event), "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 302
    assert Registration.objects.count() == 1


def test_the_private_link_forms_need_their_csrf_token(csrf_client, event):
    registration = RegistrationFactory(event=event, position="Counsellor")
    assert try_to_edit_and_cancel(csrf_client, registration.token) == (403, 403)
    registration.refresh_from_db()
    assert (registration.status, registration.position) == (
        Status.PENDING,
        "Counsellor",
    )


def test_an_admin_action_needs_its_csrf_token(csrf_client, superuser):
    registration = RegistrationFactory()
    csrf_client.force_login(superuser)
    response = csrf_client.post(
        reverse("admin:registrations_registration_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [registration.pk],
            "post": "yes",
        },
    )
    assert response.status_code == 403
    assert Registration.objects.filter(pk=registration.pk).exists()


# Uploads


def test_a_file_sent_with_the_form_is_refused_and_nothing_saved(client, event):
    document = SimpleUploadedFile("passport.pdf", b"%PDF-1.7 ...", "application/pdf")
    response = client.post(register_url(event), {**form_data(event), "scan": document})
    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_without_a_file_a_multipart_post_still_registers(client, event):
    # The test client sends multipart/form-data, as a browser may do.
    assert client.post(register_url(event), form_data(event)).status_code == 302


# Private links


def try_to_edit_and_cancel(client, token: str) -> tuple[int, int]:
    """Post a change, then a cancellation, through the private link ``token``."""
    kwargs = {"token": token}
    edit = client.post(
        reverse("registrations:private_edit", kwargs=kwargs),
        {"position": "Minister"},
    )
    cancel = client.post(reverse("registrations:private_cancel", kwargs=kwargs))
    return edit.status_code, cancel.status_code


def near_misses(token: str) -> list[str]:
    """Return links one could make from a real one: other case, one character off."""
    last = "B" if token[-1] != "B" else "C"
    return [token.swapcase(), token[:-1] + last, token[:-1]]


def test_a_link_altered_from_a_real_one_or_forged_is_a_404_everywhere(client, event):
    registration = RegistrationFactory(event=event, position="Counsellor")
    for token in [*near_misses(registration.token), "A" * 43]:
        for name in ("private", "private_edit", "private_cancel"):
            url = reverse(f"registrations:{name}", kwargs={"token": token})
            assert client.get(url).status_code == 404, (name, token)
        assert try_to_edit_and_cancel(client, token) == (404, 404), token
    registration.refresh_from_db()
    assert (registration.status, registration.position) == (
        Status.PENDING,
        "Counsellor",
    )


# Admin sign-in

ADMIN_PASSWORD = "a long passphrase nobody guesses"


@pytest.fixture
def chief(settings, django_user_model):
    """Return an administrator with a fast hasher, as these tests sign in often."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return django_user_model.objects.create_superuser(
        "chief", "chief@mofa.example", ADMIN_PASSWORD
    )


def sign_in(client, password, *, username="chief", address="127.0.0.1"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def lock_out(client, **identity):
    """Fail to sign in as often as the limit allows; return the last answer."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "a guess", **identity).status_code == 200
    return sign_in(client, "a guess", **identity)


def test_repeated_failed_sign_ins_lock_the_admin_out_until_the_cool_off_ends(
    client, chief
):
    cool_off = settings.AXES_COOLOFF_TIME
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert lock_out(client).status_code == 429
        refused = sign_in(client, ADMIN_PASSWORD)
        assert refused.status_code == 429
        assert SESSION_KEY not in client.session

        clock.shift(cool_off + datetime.timedelta(seconds=1))
        assert sign_in(client, ADMIN_PASSWORD).status_code == 302
        assert client.session[SESSION_KEY] == str(chief.pk)


def test_each_attempt_during_the_lockout_starts_the_wait_again(client, chief):
    cool_off = settings.AXES_COOLOFF_TIME
    minute = datetime.timedelta(minutes=1)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        lock_out(client)
        clock.shift(cool_off - minute)
        assert sign_in(client, ADMIN_PASSWORD).status_code == 429
        clock.shift(2 * minute)
        assert sign_in(client, ADMIN_PASSWORD).status_code == 429
        clock.shift(cool_off + minute)
        assert sign_in(client, ADMIN_PASSWORD).status_code == 302


def test_the_lockout_page_says_when_to_try_again(client, chief, settings):
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
    ten_in_tokyo = datetime.datetime(2027, 1, 20, 1, 0, tzinfo=datetime.UTC)
    with time_machine.travel(ten_in_tokyo, tick=False):
        response = lock_out(client)
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    page = response.content.decode()
    assert "Please try again after 10:15 JST, in 15 minutes." in page
    assert reverse("admin:login") in page


def test_the_lockout_holds_a_user_name_from_every_address(client, chief):
    lock_out(client, address="203.0.113.9")
    assert sign_in(client, ADMIN_PASSWORD, address="203.0.113.9").status_code == 429
    assert sign_in(client, ADMIN_PASSWORD, address="192.0.2.7").status_code == 429
    # A colleague behind the same address is not locked out by it.
    other_user = sign_in(client, "a guess", username="deputy", address="203.0.113.9")
    assert other_user.status_code == 200


def test_guesses_spread_over_many_addresses_still_lock_the_user_name(client, chief):
    answers = [
        sign_in(client, f"guess {n}", address=f"198.51.100.{n // 4 + 1}").status_code
        for n in range(100)  # 25 addresses, four guesses each
    ]
    assert answers.count(200) == settings.AXES_FAILURE_LIMIT - 1
    assert sign_in(client, ADMIN_PASSWORD, address="192.0.2.200").status_code == 429


def test_an_address_that_tries_many_user_names_is_refused_for_a_while(client, chief):
    cool_off = settings.AXES_COOLOFF_TIME
    with time_machine.travel(timezone.now(), tick=False) as clock:
        answers = [
            sign_in(client, "Winter2027!", username=f"staff{n}").status_code
            for n in range(40)  # one guess at each of 40 names
        ]
        limit = settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
        assert answers[:limit] == [200] * limit
        assert set(answers[limit:]) == {429}
        refused = sign_in(client, ADMIN_PASSWORD)
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) <= cool_off.total_seconds()
        # Another address is not concerned.
        assert sign_in(client, ADMIN_PASSWORD, address="192.0.2.7").status_code == 302
        clock.shift(cool_off + datetime.timedelta(seconds=1))
        client.logout()
        assert sign_in(client, ADMIN_PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_the_failed_attempts(client, chief):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "a guess")
    assert sign_in(client, ADMIN_PASSWORD).status_code == 302
    client.logout()
    assert lock_out(client).status_code == 429


def test_a_locked_out_attempt_is_refused_before_any_password_is_hashed(client, chief):
    with mock.patch.object(hashers, "get_hasher", wraps=hashers.get_hasher) as hashing:
        assert lock_out(client).status_code == 429
    assert hashing.call_count >= settings.AXES_FAILURE_LIMIT

    with mock.patch.object(hashers, "get_hasher", wraps=hashers.get_hasher) as hashing:
        assert sign_in(client, ADMIN_PASSWORD).status_code == 429
    hashing.assert_not_called()


# The shared cache: rate limits and lockouts hold across workers and servers

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
LOCAL_MEMORY = "django.core.cache.backends.locmem.LocMemCache"


def redis_answers() -> bool:
    """Return whether the Redis server the shared-cache tests use answers."""
    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        return False
    return True


# On a laptop without Redis these tests are skipped; CI sets
# CI_REQUIRE_SERVICES, so there they run, and fail if Redis does not answer.
needs_redis = pytest.mark.skipif(
    not os.environ.get("CI_REQUIRE_SERVICES") and not redis_answers(),
    reason=f"needs Redis at {TEST_REDIS_URL} (TEST_REDIS_URL); CI runs these tests",
)


@pytest.fixture
def shared_redis():
    """Return cache settings on Redis, under a key prefix of this test's own."""
    if not redis_answers():
        pytest.fail(f"Redis does not answer at {TEST_REDIS_URL}")
    connection = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1)
    prefix = f"test-{uuid.uuid4().hex}"
    yield {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": TEST_REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    for key in connection.scan_iter(f"{prefix}:*"):
        connection.delete(key)


def local_memory(process: str) -> dict:
    """Return cache settings for memory of one process only."""
    return {"default": {"BACKEND": LOCAL_MEMORY, "LOCATION": process}}


@contextmanager
def worker(caches: dict, **more_settings):
    """Serve requests as another worker would: with its own cache connection."""
    # Changing CACHES drops every open cache connection; CACHES comes first so
    # that axes, told of AXES_HANDLER next, binds to the new cache.
    with override_settings(CACHES=caches, **more_settings):
        yield Client()


def submit(client, event, number: int):
    email = f"delegate{number}@example.org"
    return client.post(
        register_url(event),
        form_data(event, email=email, email_confirmation=email),
        REMOTE_ADDR="198.51.100.4",
    )


@pytest.mark.parametrize(
    ("redis_url", "cache_backend", "lockout_handler"),
    [
        ("", LOCAL_MEMORY, "axes.handlers.database.AxesDatabaseHandler"),
        (
            "redis://cache.internal:6379/0",
            "symposium.cache.ResilientRedisCache",
            "axes.handlers.cache.AxesCacheHandler",
        ),
    ],
)
def test_redis_url_gives_the_shared_cache_and_the_lockout_store(
    redis_url, cache_backend, lockout_handler
):
    values = production_values(["CACHES", "AXES_HANDLER"], REDIS_URL=redis_url)
    assert values["CACHES"]["default"]["BACKEND"] == cache_backend
    assert values["AXES_HANDLER"] == lockout_handler


def test_check_deploy_is_clean_with_redis_too():
    environment = {**PRODUCTION, "REDIS_URL": "redis://cache.internal:6379/0"}
    result = run_check(environment, "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


@needs_redis
def test_the_rate_limit_holds_across_workers_sharing_redis(
    event, settings, shared_redis
):
    settings.REGISTRATION_RATE_LIMIT = "2/h"
    with worker(shared_redis) as first:
        assert [submit(first, event, n).status_code for n in (1, 2)] == [302, 302]
    with worker(shared_redis) as second:
        assert submit(second, event, 3).status_code == 429
    assert Registration.objects.count() == 2


def test_without_redis_the_rate_limit_holds_within_each_process(event, settings):
    settings.REGISTRATION_RATE_LIMIT = "2/h"
    with worker(local_memory("process-a")) as first:
        statuses = [submit(first, event, n).status_code for n in (1, 2, 3)]
        assert statuses == [302, 302, 429]
    with worker(local_memory("process-b")) as second:
        assert submit(second, event, 4).status_code == 302


@needs_redis
def test_with_redis_an_admin_lockout_holds_on_every_server(chief, shared_redis):
    redis_lockouts = {"AXES_HANDLER": "axes.handlers.cache.AxesCacheHandler"}
    with worker(shared_redis, **redis_lockouts) as first:
        assert lock_out(first).status_code == 429
    with worker(shared_redis, **redis_lockouts) as second:
        assert sign_in(second, ADMIN_PASSWORD).status_code == 429
        assert cache.keys("axes-*"), "the count is kept in Redis"
    assert not AccessAttempt.objects.exists()


def test_the_policy_built_once_is_the_settings_and_a_view_may_still_change_it(rf):
    def page(request):
        return HttpResponse("page")

    @csp_update({"img-src": ["https://tiles.example"]})
    def page_with_a_map(request):
        return HttpResponse("map")

    with override_settings(
        CONTENT_SECURITY_POLICY_REPORT_ONLY={
            "DIRECTIVES": {"default-src": [NONE]},
            "EXCLUDE_URL_PREFIXES": ["/admin/"],
        }
    ):
        served = ContentSecurityPolicyMiddleware(page)
        first, again = served(rf.get("/en/")), served(rf.get("/en/"))
        admin_page = served(rf.get("/admin/"))
        with_a_map = ContentSecurityPolicyMiddleware(page_with_a_map)(rf.get("/en/"))
    assert first["Content-Security-Policy"] == build_policy()
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert first["Content-Security-Policy-Report-Only"] == "default-src 'none'"
    assert "Content-Security-Policy-Report-Only" not in admin_page
    assert policy(with_a_map)["img-src"] == ["'self'", "data:", "https://tiles.example"]
    assert "tiles.example" not in first["Content-Security-Policy"]
