"""The health check a load balancer polls, also the load benchmark's baseline.

These tests have no database: pytest-django refuses any query they would make.
"""

import pytest


def test_the_health_check_answers_ok_without_touching_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_health_check_has_one_address_in_every_language(client, language):
    response = client.get("/healthz", headers={"accept-language": language})
    assert response.status_code == 200


def test_the_health_check_only_reads(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
