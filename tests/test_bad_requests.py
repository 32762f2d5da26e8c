"""Requests an outsider can send on purpose: each gets a 4xx, never a server error."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from registrations.models import Registration
from symposium.env import read_meta_key
from symposium.security import client_ip, parse_address
from tests.factories import RegistrationFactory
from tests.test_registration_views import form_data, register_url

pytestmark = pytest.mark.django_db

# What a browser never sends but a script may: any charset but UTF-8.
CHARSETS = ["latin-1", "utf-16", "shift_jis", "cp1252", "euc-jp", "iso-8859-15"]


@pytest.fixture
def post_urls(event):
    registration = RegistrationFactory(event=event)
    token = {"token": registration.token}
    return [
        register_url(event),
        reverse("registrations:private_edit", kwargs=token),
        reverse("registrations:private_cancel", kwargs=token),
        reverse("set_language"),
        reverse("admin:login"),
        reverse("healthz"),
    ]


def hostile_client() -> Client:
    """Return a client whose CSRF cookie looks real, as a script can make it."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.cookies["csrftoken"] = "A" * 32
    return client


@pytest.mark.parametrize("charset", CHARSETS)
def test_a_post_in_another_charset_is_a_bad_request_with_one_short_log_line(
    post_urls, charset, caplog, settings
):
    settings.DEBUG = False
    client = hostile_client()
    body = "given_name=Hanako&csrfmiddlewaretoken=" + "A" * 32
    for url in post_urls:
        caplog.clear()
        with caplog.at_level(logging.INFO):
            response = client.generic(
                "POST",
                url,
                body.encode("utf-16" if charset == "utf-16" else "latin-1"),
                content_type=f"application/x-www-form-urlencoded; charset={charset}",
            )
        assert response.status_code == 400, (url, charset)
        [record] = caplog.records
        assert record.levelno == logging.WARNING
        assert record.exc_info is None
        assert len(record.getMessage()) < 300


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data; boundary=x; charset=utf-16",
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "application/x-www-form-urlencoded; charset=x-no-such-charset",
    ],
)
def test_an_unreadable_form_body_is_a_bad_request(post_urls, content_type, settings):
    settings.DEBUG = False
    client = hostile_client()
    for url in post_urls:
        response = client.generic(
            "POST", url, b"--x\r\nbroken\xff\xfe", content_type=content_type
        )
        assert response.status_code in (400, 403), (url, content_type)


# The client's address behind a proxy


def test_the_proxy_header_is_read_in_either_spelling():
    assert (
        read_meta_key(
            {"RATELIMIT_IP_META_KEY": "HTTP_X_REAL_IP"}, "RATELIMIT_IP_META_KEY"
        )
        == "HTTP_X_REAL_IP"
    )
    assert (
        read_meta_key(
            {"RATELIMIT_IP_META_KEY": "X-Forwarded-For"}, "RATELIMIT_IP_META_KEY"
        )
        == "HTTP_X_FORWARDED_FOR"
    )
    assert read_meta_key({}, "RATELIMIT_IP_META_KEY") == "REMOTE_ADDR"


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the proxy's own entry
        ("203.0.113.7:51234", "203.0.113.7"),
        ("[2001:db8::7]:443", "2001:db8::7"),
        ("2001:db8::7", "2001:db8::7"),
        ("", None),
        ("unknown", None),
        ("203.0.113.7, not-an-address", None),
        ("999.1.1.1", None),
    ],
)
def test_a_header_value_gives_the_address_the_proxy_saw_or_none(value, address):
    assert parse_address(value) == address


@pytest.mark.parametrize("header", [None, "", "garbage", "1.2.3.4.5", "::::"])
def test_a_missing_or_malformed_proxy_header_falls_back_to_the_peer_with_a_warning(
    client, event, settings, caplog, header
):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    extra = {} if header is None else {"HTTP_X_REAL_IP": header}
    with caplog.at_level(logging.WARNING, logger="symposium.security"):
        response = client.post(
            register_url(event), form_data(event), REMOTE_ADDR="192.0.2.10", **extra
        )
    assert response.status_code == 302
    assert Registration.objects.count() == 1
    assert "using the peer address" in caplog.text


def test_behind_one_proxy_the_limit_counts_the_client_not_the_proxy(
    rf, event, settings
):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    request = rf.post(
        "/",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.7",
    )
    # The client may write anything before; the proxy appends what it saw.
    assert client_ip(request) == "203.0.113.7"


def test_without_a_proxy_header_the_peer_is_the_client(rf, settings):
    settings.CLIENT_IP_HEADER = "REMOTE_ADDR"
    request = rf.post("/", REMOTE_ADDR="203.0.113.7", HTTP_X_REAL_IP="192.0.2.1")
    assert client_ip(request) == "203.0.113.7"
