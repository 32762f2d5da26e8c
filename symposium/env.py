"""Read configuration from the environment, refusing bad values with a clear message.

Every reader takes the environment mapping explicitly so that tests can pass their
own dictionary instead of patching ``os.environ``.
"""

import re
from collections.abc import Mapping
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import dotenv_values

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})

# Django refuses to start with a key it generated for development only.
INSECURE_KEY_PREFIX = "django-insecure-"
MINIMUM_SECRET_KEY_LENGTH = 50

SQLITE_EXAMPLE = "sqlite:///db.sqlite3"
POSTGRES_EXAMPLE = "postgres://user:password@127.0.0.1:5432/symposium"


def read_env_file(path: str, environ: Mapping[str, str]) -> dict[str, str]:
    """Return ``environ`` over the values of the ``.env`` file at ``path``.

    A missing file, or an empty ``path``, adds nothing; a variable set in
    ``environ`` keeps its value.
    """
    values = {}
    if path and Path(path).is_file():
        values = {k: v for k, v in dotenv_values(path).items() if v is not None}
    return {**values, **environ}


def read_bool(environ: Mapping[str, str], name: str, *, default: bool) -> bool:
    """Return the boolean in ``name``, or ``default`` when it is unset or empty."""
    raw = environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={environ[name]!r} is not a yes/no value; "
        f"use one of: {', '.join(sorted(TRUE_WORDS | FALSE_WORDS))}."
    )


def read_int(environ: Mapping[str, str], name: str, *, default: int) -> int:
    """Return the whole number in ``name``, or ``default`` when it is unset."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


# As django-ratelimit reads them: a count, "/", a number of units (one if
# left out) and the unit, of which the first letter counts ("h", "hour");
# without a unit, seconds.
RATE = re.compile(r"(\d+)/(\d*)([smhd][a-z]*)?", re.IGNORECASE)
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """Return the counts and the seconds of a rate such as "10/h" or "5/15m"."""
    found = RATE.fullmatch(rate.strip())
    if found is None or not (found.group(2) or found.group(3)):
        raise ValueError(f"{rate!r} is not a rate such as 10/h or 5/15m.")
    limit, multiple, unit = found.groups()
    seconds = int(multiple or 1) * UNIT_SECONDS[(unit or "s")[0].lower()]
    if not seconds:
        raise ValueError(f"{rate!r} counts over no time at all.")
    return int(limit), seconds


def read_rate(environ: Mapping[str, str], name: str, *, default: str) -> str:
    """Return a rate such as "10/h" (count/period), refusing one that is not."""
    rate = environ.get(name, "").strip() or default
    try:
        parse_rate(rate)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: {error}") from None
    return rate


def read_list(environ: Mapping[str, str], name: str) -> list[str]:
    """Return the comma-separated items in ``name``, without blanks."""
    return [item.strip() for item in environ.get(name, "").split(",") if item.strip()]


def read_meta_key(environ: Mapping[str, str], name: str) -> str:
    """Return the request.META key of the header named in ``name``.

    Either spelling is accepted: ``HTTP_X_REAL_IP`` or ``X-Real-IP``. Unset or
    empty gives ``REMOTE_ADDR``, the direct peer.
    """
    raw = environ.get(name, "").strip()
    if not raw or raw.upper() == "REMOTE_ADDR":
        return "REMOTE_ADDR"
    key = raw.upper().replace("-", "_")
    if not key.startswith("HTTP_"):
        key = "HTTP_" + key
    if not key[5:] or not all(c.isalnum() or c == "_" for c in key):
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a header name; for example X-Real-IP or "
            "HTTP_X_REAL_IP."
        )
    return key


def read_required(environ: Mapping[str, str], name: str, *, why: str) -> str:
    """Return ``name`` or stop with a message saying why it is needed."""
    value = environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set {why}.")
    return value


def read_secret_key(environ: Mapping[str, str], *, debug: bool) -> str:
    """Return the secret key; only development mode may fall back to a fixed one."""
    key = environ.get("SECRET_KEY", "")
    if debug and not key:
        return INSECURE_KEY_PREFIX + "local-development-only-never-use-in-production"
    if not key:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Generate one with: "
            'python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
    if not debug and (
        len(key) < MINIMUM_SECRET_KEY_LENGTH or key.startswith(INSECURE_KEY_PREFIX)
    ):
        raise ImproperlyConfigured(
            f"SECRET_KEY must be a random value of at least "
            f"{MINIMUM_SECRET_KEY_LENGTH} characters when DEBUG is off."
        )
    return key


def database_config(url: str) -> dict:
    """Return Django's DATABASES entry for ``url`` (SQLite or PostgreSQL)."""
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except (ValueError, KeyError) as error:
        reason = str(error).split(". ")[0].rstrip(".")
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a database URL this application can use: {reason}. "
            f"Examples: {SQLITE_EXAMPLE} or {POSTGRES_EXAMPLE}"
        ) from None
    engine = config.get("ENGINE", "")
    if engine == "django.db.backends.sqlite3":
        if config.get("NAME", ":memory:") == ":memory:":
            raise ImproperlyConfigured(
                f"DATABASE_URL names SQLite but no file; example: {SQLITE_EXAMPLE}"
            )
        # Connections are not kept open: SQLite opens a file, not a socket.
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # BEGIN IMMEDIATE takes the write lock at the start of every
            # transaction, so that a count made inside it cannot go stale before
            # the write that depends on it (the capacity rule needs this).
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    elif engine == "django.db.backends.postgresql":
        if not config.get("NAME"):
            raise ImproperlyConfigured(
                f"DATABASE_URL names PostgreSQL but no database; "
                f"example: {POSTGRES_EXAMPLE}"
            )
    else:
        raise ImproperlyConfigured(
            f"DATABASE_URL names the engine {engine!r}; "
            "this application runs on SQLite or PostgreSQL."
        )
    return config


def default_sqlite_url(base_dir: Path) -> str:
    """Return the URL of the local SQLite file a first run uses."""
    return f"sqlite:///{base_dir / 'db.sqlite3'}"


# Redis options for every cache on it: a Redis that hangs costs half a second,
# once in a few seconds (symposium.cache), never a request held for long.
REDIS_OPTIONS = {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5}


def cache_settings(redis_url: str) -> dict:
    """Return the cache, session and counting settings for ``redis_url``.

    Without Redis each process keeps its own cache in memory and sessions live
    in the database. With Redis two caches share it: ``default`` (pages,
    sessions' copies) serves without a cache when Redis is away, ``counters``
    (rate limits, sign-in lockouts) counts in the process's memory meanwhile;
    sessions are kept in the database too (``cached_db``), so that staff can
    still sign in.
    """
    if not redis_url:
        return {
            "CACHES": {
                "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
            },
            "SESSION_ENGINE": "django.contrib.sessions.backends.db",
            "RATELIMIT_USE_CACHE": "default",
            "AXES_CACHE": "default",
        }

    def on_redis(fallback: str) -> dict:
        return {
            "BACKEND": "symposium.cache.ResilientRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "symposium",
            "OPTIONS": {**REDIS_OPTIONS, "FALLBACK": fallback},
        }

    return {
        "CACHES": {"default": on_redis("none"), "counters": on_redis("memory")},
        "SESSION_ENGINE": "django.contrib.sessions.backends.cached_db",
        "RATELIMIT_USE_CACHE": "counters",
        "AXES_CACHE": "counters",
    }
