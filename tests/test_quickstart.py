"""A newcomer's second command works: quickstart leaves the settings it needs.

``quickstart`` writes a git-ignored ``.env`` that the settings read, so that
``changepassword`` or ``runserver`` in a new terminal start without
``DEBUG=true``; a setting missing in production stops a command with one
line that names it.
"""

import os
import stat
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from symposium.env import read_env_file

PROJECT_ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def manage(*args, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def env_file(tmp_path, settings):
    settings.ENV_FILE = str(tmp_path / ".env")
    # The test runner turns DEBUG off; quickstart runs only with it on.
    settings.DEBUG = True
    return Path(settings.ENV_FILE)


def test_quickstart_writes_local_settings_once_readable_by_its_owner_only(env_file):
    call_command("quickstart", stdout=StringIO())
    text = env_file.read_text()
    values = read_env_file(str(env_file), {})
    assert values["DEBUG"] == "true"
    assert len(values["SECRET_KEY"]) >= 50
    assert values["SITE_URL"] == "http://127.0.0.1:8000"
    assert "change the port here" in text
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    call_command("quickstart", stdout=StringIO())
    assert env_file.read_text() == text


def test_a_command_in_a_new_terminal_reads_the_local_settings(env_file):
    call_command("quickstart", stdout=StringIO())
    result = manage("check", env={"SYMPOSIUM_ENV_FILE": str(env_file)})
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_environment_wins_over_the_file(tmp_path):
    path = tmp_path / ".env"
    path.write_text("DEBUG=true\nSITE_URL=http://127.0.0.1:8000\n")
    values = read_env_file(str(path), {"SITE_URL": "http://127.0.0.1:8001"})
    assert values == {"DEBUG": "true", "SITE_URL": "http://127.0.0.1:8001"}
    assert read_env_file("", {"A": "1"}) == {"A": "1"}
    assert read_env_file(str(tmp_path / "missing"), {}) == {}


def test_a_missing_production_setting_is_one_clear_line():
    result = manage("changepassword", "admin", env={"SYMPOSIUM_ENV_FILE": ""})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Configuration error: SECRET_KEY must be set")
    assert "Traceback" not in result.stderr


def test_the_local_settings_file_is_kept_out_of_git():
    ignored = (PROJECT_ROOT / ".gitignore").read_text().splitlines()
    assert ".env" in ignored
