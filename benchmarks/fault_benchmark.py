"""Fault benchmark: the mail server, the mail worker and Redis fail under a live site.

Run from the project's root with the project's Python (see benchmarks/README.md):

    python benchmarks/fault_benchmark.py

It resets its own PostgreSQL database, loads the symposium, and starts, all on
this machine: a Redis server of its own (so that it can stop it), gunicorn in
production mode over TLS with deploy/gunicorn.conf.py (3 workers, 1 thread
each, as in the fault test that found the problems), the mail worker
(``db_worker``) and an SMTP server it controls (``tests/smtp_sink.py``). Then,
as delegates and a reviewer use the site over HTTPS:

1. smtp-stopped: the SMTP port refuses; 8 delegates register, a reviewer
   approves the 8 at once; the SMTP server comes back.
2. smtp-hanging: the SMTP server takes connections and never answers; 8
   delegates register, and 6 more while the reviewer approves the first 8,
   /healthz polled all along; the server recovers.
3. worker-killed: with the SMTP server hanging, 6 delegates register while a
   gunicorn worker is killed (SIGKILL); the mail worker is killed in the
   middle of a send; the server recovers, the recovery command runs, a new
   mail worker starts.
4. redis-lost: Redis is killed; delegates read the event page and the form,
   register and open their private page, staff sign in and open the admin;
   Redis starts again.

For each it prints the approvals made, the emails recorded and delivered after
recovery, those lost and duplicated (by Message-ID at the SMTP server), the
longest request, and the count of 5xx answers. It stops every process it
started, by PID. Logs go to benchmarks/out/fault-*.log.
"""

import argparse
import itertools
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psutil
import psycopg2
import requests
from load_benchmark import OUT, make_certificate, manage, reset_database, stop
from registration_form import csrf_token, filled_in

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.smtp_sink import SmtpSink  # noqa: E402

EMAIL_TIMEOUT = 5
EMAIL_DOMAIN = "fault.example"
ADMIN_PASSWORD = secrets.token_urlsafe(16)
# Every delivery must have arrived this long after the SMTP server is back.
DELIVERY_WAIT = 120

warnings.filterwarnings("ignore", message="Unverified HTTPS request")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/sym10_faultbench",
        help="PostgreSQL database for the run; it is DROPPED and created again.",
    )
    parser.add_argument("--port", type=int, default=8200, help="gunicorn (HTTPS)")
    parser.add_argument("--smtp-port", type=int, default=8225)
    parser.add_argument("--redis-port", type=int, default=8211)
    return parser.parse_args()


# Measuring


@dataclass
class Figures:
    """What one scenario measured."""

    name: str
    requests: int = 0
    server_errors: int = 0
    cut_off: int = 0
    longest: float = 0.0
    longest_what: str = ""
    approvals: int = 0
    approval_message: str = ""
    recorded: int = 0
    delivered: int = 0
    lost: int = 0
    duplicated: int = 0
    notes: list[str] = field(default_factory=list)
    longest_by: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, what: str, took: float, status: int | None) -> None:
        with self.lock:
            self.requests += 1
            self.longest_by[what] = max(took, self.longest_by.get(what, 0.0))
            if status is None:
                self.cut_off += 1
            elif status >= 500:
                self.server_errors += 1
            if took > self.longest:
                self.longest, self.longest_what = took, what


class Browser:
    """One person's browser: its cookies, each request timed and counted."""

    def __init__(self, base: str, figures: Figures):
        self.base = base
        self.figures = figures
        self.session = requests.Session()

    def request(self, method: str, path: str, what: str, **kwargs):
        """Send the request; return the response, or None when it was cut off."""
        headers = {"Referer": self.base + path, "Origin": self.base}
        headers.update(kwargs.pop("headers", {}))
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                self.base + path,
                headers=headers,
                timeout=60,
                allow_redirects=False,
                # Per request: a CA bundle named in the environment would
                # override the session's setting. The certificate is the run's own.
                verify=False,
                **kwargs,
            )
        except requests.RequestException as error:
            self.figures.count(what, time.monotonic() - started, None)
            self.figures.notes.append(f"{what} cut off: {type(error).__name__}")
            return None
        self.figures.count(what, time.monotonic() - started, response.status_code)
        return response

    def get(self, path: str, what: str):
        return self.request("GET", path, what)

    def post(self, path: str, what: str, fields: list[tuple]):
        return self.request(
            "POST",
            path,
            what,
            data=urlencode(fields, doseq=True),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )


# The site's database


class Database:
    def __init__(self, url: str):
        parts = urlsplit(url)
        self.options = {
            "host": parts.hostname,
            "port": parts.port or 5432,
            "user": parts.username,
            "password": parts.password,
            "dbname": parts.path.lstrip("/"),
        }

    def rows(self, sql: str, *params) -> list[tuple]:
        connection = psycopg2.connect(**self.options)
        try:
            with connection, connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        finally:
            connection.close()

    def emails_of(self, prefix: str) -> list[tuple[int, str, str]]:
        """Return (id, kind, state) of the emails to the addresses of a scenario."""
        return self.rows(
            "SELECT id, kind, state FROM registrations_outgoingemail "
            "WHERE recipient LIKE %s ORDER BY id",
            f"{prefix}%",
        )

    def registrations_of(self, prefix: str) -> list[tuple[int, str]]:
        return self.rows(
            "SELECT id, token FROM registrations_registration WHERE email LIKE %s "
            "ORDER BY id",
            f"{prefix}%",
        )


# The processes


class Site:
    """Everything the script starts, and stops by PID."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.base = f"https://127.0.0.1:{args.port}"
        self.db = Database(args.database_url)
        self.smtp = SmtpSink(args.smtp_port)
        self.redis: subprocess.Popen | None = None
        self.web: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "symposium.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": self.base,
            "DATABASE_URL": args.database_url,
            "REDIS_URL": f"redis://127.0.0.1:{args.redis_port}/0",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(args.smtp_port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_TIMEOUT": str(EMAIL_TIMEOUT),
            # Retries every few seconds, so that a run takes minutes, not hours.
            "EMAIL_RETRY_FIRST_SECONDS": "2",
            "EMAIL_RETRY_MAX_SECONDS": "5",
            "DEFAULT_FROM_EMAIL": f"Symposium <symposium@{EMAIL_DOMAIN}>",
            # Every simulated delegate comes from 127.0.0.1.
            "REGISTRATION_RATE_LIMIT": "1000000/h",
            "GUNICORN_BIND": f"127.0.0.1:{args.port}",
            "GUNICORN_WORKERS": "3",
            "GUNICORN_THREADS": "1",
            "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD,
        }
        self.env.pop("TASKS_BACKEND", None)

    def log(self, name: str):
        return open(OUT / f"fault-{name}.log", "a")

    def start_redis(self) -> None:
        command = ["redis-server", "--port", str(self.args.redis_port)]
        command += ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        with self.log("redis") as log:
            self.redis = subprocess.Popen(command, stdout=log, stderr=log)
        time.sleep(0.5)

    def kill_redis(self) -> None:
        os.kill(self.redis.pid, signal.SIGKILL)
        self.redis.wait()

    def start_web(self, certificate: Path, key: Path) -> None:
        command = [
            sys.executable, "-m", "gunicorn", "symposium.wsgi",
            "--config", "deploy/gunicorn.conf.py",
            "--certfile", str(certificate), "--keyfile", str(key),
        ]  # fmt: skip
        with self.log("gunicorn") as log:
            self.web = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=log
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                live = requests.get(f"{self.base}/healthz/live", verify=False)
                if live.status_code == 200:
                    time.sleep(2)
                    return
            except requests.RequestException:
                time.sleep(0.5)
        sys.exit("gunicorn did not answer; see benchmarks/out/fault-gunicorn.log")

    def web_workers(self) -> list[psutil.Process]:
        return psutil.Process(self.web.pid).children()

    def start_worker(self) -> None:
        command = [sys.executable, "manage.py", "db_worker", "--queue-name", "mail"]
        command += ["--interval", "0.5", "--no-startup-delay"]
        with self.log("mail-worker") as log:
            self.worker = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=log
            )

    def kill_worker(self) -> None:
        os.kill(self.worker.pid, signal.SIGKILL)
        self.worker.wait()

    def recover(self) -> None:
        """Run what the recovery timer runs, with a short time to call a send dead."""
        with self.log("recovery") as log:
            subprocess.run(
                [sys.executable, "manage.py", "send_queued_emails"]
                + ["--stalled-after", str(EMAIL_TIMEOUT + 1)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=log,
                check=True,
            )

    def stop_all(self) -> None:
        self.smtp.stop()
        for process in (self.worker, self.web, self.redis):
            if process is not None:
                stop(process)


# What people do


def event_slug(site: Site) -> str:
    return site.db.rows(
        "SELECT slug FROM registrations_event ORDER BY starts_at DESC LIMIT 1"
    )[0][0]


def register(site: Site, figures: Figures, slug: str, email: str, number: int):
    """Fetch the form and send it, as a delegate's browser does."""
    browser = Browser(site.base, figures)
    path = f"/en/events/{slug}/register/"
    form = browser.get(path, "form")
    if form is None or form.status_code != 200:
        return
    fields = filled_in(form.text, email=email, number=number)
    browser.post(path, "submission", fields)


def register_many(site, figures, slug, prefix: str, numbers) -> list[threading.Thread]:
    threads = [
        threading.Thread(
            target=register,
            args=(site, figures, slug, f"{prefix}{n}@{EMAIL_DOMAIN}", n),
        )
        for n in numbers
    ]
    for thread in threads:
        thread.start()
    return threads


def signed_in_reviewer(site: Site, figures: Figures) -> Browser:
    browser = Browser(site.base, figures)
    page = browser.get("/admin/login/", "sign-in page")
    browser.post(
        "/admin/login/",
        "sign-in",
        [
            ("csrfmiddlewaretoken", csrf_token(page.text)),
            ("username", "reviewer"),
            ("password", ADMIN_PASSWORD),
            ("next", "/admin/"),
        ],
    )
    return browser


def approve(site: Site, figures: Figures, browser: Browser, prefix: str) -> None:
    """Approve every registration of ``prefix`` at once, from the admin's list."""
    ids = [pk for pk, _token in site.db.registrations_of(prefix)]
    listing = "/admin/registrations/registration/"
    page = browser.get(listing, "admin list")
    response = browser.post(
        listing,
        "bulk approval",
        [
            ("csrfmiddlewaretoken", csrf_token(page.text)),
            ("action", "approve"),
            *[("_selected_action", pk) for pk in ids],
            ("confirm", "yes"),
            ("note", ""),
        ],
    )
    if response is not None and response.status_code == 302:
        shown = browser.get(listing, "admin list").text
        messages = [
            part.split("</li>")[0].split(">", 1)[-1].strip()
            for part in shown.split('<li class="')[1:]
            if part.startswith(("success", "warning", "error"))
        ]
        figures.approval_message = " / ".join(messages)
    approved = site.db.rows(
        "SELECT count(*) FROM registrations_registration "
        "WHERE email LIKE %s AND status = 'approved'",
        f"{prefix}%",
    )[0][0]
    figures.approvals = approved


def poll_health(site: Site, figures: Figures, stop_polling: threading.Event) -> None:
    browser = Browser(site.base, figures)
    while not stop_polling.is_set():
        browser.get("/healthz", "/healthz")
        time.sleep(0.5)


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


def count_delivery(site: Site, figures: Figures, prefix: str) -> None:
    """Wait for the scenario's emails to leave, then count them at the server."""

    def all_sent() -> bool:
        return {state for _pk, _kind, state in site.db.emails_of(prefix)} == {"sent"}

    started = time.monotonic()
    if wait_for(all_sent, DELIVERY_WAIT):
        took = time.monotonic() - started
        figures.notes.append(f"all sent {took:.0f} s after the recovery")
    else:
        figures.notes.append(f"not all sent {DELIVERY_WAIT} s after the recovery")
    # Long enough for a second copy to arrive, if anything were to send one.
    time.sleep(5)
    emails = site.db.emails_of(prefix)
    domain = urlsplit(site.base).hostname
    expected = {f"<outbox-{pk}@{domain}>" for pk, _kind, _state in emails}
    received = Counter(
        {mid: n for mid, n in site.smtp.received().items() if mid in expected}
    )
    figures.recorded = len(emails)
    figures.delivered = len(received)
    figures.lost = len(expected - set(received))
    figures.duplicated = sum(n - 1 for n in received.values())
    kinds = Counter(kind for _pk, kind, _state in emails)
    figures.notes.append(
        "recorded: " + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    )


# The scenarios


def smtp_stopped(site: Site, slug: str) -> Figures:
    figures = Figures("smtp-stopped")
    prefix = "stopped-"
    site.smtp.stop()
    for thread in register_many(site, figures, slug, prefix, range(8)):
        thread.join()
    reviewer = signed_in_reviewer(site, figures)
    approve(site, figures, reviewer, prefix)
    # Let the worker fail a few times against the closed port.
    time.sleep(10)
    states = Counter(state for _pk, _kind, state in site.db.emails_of(prefix))
    figures.notes.append(f"while SMTP was down: {dict(states)}")
    site.smtp.start()
    count_delivery(site, figures, prefix)
    return figures


def smtp_hanging(site: Site, slug: str) -> Figures:
    figures = Figures("smtp-hanging")
    site.smtp.hang()
    polling = threading.Event()
    poller = threading.Thread(target=poll_health, args=(site, figures, polling))
    poller.start()
    for thread in register_many(site, figures, slug, "hanging-", range(8)):
        thread.join()
    reviewer = signed_in_reviewer(site, figures)
    # Six more delegates register while the reviewer approves the first eight.
    more = register_many(site, figures, slug, "hangmore-", range(6))
    approve(site, figures, reviewer, "hanging-")
    for thread in more:
        thread.join()
    time.sleep(2 * EMAIL_TIMEOUT)
    polling.set()
    poller.join()
    site.smtp.start()
    count_delivery(site, figures, "hang")
    return figures


def worker_killed(site: Site, slug: str) -> Figures:
    figures = Figures("worker-killed")
    prefix = "killed-"
    site.smtp.hang()
    numbers = itertools.count()
    until = time.monotonic() + 6

    def keep_registering() -> None:
        while time.monotonic() < until:
            number = next(numbers)
            register(site, figures, slug, f"{prefix}{number}@{EMAIL_DOMAIN}", number)

    delegates = [threading.Thread(target=keep_registering) for _ in range(3)]
    for delegate in delegates:
        delegate.start()
    # Two gunicorn workers killed while submissions commit and answer.
    for _ in range(2):
        time.sleep(2)
        victim = site.web_workers()[0]
        os.kill(victim.pid, signal.SIGKILL)
        figures.notes.append(f"gunicorn worker {victim.pid} killed (SIGKILL)")
    for delegate in delegates:
        delegate.join()
    committed = len(site.db.registrations_of(prefix))
    confirmations = sum(
        kind == "confirmation" for _pk, kind, _state in site.db.emails_of(prefix)
    )
    figures.notes.append(
        f"registrations committed: {committed}; confirmations recorded: {confirmations}"
    )

    # The mail worker is stuck on the silent server: kill it in mid-send.
    def sending() -> bool:
        return any(state == "sending" for _pk, _k, state in site.db.emails_of(prefix))

    if wait_for(sending, 30):
        site.kill_worker()
        figures.notes.append("mail worker killed (SIGKILL) while sending")
    site.smtp.start()
    time.sleep(EMAIL_TIMEOUT + 2)
    site.recover()
    site.start_worker()
    count_delivery(site, figures, prefix)
    return figures


def redis_lost(site: Site, slug: str) -> Figures:
    figures = Figures("redis-lost")
    prefix = "redis-"
    site.smtp.start()
    site.kill_redis()
    health = Browser(site.base, figures).get("/healthz", "/healthz")
    said = f"{health.status_code} {health.text.splitlines()[0]}"
    figures.notes.append(f"Redis killed, /healthz: {said}")
    for round_number in range(5):
        delegate = Browser(site.base, figures)
        delegate.get("/en/", "event page")
        register(site, figures, slug, f"{prefix}{round_number}@{EMAIL_DOMAIN}", 0)
        for _pk, token in site.db.registrations_of(f"{prefix}{round_number}@"):
            delegate.get(f"/en/registration/{token}/", "private page")
        staff = signed_in_reviewer(site, figures)
        staff.get("/admin/registrations/registration/", "admin list")
    figures.notes.append(
        f"registrations committed: {len(site.db.registrations_of(prefix))} of 5"
    )
    warned = (OUT / "fault-gunicorn.log").read_text().count("does not answer")
    figures.notes.append(
        f"'Redis ... does not answer' warnings in the log: {warned} (3 workers)"
    )
    site.start_redis()
    time.sleep(6)
    health = Browser(site.base, figures).get("/healthz", "/healthz")
    said = f"{health.status_code} {health.text.splitlines()[0]}"
    figures.notes.append(f"Redis back, /healthz: {said}")
    count_delivery(site, figures, prefix)
    return figures


SCENARIOS = [smtp_stopped, smtp_hanging, worker_killed, redis_lost]


def report(results: list[Figures]) -> None:
    print()
    print(
        "| Scenario | Requests | 5xx | Cut off | Longest request | Approvals | "
        "Emails recorded | Delivered after recovery | Lost | Duplicated |"
    )
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    for f in results:
        print(
            f"| {f.name} | {f.requests} | {f.server_errors} | {f.cut_off} | "
            f"{f.longest:.2f} s ({f.longest_what}) | {f.approvals} | {f.recorded} | "
            f"{f.delivered} | {f.lost} | {f.duplicated} |"
        )
    print()
    for f in results:
        print(f"{f.name}:")
        if f.approval_message:
            print(f"  the reviewer was told: {f.approval_message}")
        for note in dict.fromkeys(f.notes):
            print(f"  {note}")
        longest = ", ".join(
            f"{what} {took:.2f} s" for what, took in sorted(f.longest_by.items())
        )
        print(f"  longest by request: {longest}")
    limit = EMAIL_TIMEOUT + 1
    longest = max(f.longest for f in results)
    print()
    print("Against the targets:")
    recorded = sum(f.recorded for f in results)
    delivered = sum(f.delivered for f in results)
    print(f"- delivered after recovery: {delivered} / {recorded}")
    print(f"- lost: {sum(f.lost for f in results)}")
    print(f"- duplicated: {sum(f.duplicated for f in results)}")
    print(f"- longest request: {longest:.2f} s (target < {limit} s)")
    print(f"- 5xx: {sum(f.server_errors for f in results)}")


def main() -> None:
    args = parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("fault-*.log"):
        old.unlink()
    site = Site(args)
    print("Setting up (the fault benchmark's database is emptied):", flush=True)
    reset_database(args.database_url)
    site.start_redis()
    manage(site.env, "migrate", "--noinput")
    manage(site.env, "load_symposium")
    manage(site.env, "collectstatic", "--noinput", "--clear")
    manage(
        site.env, "createsuperuser", "--noinput", "--username", "reviewer",
        "--email", f"reviewer@{EMAIL_DOMAIN}",
    )  # fmt: skip
    certificate, key = make_certificate()
    results = []
    try:
        site.start_web(certificate, key)
        site.start_worker()
        slug = event_slug(site)
        for scenario in SCENARIOS:
            print(f"Scenario {scenario.__name__.replace('_', '-')} ...", flush=True)
            results.append(scenario(site, slug))
    finally:
        site.stop_all()
    report(results)
    failures = [
        line
        for line in (OUT / "fault-mail-worker.log").read_text().splitlines()
        if "email not sent" in line
    ]
    print(f"- mail worker's failure lines: {len(failures)}, for example:")
    print(f"  {failures[0] if failures else '(none)'}")


if __name__ == "__main__":
    main()
