"""The health checks: which dependency is down, in words and in a status code.

``/healthz`` is what a load balancer polls: 200 while the site can serve, even
with Redis or the mail away, 503 without the database. ``/healthz/live`` asks
nothing of anything else; it is also the load benchmark's baseline.
"""

import datetime
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.utils import timezone

from registrations.models import OutgoingEmail
from symposium.env import cache_settings
from tests.factories import OutgoingEmailFactory
from tests.test_redis_down import closed_port

State = OutgoingEmail.State


def lines(response) -> list[str]:
    return response.content.decode().splitlines()


def test_the_liveness_check_answers_without_touching_the_database(client):
    response = client.get("/healthz/live")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies


@pytest.mark.django_db
def test_all_well_is_ok_with_a_line_per_dependency(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-cache" in response["Cache-Control"]
    assert lines(response) == [
        "ok",
        "database: ok: answers",
        "cache: ok: in each process's memory (no REDIS_URL)",
        "mail: ok: 0 queued, 0 waiting to retry, 0 failed",
    ]


@pytest.mark.django_db
def test_without_redis_the_site_is_degraded_but_serving(client):
    port = closed_port()
    with override_settings(**cache_settings(f"redis://127.0.0.1:{port}/0")):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert lines(response)[0] == "degraded"
    cache_line = lines(response)[2]
    assert cache_line.startswith(
        f"cache: degraded: Redis at 127.0.0.1:{port}/0 does not answer"
    )
    assert "serving without it" in cache_line


def test_without_the_database_the_server_is_down(client):
    broken = mock.Mock()
    broken.cursor.side_effect = OperationalError("could not connect to server")
    with mock.patch("symposium.views.connection", broken):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert lines(response)[:2] == [
        "down",
        "database: down: does not answer "
        "(OperationalError: could not connect to server)",
    ]
    assert lines(response)[3].startswith("mail: down: not known")


@pytest.mark.django_db
def test_mail_the_server_refuses_is_reported(client):
    OutgoingEmailFactory(
        state=State.RETRYING,
        attempts=2,
        next_attempt_at=timezone.now() + datetime.timedelta(minutes=2),
    )
    response = client.get("/healthz")
    assert response.status_code == 200
    assert lines(response)[0] == "degraded"
    assert lines(response)[3] == (
        "mail: degraded: the mail server refused or did not answer "
        "(0 queued, 1 waiting to retry, 0 failed)"
    )


@pytest.mark.django_db
def test_mail_left_waiting_by_a_stopped_worker_is_reported(client):
    OutgoingEmailFactory(next_attempt_at=timezone.now() - datetime.timedelta(hours=1))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert lines(response)[3] == (
        "mail: degraded: 1 overdue, the oldest by 60 min: is the mail worker "
        "running? (1 queued, 0 waiting to retry, 0 failed)"
    )


@pytest.mark.django_db
def test_failed_emails_are_counted_without_degrading(client):
    OutgoingEmailFactory(state=State.FAILED, next_attempt_at=None)
    response = client.get("/healthz")
    assert lines(response)[0] == "ok"
    assert lines(response)[3] == "mail: ok: 0 queued, 0 waiting to retry, 1 failed"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_health_checks_have_one_address_in_every_language(client, language):
    for url in ("/healthz", "/healthz/live"):
        response = client.get(url, headers={"accept-language": language})
        assert response.status_code == 200


@pytest.mark.django_db
def test_the_health_checks_only_read(client):
    for url in ("/healthz", "/healthz/live"):
        assert client.head(url).status_code == 200
        assert client.post(url).status_code == 405
