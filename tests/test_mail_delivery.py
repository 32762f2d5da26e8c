"""The mail server fails, hangs or loses its worker: every email arrives, once.

A real SMTP server (``tests/smtp_sink.py``) is started, stopped and made to
hang by the test. Where a test says "worker", it starts the real mail worker
(django-tasks-db's ``db_worker``, in production mode) as a process of its own
and stops it by its PID; that process reads the test database, which SQLite
keeps in this process's memory, so those tests run on PostgreSQL.
"""

import datetime
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from registrations import services
from registrations.mail import outbox
from registrations.models import OutgoingEmail, Registration
from tests.factories import RegistrationFactory, StaffUserFactory
from tests.smtp_sink import SmtpSink
from tests.test_mail_outbox import DATABASE_QUEUE
from tests.test_registration_views import form_data, register_url
from tests.test_settings import PRODUCTION, PROJECT_ROOT

State = OutgoingEmail.State
needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: the worker is another process, and SQLite's test "
    "database lives in this one's memory; CI's PostgreSQL run executes it",
)
# The worker's SMTP timeout; a request must never wait longer than this + 1 s.
TIMEOUT = 2


@pytest.fixture
def sink():
    server = SmtpSink()
    yield server
    server.stop()


@pytest.fixture
def reviewer(db):
    return StaffUserFactory(username="reviewer")


def database_url() -> str:
    """Return the address of the test database, for the worker."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    port = db["PORT"] or 5432
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{port}/{db['NAME']}"


@contextmanager
def mail_worker(sink: SmtpSink, log_path, **environment):
    """Run the production mail worker against ``sink``; stop it by its PID."""
    env = {
        "PATH": os.environ["PATH"],
        **PRODUCTION,
        "DATABASE_URL": database_url(),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_TIMEOUT": str(TIMEOUT),
        "EMAIL_RETRY_FIRST_SECONDS": "1",
        "EMAIL_RETRY_MAX_SECONDS": "2",
        **environment,
    }
    command = [sys.executable, "manage.py", "db_worker", "--queue-name", "mail"]
    command += ["--interval", "0.2", "--no-startup-delay"]
    with open(log_path, "a") as log:
        worker = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        yield worker
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=TIMEOUT + 20)
            except subprocess.TimeoutExpired:
                os.kill(worker.pid, signal.SIGKILL)
                worker.wait()


def wait_until(condition: Callable[[], bool], *, seconds: float, log_path) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(
                f"gave up after {seconds} s; worker log:\n{log_path.read_text()}"
            )
        time.sleep(0.2)


def worker_message_id(email: OutgoingEmail) -> str:
    """Return the Message-ID the worker, on the production SITE_URL, gives."""
    with override_settings(SITE_URL=PRODUCTION["SITE_URL"]):
        return outbox.message_id(email)


def states(emails) -> set[str]:
    return set(
        OutgoingEmail.objects.filter(pk__in=[e.pk for e in emails]).values_list(
            "state", flat=True
        )
    )


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_smtp_down_then_back_every_approval_email_arrives_once(
    sink, reviewer, tmp_path
):
    log = tmp_path / "worker.log"
    registrations = RegistrationFactory.create_batch(8)
    with override_settings(TASKS=DATABASE_QUEUE):
        for registration in registrations:
            services.registration_approve(registration=registration, by=reviewer)
    emails = list(OutgoingEmail.objects.all())
    assert len(emails) == 8

    with mail_worker(sink, log):
        # The mail server is down: every email fails and waits to retry.
        wait_until(lambda: states(emails) == {State.RETRYING}, seconds=30, log_path=log)
        sink.start()
        wait_until(lambda: states(emails) == {State.SENT}, seconds=60, log_path=log)
        # Long enough for a second copy, if anything were to send one.
        time.sleep(3)

    expected = {worker_message_id(email) for email in emails}
    assert sink.received() == dict.fromkeys(expected, 1)
    assert sink.recipients() == sorted(r.email for r in registrations)
    assert all(e.attempts >= 2 for e in OutgoingEmail.objects.all())
    assert "approved email not sent" in log.read_text()


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_smtp_that_hangs_holds_no_request_and_the_worker_gives_up_in_time(
    client, event, sink, tmp_path
):
    log = tmp_path / "worker.log"
    sink.hang()
    with override_settings(TASKS=DATABASE_QUEUE):
        started = time.monotonic()
        response = client.post(register_url(event), form_data(event))
        took = time.monotonic() - started
    assert response.status_code == 302
    assert took < TIMEOUT + 1
    [email] = OutgoingEmail.objects.all()
    assert email.state == State.QUEUED

    with mail_worker(sink, log):
        wait_until(
            lambda: states([email]) == {State.RETRYING}, seconds=30, log_path=log
        )
        email.refresh_from_db()
        assert "timed out" in email.last_error
        failed_at = email.next_attempt_at - outbox.retry_delay(email.attempts)
        assert failed_at - email.last_attempt_at < datetime.timedelta(
            seconds=TIMEOUT + 1
        )
        sink.start()
        wait_until(lambda: states([email]) == {State.SENT}, seconds=30, log_path=log)
        time.sleep(2)
    assert sink.received() == {worker_message_id(email): 1}


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_during_a_send_loses_no_email(sink, reviewer, tmp_path):
    log = tmp_path / "worker.log"
    registration = RegistrationFactory()
    with override_settings(TASKS=DATABASE_QUEUE):
        services.registration_approve(registration=registration, by=reviewer)
    [email] = OutgoingEmail.objects.all()

    sink.hang()
    with mail_worker(sink, log, EMAIL_TIMEOUT="60") as worker:
        wait_until(lambda: states([email]) == {State.SENDING}, seconds=30, log_path=log)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    assert states([email]) == {State.SENDING}
    # Past --stalled-after, the attempt counts as dead.
    time.sleep(1.5)

    sink.start()
    with override_settings(TASKS=DATABASE_QUEUE):
        call_command("send_queued_emails", "--stalled-after", "1", stdout=log.open("a"))
    email.refresh_from_db()
    assert email.state == State.RETRYING
    with mail_worker(sink, log):
        wait_until(lambda: states([email]) == {State.SENT}, seconds=30, log_path=log)
        time.sleep(2)
    assert sink.received() == {worker_message_id(email): 1}


@pytest.mark.django_db
def test_in_development_a_hanging_smtp_server_holds_a_request_for_the_timeout_only(
    client, event, sink, django_capture_on_commit_callbacks
):
    """In development the email leaves from the request, bounded by EMAIL_TIMEOUT."""
    sink.hang()
    smtp = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": sink.port,
        "EMAIL_USE_TLS": False,
        "EMAIL_TIMEOUT": 1,
    }
    with override_settings(**smtp), django_capture_on_commit_callbacks(execute=True):
        started = time.monotonic()
        response = client.post(register_url(event), form_data(event))
        took = time.monotonic() - started
    assert response.status_code == 302
    assert took < 1 + 1
    email = Registration.objects.get().emails.get()
    assert email.state == State.RETRYING
    assert "timed out" in email.last_error

    sink.start()
    with override_settings(**smtp), django_capture_on_commit_callbacks(execute=True):
        client.force_login(StaffUserFactory(is_superuser=True))
        client.post(
            reverse("admin:registrations_outgoingemail_changelist"),
            {"action": "send_again", "_selected_action": [email.pk]},
        )
    assert sink.received() == {outbox.message_id(email): 1}
    assert mail.outbox == []
