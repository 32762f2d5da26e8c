"""Measure the attendee export against PostgreSQL's own COPY, at two list sizes.

Run it by hand against a PostgreSQL database of its own (see README.md here):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/symposium_exports_bench \\
        .venv/bin/python benchmarks/export_benchmark.py

It migrates the database, loads the symposium and tops its registrations up to
``--rows`` (100,000) with ``seed_fake_registrations``. Then, for 1,000 rows and
for all of them, it runs the export in a fresh process each time, the way the
app streams it (``audit.export_start`` iterated to the last byte), as CSV and
as XLSX, recording rows per second, the CPU seconds of the process and of its
PostgreSQL backend (read from ``/proc``: the database runs on this machine)
and the process's peak resident memory;
and PostgreSQL's ``COPY (SELECT ...) TO STDOUT WITH CSV`` of the same columns
into a sink, the limit on this machine. It prints the export/COPY throughput
ratio and the memory growth from the small list to the large one against the
targets.
PostgreSQL's JIT compiler is turned off for the measurements unless
``--server-jit`` is given (see ``in_fresh_process``).
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SMALL = 1_000
TARGET_RATIO = 0.25
TARGET_GROWTH_MB = 30


def setup_django() -> None:
    sys.path.insert(0, str(PROJECT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "symposium.settings")
    # The settings refuse production mode without a secret key and the rest;
    # a benchmark is a local run.
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()


def peak_rss_mb() -> float:
    """Return this process's peak resident memory so far, in MiB.

    Linux's VmHWM, not ``getrusage``'s ru_maxrss: the latter survives exec, so a
    child would report the peak of the parent that seeded the database.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def backend_cpu_seconds() -> float:
    """Return the CPU seconds this connection's PostgreSQL backend has used.

    Read from ``/proc``: the database runs on this machine.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Sink:
    """A file that keeps nothing: it counts the bytes written to it."""

    def __init__(self):
        self.size = 0

    def write(self, data) -> int:
        self.size += len(data)
        return len(data)


def measured_registrations(rows: int):
    """Return the event, the id of its ``rows``-th registration, and its first ``rows``.

    The registrations come in the command's order.
    """
    from registrations.documents import selection
    from registrations.models import Event

    event = Event.objects.current()
    registrations = selection.registrations_matching(event=event)
    last_pk = (
        registrations.order_by("pk").values_list("pk", flat=True)[rows - 1 : rows].get()
    )
    return event, last_pk, registrations.filter(pk__lte=last_pk)


def measure_export(rows: int, file_format: str = "csv") -> dict:
    """Stream the export of ``rows`` registrations to a sink, as a download would."""
    from registrations.documents import audit
    from registrations.documents.selection import Selection
    from registrations.models import ExportLog

    event, _, registrations = measured_registrations(rows)
    before = peak_rss_mb()
    database_before = backend_cpu_seconds()
    cpu_started = time.process_time()
    started = time.perf_counter()
    export = audit.export_start(
        selection=Selection(
            registrations=registrations,
            kind=ExportLog.Kind.COMMAND,
            event=event,
            name=f"benchmark-{rows}",
            filters={"benchmark": rows},
        ),
        user=None,
        file_format=file_format,
    )
    sink = Sink()
    for chunk in export:
        sink.write(chunk)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    assert export.rows_written == rows, (export.rows_written, rows)
    return {
        "rows": rows,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "database_cpu_seconds": backend_cpu_seconds() - database_before,
        "bytes": sink.size,
        "rss_before_mb": before,
        "peak_rss_mb": peak_rss_mb(),
    }


def copy_sql(event_id: int, last_pk: int) -> str:
    """Return the COPY of the export's columns, computed by PostgreSQL alone.

    The same rows, order and columns; the database cannot translate labels or
    country names, so it gives the stored values (the country code twice), and
    it does not neutralise formulas.
    """
    from django.contrib.auth import get_user_model

    from registrations.models import (
        Organisation,
        Registration,
        RegistrationSession,
        Session,
    )

    registration = Registration._meta.db_table
    chosen = RegistrationSession._meta.db_table
    session = Session._meta.db_table
    organisation = Organisation._meta.db_table
    user = get_user_model()._meta.db_table
    tokyo = "AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+09:00\"'"
    return f"""
        COPY (
            SELECT r.id, r.status, r.honorific, r.family_name, r.given_name,
                   r.name_ja, r.email, COALESCE(o.name, r.organisation_other),
                   o.kind, r.position, r.country, r.country, r.category,
                   (SELECT string_agg(s.title, '; ' ORDER BY s.starts_at, s.title)
                      FROM {chosen} c JOIN {session} s ON s.id = c.session_id
                     WHERE c.registration_id = r.id),
                   r.dietary_needs, r.accessibility_needs, r.interpretation,
                   to_char(r.submitted_at {tokyo}),
                   to_char(r.reviewed_at {tokyo}),
                   u.username
              FROM {registration} r
              LEFT JOIN {organisation} o ON o.id = r.organisation_id
              LEFT JOIN {user} u ON u.id = r.reviewed_by_id
             WHERE r.event_id = {int(event_id)} AND r.id <= {int(last_pk)}
             ORDER BY r.family_name, r.given_name, r.id
        ) TO STDOUT WITH CSV HEADER
    """


def measure_copy(rows: int) -> dict:
    """Run PostgreSQL's COPY of the same rows and columns into a sink."""
    from django.db import connection

    event, last_pk, _ = measured_registrations(rows)
    sink = Sink()
    connection.ensure_connection()
    database_before = backend_cpu_seconds()
    cpu_started = time.process_time()
    started = time.perf_counter()
    with connection.connection.cursor() as cursor:
        cursor.copy_expert(copy_sql(event.pk, last_pk), sink)
    seconds = time.perf_counter() - started
    return {
        "rows": rows,
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu_started,
        "database_cpu_seconds": backend_cpu_seconds() - database_before,
        "bytes": sink.size,
    }


def in_fresh_process(what: str, rows: int, *, server_jit: bool) -> dict:
    """Run one measurement in a new Python process, so that its memory is its own.

    Unless ``server_jit``, PostgreSQL's JIT compiler is off for it: on this
    machine it spends about two seconds compiling these queries, which would
    hide the cost of the work itself on both sides and flatter the ratio.
    """
    environment = dict(os.environ)
    if not server_jit:
        environment["PGOPTIONS"] = f"{environment.get('PGOPTIONS', '')} -c jit=off"
    finished = subprocess.run(
        [sys.executable, __file__, f"--measure-{what}", str(rows)],
        check=True,
        capture_output=True,
        text=True,
        env=environment,
    )
    return json.loads(finished.stdout.strip().splitlines()[-1])


def prepare(rows: int, seed: int) -> None:
    """Migrate, load the symposium, and top its registrations up to ``rows``."""
    from django.core.management import call_command
    from django.db import connection

    from registrations.models import Event

    if connection.vendor != "postgresql":
        sys.exit("This benchmark compares with PostgreSQL's COPY: set DATABASE_URL.")
    call_command("migrate", verbosity=0)
    call_command("load_symposium", verbosity=0, stdout=Sink())
    event = Event.objects.current()
    missing = rows - event.registrations.count()
    if missing > 0:
        print(f"Seeding {missing:,} registrations ...", flush=True)
        call_command(
            "seed_fake_registrations",
            count=missing,
            seed=seed,
            event=event.slug,
            stdout=sys.stdout,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="Runs of each; median.")
    parser.add_argument(
        "--server-jit",
        action="store_true",
        help="Keep the server's JIT setting instead of turning JIT off.",
    )
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--measure-export", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure-copy", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure-xlsx", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    setup_django()
    if arguments.measure_export:
        print(json.dumps(measure_export(arguments.measure_export)))
        return
    if arguments.measure_xlsx:
        print(json.dumps(measure_export(arguments.measure_xlsx, "xlsx")))
        return
    if arguments.measure_copy:
        print(json.dumps(measure_copy(arguments.measure_copy)))
        return

    prepare(arguments.rows, arguments.seed)
    results = {}
    for rows in (SMALL, arguments.rows):
        for what in ("export", "xlsx", "copy"):
            runs = [
                in_fresh_process(what, rows, server_jit=arguments.server_jit)
                for _ in range(arguments.repeat)
            ]
            results[what, rows] = {
                "rows_per_second": statistics.median(
                    run["rows"] / run["seconds"] for run in runs
                ),
                "cpu_seconds": statistics.median(run["cpu_seconds"] for run in runs),
                "database_cpu_seconds": statistics.median(
                    run["database_cpu_seconds"] for run in runs
                ),
                "megabytes": runs[0]["bytes"] / 1e6,
                "peak_rss_mb": max(run.get("peak_rss_mb", 0) for run in runs),
                "rss_before_mb": max(run.get("rss_before_mb", 0) for run in runs),
            }

    jit = "the server's JIT setting" if arguments.server_jit else "JIT off"
    print(f"\nMedian of {arguments.repeat} runs, each in a fresh process, {jit}:")
    for (what, rows), result in results.items():
        line = (
            f"{what:>6} {rows:>9,} rows: {result['rows_per_second']:>8,.0f} rows/s, "
            f"{result['megabytes']:5.1f} MB of {'XLSX' if what == 'xlsx' else 'CSV'}, "
            f"CPU {result['cpu_seconds']:.2f} s here and "
            f"{result['database_cpu_seconds']:.2f} s in PostgreSQL"
        )
        if what in ("export", "xlsx"):
            line += (
                f", RSS {result['rss_before_mb']:.1f} MB before, "
                f"{result['peak_rss_mb']:.1f} MB at its peak"
            )
        print(line)
    large = arguments.rows
    ratio = (
        results["export", large]["rows_per_second"]
        / results["copy", large]["rows_per_second"]
    )
    growth = {
        what: results[what, large]["peak_rss_mb"] - results[what, SMALL]["peak_rss_mb"]
        for what in ("export", "xlsx")
    }
    cpu = {
        what: results[what, large]["cpu_seconds"]
        + results[what, large]["database_cpu_seconds"]
        for what in ("export", "copy")
    }
    print(
        f"\nExport/COPY throughput at {large:,} rows: {ratio:.2f} "
        f"(target at least {TARGET_RATIO}): "
        f"{'met' if ratio >= TARGET_RATIO else 'MISSED'}; "
        f"by CPU (here and in PostgreSQL): {cpu['copy'] / cpu['export']:.2f}; "
        f"load {'/'.join(f'{value:.2f}' for value in os.getloadavg())}"
    )
    for what, label in (("export", "CSV"), ("xlsx", "XLSX")):
        print(
            f"{label} peak RSS growth from {SMALL:,} to {large:,} rows: "
            f"{growth[what]:+.1f} MB (target at most {TARGET_GROWTH_MB} MB): "
            f"{'met' if growth[what] <= TARGET_GROWTH_MB else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
