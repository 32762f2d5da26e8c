"""The registration form's limits, counted on Redis in one round trip.

``symposium.cache.count_until_over`` counts a submission against each of its
limits in turn (its network's, then its address's) and stops at the first one
passed; on Redis the whole count is one script, elsewhere a few cache calls.
"""

import time
import uuid
from unittest import mock

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings
from redis.commands.core import Script

from symposium.cache import Counter, count_until_over
from symposium.env import cache_settings, parse_rate
from tests.factories import OrganisationFactory
from tests.test_registration_views import form_data, register_url
from tests.test_security import TEST_REDIS_URL, needs_redis


@pytest.fixture
def counters_on_redis():
    """Return the ``counters`` cache as production has it, on the test Redis."""
    prefix = f"test-{uuid.uuid4().hex}"
    on_redis = cache_settings(TEST_REDIS_URL)["CACHES"]
    for cache in on_redis.values():
        cache["KEY_PREFIX"] = prefix
    with override_settings(CACHES=on_redis):
        yield caches["counters"]
    connection = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1)
    for key in connection.scan_iter(f"{prefix}:*"):
        connection.delete(key)


@pytest.fixture
def counters_in_memory():
    memory = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    with override_settings(CACHES={"default": memory, "counters": memory}):
        yield caches["counters"]


@pytest.fixture(
    params=[
        pytest.param("counters_on_redis", marks=needs_redis),
        "counters_in_memory",
    ]
)
def counters(request):
    return request.getfixturevalue(request.param)


def test_a_rate_is_read_as_django_ratelimit_writes_it():
    assert parse_rate("10/h") == (10, 3600)
    assert parse_rate("3/d") == (3, 86_400)
    assert parse_rate("5/15m") == (5, 900)
    assert parse_rate(" 1/s ") == (1, 1)
    # As django-ratelimit reads them too: any case, a word, no unit (seconds).
    assert parse_rate("10/H") == parse_rate("10/hour") == (10, 3600)
    assert parse_rate("100/60") == (100, 60)
    for wrong in ("10", "10/", "/h", "ten/h", "10/0x", "10 an hour"):
        with pytest.raises(ValueError, match="is not a rate such as 10/h"):
            parse_rate(wrong)
    with pytest.raises(ValueError, match="counts over no time at all"):
        parse_rate("10/0h")


def test_the_count_stops_at_the_first_limit_passed(counters):
    network = Counter.of("network", "192.0.2.1", "2/h")
    address = Counter.of("address", "hanako@example.jp", "3/h")
    answers = [count_until_over(counters, [network, address]) for _ in range(3)]
    assert answers == [None, None, 0]
    # The third was refused for its network: its address was not counted.
    assert count_until_over(counters, [address]) is None
    assert count_until_over(counters, [address]) == 0


def test_each_value_has_its_own_count(counters):
    first = Counter.of("address", "hanako@example.jp", "1/h")
    second = Counter.of("address", "taro@example.jp", "1/h")
    assert count_until_over(counters, [first]) is None
    assert count_until_over(counters, [second]) is None
    assert count_until_over(counters, [first]) == 0


def test_a_count_starts_again_when_its_time_is_up(counters):
    counter = Counter.of("network", "192.0.2.1", "1/s")
    assert count_until_over(counters, [counter]) is None
    assert count_until_over(counters, [counter]) == 0
    time.sleep(1.5)
    assert count_until_over(counters, [counter]) is None


@needs_redis
def test_a_redis_that_lost_the_script_is_sent_it_again(counters_on_redis):
    counter = Counter.of("network", "192.0.2.1", "1/h")
    assert count_until_over(counters_on_redis, [counter]) is None
    # As after Redis restarts: it knows no script any more.
    redis.Redis.from_url(TEST_REDIS_URL).script_flush()
    assert count_until_over(counters_on_redis, [counter]) == 0


@pytest.mark.django_db
def test_a_form_refused_for_its_network_leaves_its_address_emails(
    client, event, settings
):
    settings.REGISTRATION_RATE_LIMIT = "1/h"
    settings.REGISTRATION_ADDRESS_RATE_LIMIT = "1/h"
    organisation = OrganisationFactory()
    first = form_data(
        event,
        email="a@example.org",
        email_confirmation="a@example.org",
        organisation=organisation,
    )
    again = form_data(
        event,
        email="b@example.org",
        email_confirmation="b@example.org",
        organisation=organisation,
    )
    url = register_url(event)
    assert client.post(url, first, REMOTE_ADDR="192.0.2.1").status_code == 302
    assert client.post(url, again, REMOTE_ADDR="192.0.2.1").status_code == 429
    # From another network the same address still gets its one email.
    assert client.post(url, again, REMOTE_ADDR="198.51.100.9").status_code == 302
    assert client.post(url, again, REMOTE_ADDR="203.0.113.5").status_code == 429


@needs_redis
def test_a_redis_that_refuses_scripts_still_counts(counters_on_redis, caplog):
    counter = Counter.of("network", "192.0.2.1", "1/h")
    refused = redis.exceptions.ResponseError("NOPERM this user cannot run scripts")
    with mock.patch.object(Script, "__call__", side_effect=refused):
        assert count_until_over(counters_on_redis, [counter]) is None
        assert count_until_over(counters_on_redis, [counter]) == 0
    assert "refuses the counting script" in caplog.text


@pytest.mark.django_db
def test_ipv6_clients_are_counted_by_their_network(client, event, settings):
    settings.REGISTRATION_RATE_LIMIT = "1/h"
    organisation = OrganisationFactory()
    url = register_url(event)

    def submit(number: int, address: str) -> int:
        email = f"v6-{number}@example.org"
        data = form_data(
            event, email=email, email_confirmation=email, organisation=organisation
        )
        return client.post(url, data, REMOTE_ADDR=address).status_code

    assert submit(1, "2001:db8:1:2::1") == 302
    # Another address of the same /64: one host can have them all.
    assert submit(2, "2001:db8:1:2:ffff:ffff:ffff:ffff") == 429
    assert submit(3, "2001:db8:1:3::1") == 302
