"""Configuration comes from the environment; bad values stop start-up clearly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from symposium.env import (
    database_config,
    read_bool,
    read_int,
    read_rate,
    read_secret_key,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k" * 30 + "-a-long-random-production-key-0123456789"
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": GOOD_KEY,
    "ALLOWED_HOSTS": "symposium.example.org",
    "DATABASE_URL": "sqlite:///production-test.sqlite3",
    "EMAIL_HOST": "smtp.example.org",
    "DEFAULT_FROM_EMAIL": "Symposium <symposium@example.org>",
    "SITE_URL": "https://symposium.example.org",
}


def run_check(environment: dict, *extra: str) -> subprocess.CompletedProcess:
    """Run ``manage.py check`` in a fresh process with only ``environment`` set."""
    env = {"PATH": os.environ["PATH"], "SYMPOSIUM_ENV_FILE": "", **environment}
    return subprocess.run(
        [sys.executable, "manage.py", "check", *extra],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_sqlite_is_the_default_with_immediate_transactions():
    config = database_config("sqlite:///db.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "db.sqlite3"
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_a_postgresql_url_gives_the_postgresql_engine():
    config = database_config(
        "postgres://symposium:s3cret@db.internal:5432/symposium?sslmode=require"
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == (
        "db.internal",
        5432,
        "symposium",
    )
    assert config["USER"] == "symposium"
    assert config["OPTIONS"] == {"sslmode": "require"}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgress://db/symposium", "is not a database URL"),
        ("not a url", "is not a database URL"),
        ("postgres://user@host:port/db", "is not a database URL"),
        ("postgres://db.internal", "no database"),
        ("sqlite://", "no file"),
        ("mysql://root@localhost/symposium", "SQLite or PostgreSQL"),
    ],
)
def test_a_bad_database_url_gives_a_clear_error(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        database_config(url)


def test_a_bad_database_url_does_not_print_the_password():
    with pytest.raises(ImproperlyConfigured) as error:
        database_config("postgres://user:hunter2@host:notaport/db")
    assert "hunter2" not in str(error.value)


def test_yes_no_and_numbers_are_parsed_strictly():
    assert read_bool({"DEBUG": "Yes"}, "DEBUG", default=False) is True
    assert read_bool({"DEBUG": "off"}, "DEBUG", default=True) is False
    assert read_bool({}, "DEBUG", default=False) is False
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is not a yes/no"):
        read_bool({"DEBUG": "maybe"}, "DEBUG", default=False)
    assert read_int({"EMAIL_PORT": "465"}, "EMAIL_PORT", default=587) == 465
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        read_int({"EMAIL_PORT": "smtp"}, "EMAIL_PORT", default=587)


def test_a_rate_limit_that_is_not_a_rate_gives_a_clear_error():
    limit = "REGISTRATION_RATE_LIMIT"
    assert read_rate({limit: "20/h"}, limit, default="10/h") == "20/h"
    assert read_rate({}, limit, default="10/h") == "10/h"
    with pytest.raises(ImproperlyConfigured, match="'10 an hour' is not a rate"):
        read_rate({limit: "10 an hour"}, limit, default="10/h")


def test_production_refuses_a_short_or_development_secret_key():
    with pytest.raises(ImproperlyConfigured, match="at least 50"):
        read_secret_key({"SECRET_KEY": "short"}, debug=False)
    with pytest.raises(ImproperlyConfigured, match="at least 50"):
        read_secret_key({"SECRET_KEY": "django-insecure-" + "x" * 60}, debug=False)
    assert read_secret_key({}, debug=True).startswith("django-insecure-")


def test_production_settings_start_with_every_value_given():
    result = run_check(PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "EMAIL_HOST",
        "DEFAULT_FROM_EMAIL",
        "SITE_URL",
    ],
)
def test_production_stops_when_a_required_value_is_missing(missing):
    environment = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run_check(environment)
    assert result.returncode != 0
    assert result.stderr.startswith(f"Configuration error: {missing} must be set")
    assert "Traceback" not in result.stderr


def test_debug_is_off_unless_asked_for():
    environment = {k: v for k, v in PRODUCTION.items() if k != "DEBUG"}
    result = run_check(environment, "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_malformed_value_stops_start_up_with_its_name():
    result = run_check({**PRODUCTION, "DATABASE_URL": "postgres://u@h:xx/db"})
    assert result.returncode != 0
    assert "DATABASE_URL is not a database URL" in result.stderr


def test_time_zone_and_languages(settings):
    assert settings.TIME_ZONE == "Asia/Tokyo"
    assert settings.USE_TZ is True
    assert [code for code, _ in settings.LANGUAGES] == ["en", "ja"]


@pytest.mark.django_db
def test_the_suite_runs_on_the_database_that_database_url_names():
    from django.db import connection

    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres", "postgresql")) else "sqlite"
    assert connection.vendor == expected


@pytest.mark.django_db
def test_system_checks_pass_and_migrations_are_in_step_with_the_models():
    from django.core.management import call_command

    call_command("check", fail_level="WARNING")
    # Exits with status 1 when a model change has no migration yet.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_production_sends_mail_from_the_worker_never_from_a_request():
    # Imported here: test_security imports this module.
    from tests.test_mail_outbox import DATABASE_QUEUE
    from tests.test_security import production_values

    values = production_values(["TASKS", "EMAIL_TIMEOUT"], TASKS_BACKEND="")
    assert values["TASKS"]["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    # The tests' database queue is production's (emails name their tasks).
    assert values["TASKS"]["default"] == DATABASE_QUEUE["default"]
    assert values["EMAIL_TIMEOUT"] == 10

    immediate = "django_tasks.backends.immediate.ImmediateBackend"
    refused = run_check({**PRODUCTION, "TASKS_BACKEND": immediate})
    assert refused.returncode != 0
    assert "requests would wait on the SMTP server" in refused.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("EMAIL_RETRY_HOURS", "12", "at least 24"),
        ("EMAIL_RETRY_FIRST_SECONDS", "7200", "at most EMAIL_RETRY_MAX_SECONDS"),
        ("EMAIL_TIMEOUT", "0", "at least 1 second"),
        ("REVIEW_TIME_LIMIT_SECONDS", "0", "at least 1"),
    ],
)
def test_mail_and_review_time_limits_out_of_range_stop_start_up(name, value, message):
    result = run_check({**PRODUCTION, name: value})
    assert result.returncode != 0
    assert message in result.stderr
