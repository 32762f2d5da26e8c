"""The in-process half of ``paths_benchmark.py``: queries, cold pages, the admin.

Run by ``paths_benchmark.py`` with the server's environment (the benchmark
database, Redis, production settings); prints one JSON object:

- ``queries``: the SQL statements one request of each path costs, counted
  with Django's test client (the first request of a path warms its caches
  and is not counted);
- ``cold``: the CPU milliseconds of the event page and of the registration
  form with the page cache emptied before each request (the public pages'
  version changed, as after any change to the programme), median of 20;
- ``admin``: the reviewers' list at the database's size, unfiltered, with
  each filter and with a search: wall and CPU milliseconds of this process,
  SQL milliseconds and queries, median of 7;
- ``bulk_review``: 500 pending registrations of a new event (created for the
  run, with 1,000 seats) approved at once by ``services.registrations_review``,
  as the admin's action does: seconds, CPU seconds, queries.
"""

import json
import statistics
import sys
import time
from urllib.parse import urlencode

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
)
from registration_form import filled_in  # noqa: E402

from registrations import caching, services  # noqa: E402
from registrations.models import (  # noqa: E402
    Event,
    Organisation,
    Registration,
    Session,
)

ADMIN_LIST = "/admin/registrations/registration/"
REPEAT_ADMIN = 7
REPEAT_COLD = 20


def measured(client: Client, path: str, repeat: int) -> dict:
    """Return the medians of ``repeat`` requests of ``path``, after one to warm."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    walls, cpus, sqls, counts = [], [], [], []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started, cpu = time.perf_counter(), time.process_time()
            client.get(path)
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
        sqls.append(sum(float(query["time"]) for query in queries.captured_queries))
        counts.append(len(queries.captured_queries))
    return {
        "wall_ms": statistics.median(walls) * 1000,
        "cpu_ms": statistics.median(cpus) * 1000,
        "sql_ms": statistics.median(sqls) * 1000,
        "queries": max(counts),
        "rows": response.context["cl"].result_count if response.context else None,
    }


def admin_paths() -> dict[str, str]:
    session = Session.objects.order_by("pk").first()
    organisation = Organisation.objects.order_by("pk").first()
    someone = Registration.objects.order_by("pk")[Registration.objects.count() // 2]
    # The family name most seeded registrations share (the benchmark's own
    # submissions left out): a search that finds the most rows of any name.
    commonest = (
        Registration.objects.exclude(email__endswith="@pathbench.example")
        .values_list("family_name", flat=True)
        .annotate(total=Count("*"))
        .order_by("-total", "family_name")[0]
    )
    return {
        "unfiltered": "",
        "status": "?status__exact=pending",
        "session": f"?session={session.pk}",
        "organisation": f"?organisation__id__exact={organisation.pk}",
        "category": "?category__exact=academic",
        "country": "?country=TH",
        "name search": f"?q={someone.family_name}",
        "commonest name search": f"?{urlencode({'q': commonest})}",
        "email search": f"?q={someone.email}",
        "page 50": "?p=50",
    }


def cold_cpu_ms(client: Client, path: str) -> float:
    client.get(path)
    cpus = []
    for _ in range(REPEAT_COLD):
        caching.public_pages_changed()
        cpu = time.process_time()
        assert client.get(path).status_code == 200
        cpus.append(time.process_time() - cpu)
    return statistics.median(cpus) * 1000


def queries_of(client: Client, method: str, path: str, data=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        if method == "POST":
            client.post(path, data)
        else:
            client.get(path)
    return len(queries.captured_queries)


def bulk_review(event: Event, staff) -> dict:
    """Approve 500 pending registrations of a new event in one review."""
    run = time.time_ns()
    batch = Event.objects.create(
        title="Bulk review benchmark",
        slug=f"bulk-review-{run}",
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        registration_opens_at=event.registration_opens_at,
        registration_closes_at=event.registration_closes_at,
        venue=event.venue,
        host=event.host,
        capacity=1000,
    )
    Registration.objects.bulk_create(
        Registration(
            event=batch,
            given_name="Bulk",
            family_name=f"Review {number}",
            email=f"bulk{number}.{run}@pathbench.example",
            position="Officer",
            organisation_other="Benchmark NGO",
            country="TH",
            category=Registration.Category.NGO,
            consent_given_at=batch.registration_opens_at,
        )
        for number in range(500)
    )
    chosen = list(batch.registrations.all())
    with CaptureQueriesContext(connection) as queries:
        started, cpu = time.perf_counter(), time.process_time()
        outcome = services.registrations_review(
            registrations=chosen, decision=Registration.Status.APPROVED, by=staff
        )
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "queries": len(queries.captured_queries),
        "approved": len(outcome.changed),
    }


def main(staff_username: str, slug: str) -> None:
    setup_test_environment()
    event = Event.objects.get(slug=slug)
    form = f"/en/events/{event.slug}/register/"
    public = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="127.0.0.1")
    staff = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="127.0.0.1")
    user = get_user_model().objects.get(username=staff_username)
    staff.force_login(user)
    for path in ("/healthz/live", "/en/"):
        public.get(path)
    page = public.get(form).content.decode()
    # The first submission reads what the form offers, which the next ones
    # find kept (``caching.form_choices``): it warms, the second is counted.
    data = []
    for number in (1, 2):
        address = f"inprocess{time.time_ns()}@pathbench.example"
        fields = {}
        for name, value in filled_in(page, email=address, number=number):
            fields.setdefault(name, []).append(value)
        data.append(fields)
    public.post(form, data[0])
    admin = {
        name: measured(staff, ADMIN_LIST + query, REPEAT_ADMIN)
        for name, query in admin_paths().items()
    }
    print(
        json.dumps(
            {
                "queries": {
                    "bare": queries_of(public, "GET", "/healthz/live"),
                    "event page": queries_of(public, "GET", "/en/"),
                    "form": queries_of(public, "GET", form),
                    "submission": queries_of(public, "POST", form, data[1]),
                    "admin list": admin["unfiltered"]["queries"],
                },
                "cold": {
                    "event page": cold_cpu_ms(public, "/en/"),
                    "form": cold_cpu_ms(public, form),
                },
                "admin": admin,
                "bulk_review": bulk_review(event, user),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
