"""Locust users for the load benchmark; ``load_benchmark.py`` runs them.

Each user class is one run of the benchmark, chosen on locust's command line:

- ``BaselineUser``: the health check, the framework's own limit on this server;
- ``HomeUser``, ``FormUser``, ``SubmitUser``: one kind of request alone, for
  the throughput the server can give it;
- ``MixUser``: the three together, as delegates use the site.

A submission is what a browser does: fetch the form (recorded as ``form``),
then post it with the CSRF token of that page and a fresh address (recorded as
``submit``). The redirect to the "registration received" page is checked but
not followed, so ``submit`` measures the POST alone: validation, the rate limit,
the transaction and the confirmation email.

Environment: ``BENCH_EVENT_SLUG`` (the event's slug), ``BENCH_EMAIL_PREFIX``
(every address this run submits starts with it, so that the benchmark can count
them in the database afterwards) and ``BENCH_EMAIL_DOMAIN``.
"""

import itertools
import os
from urllib.parse import urlencode

from locust import FastHttpUser, task
from registration_form import filled_in

EVENT_SLUG = os.environ.get("BENCH_EVENT_SLUG", "")
EMAIL_PREFIX = os.environ.get("BENCH_EMAIL_PREFIX", "bench")
EMAIL_DOMAIN = os.environ.get("BENCH_EMAIL_DOMAIN", "loadbench.example")
LANGUAGE = "en"

HOME_PATH = f"/{LANGUAGE}/"
FORM_PATH = f"/{LANGUAGE}/events/{EVENT_SLUG}/register/"
DONE_PATH = f"/{LANGUAGE}/events/{EVENT_SLUG}/register/done/"

# Unique across the users of one locust process: gevent runs them in one thread.
submission_numbers = itertools.count(1)


def expect(response, status: int, marker: str = "") -> None:
    """Mark ``response`` failed unless it has ``status`` (and ``marker`` in it)."""
    if response.status_code != status:
        response.failure(f"HTTP {response.status_code}, expected {status}")
    elif marker and marker not in response.text:
        response.failure(f"{marker!r} is not in the page")
    else:
        response.success()


class SiteUser(FastHttpUser):
    """A browser: keeps its cookies, sends no think time between requests."""

    abstract = True
    # The server's certificate is self-signed for the run.
    insecure = True

    def view_home(self) -> None:
        with self.client.get(HOME_PATH, name="home", catch_response=True) as page:
            expect(page, 200, "programme-heading")

    def view_form(self) -> str:
        """Fetch the registration form; return its HTML ("" when it failed)."""
        with self.client.get(FORM_PATH, name="form", catch_response=True) as page:
            expect(page, 200, "csrfmiddlewaretoken")
            return page.text if page.status_code == 200 else ""

    def submit_registration(self) -> None:
        form = self.view_form()
        number = next(submission_numbers)
        email = f"{EMAIL_PREFIX}{number}@{EMAIL_DOMAIN}"
        fields = filled_in(form, email=email, number=number)
        if fields is None:
            return
        origin = self.host.rstrip("/")
        with self.client.post(
            FORM_PATH,
            data=urlencode(fields),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": origin + FORM_PATH,
            },
            name="submit",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code == 302 and location.endswith(DONE_PATH):
                response.success()
            else:
                response.failure(
                    f"HTTP {response.status_code}, not sent to the done page"
                )


class BaselineUser(SiteUser):
    @task
    def health_check(self):
        with self.client.get(
            "/healthz/live", name="baseline", catch_response=True
        ) as r:
            expect(r, 200, "ok")


class HomeUser(SiteUser):
    @task
    def home(self):
        self.view_home()


class FormUser(SiteUser):
    @task
    def form(self):
        self.view_form()


class SubmitUser(SiteUser):
    @task
    def submit(self):
        self.submit_registration()


class MixUser(SiteUser):
    """Most visitors read the programme; some open the form; fewer send it."""

    @task(6)
    def home(self):
        self.view_home()

    @task(3)
    def form(self):
        self.view_form()

    @task(1)
    def submit(self):
        self.submit_registration()
