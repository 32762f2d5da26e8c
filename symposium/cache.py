"""A Redis cache the site can lose: while Redis does not answer, it serves without.

Redis holds the cached public pages, the sessions' cached copies, the rate
limits and the admin sign-in lockouts. When it stops answering, each operation
falls back instead of raising:

- ``FALLBACK: "none"`` (the ``default`` cache): nothing is cached; pages are
  built afresh, sessions are read from the database (``cached_db``).
- ``FALLBACK: "memory"`` (the ``counters`` cache): the rate limits and the
  lockouts are counted in this process's own memory, as they are on a site
  without Redis. They keep working, each process counting on its own, so a
  client can get up to one limit per process until Redis is back; refusing
  every registration, or counting nothing, would be worse.

The registration form's limits are counted by ``count_until_over``: on Redis
one script counts a submission against all its limits in one round trip.

After a failure the process leaves Redis alone for ``RETRY_SECONDS`` (so that
a Redis that hangs costs one socket timeout every few seconds, not one per
operation), then tries it again. The outage is logged once as a warning, with a
reminder every minute while it lasts, and its end once.
"""

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from symposium.env import parse_rate

logger = logging.getLogger(__name__)

UNAVAILABLE = (ConnectionInterrupted, RedisConnectionError, RedisTimeoutError, OSError)
REMINDER_SECONDS = 60


def server_name(location: str) -> str:
    """Return where Redis is, without the password a URL may carry."""
    parts = urlsplit(location)
    return f"{parts.hostname}:{parts.port or 6379}{parts.path or '/0'}"


class Outage:
    """Whether one Redis server is taken to be away, shared by this process."""

    def __init__(self, name: str):
        self.name = name
        self.lock = threading.Lock()
        self.retry_at = 0.0
        self.began_at: float | None = None
        self.reminded_at = 0.0

    def should_try(self) -> bool:
        return time.monotonic() >= self.retry_at

    def failed(self, error: BaseException, retry_seconds: float) -> None:
        now = time.monotonic()
        with self.lock:
            self.retry_at = now + retry_seconds
            if self.began_at is None:
                self.began_at = self.reminded_at = now
                logger.warning(
                    "Redis at %s does not answer (%s: %s). Serving without it: "
                    "pages are built afresh, sessions are read from the database, "
                    "rate limits and sign-in lockouts are counted by each process "
                    "on its own. Trying again every %s s.",
                    self.name,
                    type(error).__name__,
                    error,
                    retry_seconds,
                )
            elif now - self.reminded_at >= REMINDER_SECONDS:
                self.reminded_at = now
                logger.warning(
                    "Redis at %s still does not answer, for %d s now (%s).",
                    self.name,
                    now - self.began_at,
                    type(error).__name__,
                )

    def answered(self) -> None:
        if self.began_at is None:
            return
        with self.lock:
            if self.began_at is not None:
                logger.warning(
                    "Redis at %s answers again after %d s; the shared cache is back.",
                    self.name,
                    time.monotonic() - self.began_at,
                )
                self.began_at = None


_outages: dict[str, Outage] = {}
_outages_lock = threading.Lock()


def outage_for(location: str) -> Outage:
    name = server_name(location)
    with _outages_lock:
        return _outages.setdefault(name, Outage(name))


class ResilientRedisCache(BaseCache):
    """django-redis's cache, with a fallback for the moments Redis is away."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        fallback = options.pop("FALLBACK", "none")
        self.retry_seconds = float(options.pop("RETRY_SECONDS", 5))
        super().__init__(params)
        location = server if isinstance(server, str) else server[0]
        self.location = location.split(",")[0]
        self.outage = outage_for(self.location)
        self.redis = RedisCache(server, {**params, "OPTIONS": options})
        self._count_script = None
        self._scripts_refused = False
        plain = {key: value for key, value in params.items() if key != "OPTIONS"}
        if fallback == "memory":
            # One store per Redis server and prefix, shared by this process's
            # threads, as a LocMemCache of the same name is.
            self.fallback = LocMemCache(
                f"redis-fallback:{self.outage.name}:{params.get('KEY_PREFIX', '')}",
                plain,
            )
        elif fallback == "none":
            self.fallback = DummyCache(location, plain)
        else:
            raise ValueError(f"FALLBACK must be 'none' or 'memory', not {fallback!r}")

    def _run(self, operation: str, *args, **kwargs):
        return self._either(
            lambda: getattr(self.redis, operation)(*args, **kwargs),
            lambda: getattr(self.fallback, operation)(*args, **kwargs),
        )

    def _either(self, in_redis: Callable, in_fallback: Callable):
        if self.outage.should_try():
            try:
                result = in_redis()
            except UNAVAILABLE as error:
                self.outage.failed(error, self.retry_seconds)
            else:
                self.outage.answered()
                return result
        return in_fallback()

    def count_until_over(self, counters: Sequence["Counter"]) -> int | None:
        """``count_until_over`` in one round trip to Redis (a script)."""
        return self._either(
            lambda: self._count_in_redis(counters),
            lambda: count_until_over(self.fallback, counters),
        )

    def _count_in_redis(self, counters: Sequence["Counter"]) -> int | None:
        if self._scripts_refused:
            return count_until_over(self.redis, counters)
        client = self.redis.client.get_client(write=True)
        if self._count_script is None:
            # Sent by its digest, and again in full if the server lacks it.
            self._count_script = client.register_script(COUNT_SCRIPT)
        keys = [self.redis.client.make_key(counter.key) for counter in counters]
        limits = [
            number
            for counter in counters
            for number in (counter.limit, counter.seconds)
        ]
        try:
            over = self._count_script(keys=keys, args=limits, client=client)
        except ResponseError as error:
            # Some managed Redis servers refuse scripts: a few calls a count.
            logger.warning(
                "Redis at %s refuses the counting script (%s); counting with "
                "one call at a time instead.",
                self.outage.name,
                error,
            )
            self._scripts_refused = True
            return count_until_over(self.redis, counters)
        return over - 1 if over else None

    def ping(self) -> str | None:
        """Ask Redis itself, past the fallback; return what is wrong, or None."""
        try:
            self.redis.client.get_client().ping()
        except UNAVAILABLE as error:
            self.outage.failed(error, self.retry_seconds)
            return f"{type(error).__name__}: {error}"
        self.outage.answered()
        return None

    # Django's cache API, each operation through _run.

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("add", key, value, timeout=timeout, version=version)

    def get(self, key, default=None, version=None):
        return self._run("get", key, default=default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("set", key, value, timeout=timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("touch", key, timeout=timeout, version=version)

    def delete(self, key, version=None):
        return self._run("delete", key, version=version)

    def get_many(self, keys, version=None):
        return self._run("get_many", keys, version=version)

    def has_key(self, key, version=None):
        return self._run("has_key", key, version=version)

    def incr(self, key, delta=1, version=None):
        return self._run("incr", key, delta=delta, version=version)

    def decr(self, key, delta=1, version=None):
        return self._run("decr", key, delta=delta, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("set_many", data, timeout=timeout, version=version)

    def delete_many(self, keys, version=None):
        return self._run("delete_many", keys, version=version)

    def clear(self):
        return self._run("clear")

    def close(self, **kwargs):
        self.redis.close(**kwargs)
        self.fallback.close(**kwargs)


# Counting against limits (the registration form's)


@dataclass(frozen=True)
class Counter:
    """One count against a limit: ``limit`` counts in ``seconds`` from the first."""

    key: str
    limit: int
    seconds: int

    @classmethod
    def of(cls, name: str, value: str, rate: str) -> "Counter":
        """Return the counter of ``value`` (an address, say) for ``rate``.

        ``rate`` is written as django-ratelimit's are: "10/h", "5/15m".
        """
        limit, seconds = parse_rate(rate)
        digest = hashlib.sha256(value.encode()).hexdigest()
        return cls(f"count:{name}:{limit}/{seconds}s:{digest}", limit, seconds)


# Each counter in turn: one more, its time starting at the first; the first
# over its limit stops the count (those after it are left as they are).
COUNT_SCRIPT = """
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then
    redis.call('EXPIRE', key, ARGV[2 * i])
  end
  if count > tonumber(ARGV[2 * i - 1]) then
    return i
  end
end
return 0
"""


def count_until_over(cache: BaseCache, counters: Sequence[Counter]) -> int | None:
    """Count one more on each counter in turn; return the first one over, if any.

    Its index; the counters after it are not counted. On Redis the whole count
    is one round trip, elsewhere a few calls a counter.
    """
    if isinstance(cache, ResilientRedisCache):
        return cache.count_until_over(counters)
    for index, counter in enumerate(counters):
        if cache.add(counter.key, 1, counter.seconds):
            count = 1
        else:
            try:
                count = cache.incr(counter.key)
            except ValueError:
                # Gone since the add: its time is up, and this count starts anew.
                cache.add(counter.key, 1, counter.seconds)
                count = 1
        if count > counter.limit:
            return index
    return None
