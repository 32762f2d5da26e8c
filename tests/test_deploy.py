"""The production process as deploy/ defines it: gunicorn, its headers and its logs."""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_settings import PRODUCTION, PROJECT_ROOT

GUNICORN_CONFIG = PROJECT_ROOT / "deploy" / "gunicorn.conf.py"
TOKEN = "Zq8TestTokenThatNoLogMayShow0123456789abcd"


class UnixConnection(http.client.HTTPConnection):
    """An HTTP connection over a Unix socket, as a proxy on the machine uses."""

    def __init__(self, path: Path):
        super().__init__("localhost", timeout=10)
        self.path = str(path)

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(self.path)


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    """Run the site under gunicorn in production mode; yield its socket and logs."""
    folder = tmp_path_factory.mktemp("gunicorn")
    environment = {
        "PATH": os.environ["PATH"],
        **PRODUCTION,
        "DATABASE_URL": f"sqlite:///{folder / 'site.sqlite3'}",
        "ALLOWED_HOSTS": "localhost",
        "SECURE_SSL_REDIRECT": "false",
        "RATELIMIT_IP_META_KEY": "X-Real-IP",
        "WEB_CONCURRENCY": "1",
        "STATIC_ROOT": str(folder / "static"),
    }
    for command in (["migrate"], ["collectstatic"]):
        subprocess.run(
            [sys.executable, "manage.py", *command, "--noinput", "-v", "0"],
            cwd=PROJECT_ROOT,
            env=environment,
            check=True,
            timeout=300,
        )
    sock = folder / "gunicorn.sock"
    access, errors = folder / "access.log", folder / "error.log"
    with access.open("w") as access_log, errors.open("w") as error_log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                str(GUNICORN_CONFIG),
                "--bind",
                f"unix:{sock}",
            ],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=access_log,
            stderr=error_log,
        )
        try:
            deadline = time.monotonic() + 60
            while not sock.exists():
                assert server.poll() is None, errors.read_text()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
            yield sock, access, errors
        finally:
            server.terminate()
            server.wait(timeout=30)


def get(sock: Path, path: str, **headers) -> http.client.HTTPResponse:
    connection = UnixConnection(sock)
    connection.request("GET", path, headers={"Host": "localhost", **headers})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_gunicorn_sends_no_server_banner(gunicorn):
    sock, _access, _errors = gunicorn
    response = get(sock, "/healthz", **{"X-Real-IP": "203.0.113.5"})
    assert response.status == 200
    assert response.getheader("Server") is None
    assert response.getheader("Permissions-Policy")


def test_no_log_line_holds_a_private_link(gunicorn):
    sock, access, errors = gunicorn
    referer = f"https://symposium.example.org/en/registration/{TOKEN}/edit/"
    response = get(
        sock,
        f"/en/registration/{TOKEN}/",
        Referer=referer,
        **{"X-Real-IP": "203.0.113.5"},
    )
    assert response.status == 404
    get(sock, f"/i18n/setlang/?next=%2Fen%2Fregistration%2F{TOKEN}%2F")
    time.sleep(0.5)
    logs = access.read_text() + errors.read_text()
    assert "/en/registration/[masked]/" in access.read_text()
    assert "Not Found: /en/registration/[masked]/" in errors.read_text()
    assert TOKEN not in logs


def test_a_server_process_leaves_what_it_started_with_out_of_the_collectors_passes(
    tmp_path,
):
    environment = {
        "PATH": os.environ["PATH"],
        **PRODUCTION,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "ALLOWED_HOSTS": "localhost",
    }
    frozen = subprocess.run(
        [
            sys.executable,
            "-c",
            "import gc, symposium.wsgi; print(gc.get_freeze_count(), gc.isenabled())",
        ],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.split()
    # Django and the apps; the objects requests make are still collected.
    assert int(frozen[0]) > 50_000
    assert frozen[1] == "True"
