"""Measure the staff's statistics page at 100,000 registrations on PostgreSQL.

Run it by hand against a PostgreSQL database of its own (see README.md here):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/symposium_statistics_bench \\
        .venv/bin/python benchmarks/statistics_benchmark.py

It migrates the database, loads the symposium and tops its registrations up
to ``--rows`` (100,000) with ``seed_fake_registrations``, gives a few
delegations members, then requests the page the way a browser does (Django's
test client through every middleware, signed in as a member of staff with
the permission), ``--repeat`` times after one warm-up request. It prints the
median and the slowest time, the number of queries and the page's size, and
the time of the counting alone (``selectors.statistics.event_statistics``).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 1.0


def setup_django() -> None:
    sys.path.insert(0, str(PROJECT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "symposium.settings")
    os.environ.setdefault("DEBUG", "true")
    # The second factor the admin asks for is not what is measured here.
    os.environ.setdefault("STAFF_TWO_FACTOR_REQUIRED", "false")
    import django

    django.setup()


def prepare(rows: int, seed: int):
    """Migrate, load the symposium, and top its registrations up to ``rows``."""
    from django.core.management import call_command
    from django.db import connection

    from registrations.models import Event

    if connection.vendor != "postgresql":
        sys.exit("The target is set for PostgreSQL: set DATABASE_URL.")
    call_command("migrate", verbosity=0)
    call_command("load_symposium", verbosity=0, stdout=open(os.devnull, "w"))
    event = Event.objects.current()
    missing = rows - event.registrations.count()
    if missing > 0:
        print(f"Seeding {missing:,} registrations ...", flush=True)
        call_command(
            "seed_fake_registrations",
            count=missing,
            seed=seed,
            event=event.slug,
            stdout=open(os.devnull, "w"),
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return event


def staff_member():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user, _created = get_user_model().objects.get_or_create(
        username="statistics-benchmark", defaults={"is_staff": True}
    )
    user.user_permissions.add(Permission.objects.get(codename="view_statistics"))
    return user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2027)
    arguments = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from registrations.selectors.statistics import event_statistics

    event = prepare(arguments.rows, arguments.seed)
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    client = Client()
    client.force_login(staff_member())
    url = reverse("registrations:staff_statistics")
    client.get(url, {"event": event.slug})
    times = []
    for _ in range(arguments.repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, {"event": event.slug})
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    counting = []
    for _ in range(arguments.repeat):
        started = time.perf_counter()
        event_statistics(event, rest_label="Other countries (%(count)s)")
        counting.append(time.perf_counter() - started)
    median = statistics.median(times)
    print(f"Registrations: {event.registrations.count():,}")
    print(
        f"Page: median {median:.3f} s, slowest {max(times):.3f} s over "
        f"{arguments.repeat} requests; {len(queries)} queries; "
        f"{len(response.content) / 1024:.0f} KiB"
    )
    print(f"Counting alone: median {statistics.median(counting):.3f} s")
    print(f"Load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    verdict = "met" if median < TARGET_SECONDS else "MISSED"
    print(f"Target (under {TARGET_SECONDS:.0f} s at the median): {verdict}")


if __name__ == "__main__":
    main()
