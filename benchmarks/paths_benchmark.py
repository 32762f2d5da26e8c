"""Every path of issue 16 in one run, each against the bare view in the same run.

Run from the project's root with the project's Python (see benchmarks/README.md):

    python benchmarks/paths_benchmark.py --database-url postgres://.../sym16_bench

It migrates the database it is given (it does not drop it), seeds fake
registrations up to ``--registrations``, collects the static files, starts
gunicorn in production mode over TLS (``load_benchmark.py``'s setup, with
``STAFF_TWO_FACTOR_REQUIRED`` off so that a signed-in session serves the
admin), then, ``--rounds`` times, loads the bare view (``/healthz/live``) and
each path in turn for ``--duration`` seconds with ``--clients`` keep-alive
connections: the event page, the blank form, the form's POST (a fresh address
each, the CSRF token of the client's page reused), the reviewers' list at the
database's size. It reads the server's CPU (gunicorn and the PostgreSQL
backends of this database; Redis is shared with other work and left out)
around each run, and prints per path the medians: requests per second and its
ratio to the bare view's in the same round, p50/p99, server CPU milliseconds
per request (and PostgreSQL's part of it) and its ratio, queries per request.
Then the CSV export of every registration against PostgreSQL's raw ``COPY``
of the table, and the in-process figures of ``paths_inprocess.py``: the cold
event page and form, and the reviewers' list with each filter. The machine's
load average is printed beside each figure.
"""

import argparse
import http.client
import json
import os
import ssl
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg2
from load_benchmark import (
    OUT,
    ROOT,
    connect,
    cpu_seconds,
    cpu_used_between,
    make_certificate,
    manage,
    query_one,
    server_environment,
    start_gunicorn,
    stop,
)
from registration_form import filled_in

ADMIN_LIST = "/admin/registrations/registration/"
STAFF = "pathbench-staff"
PATHS = ["event page", "form", "submission", "admin list"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/8")
    parser.add_argument("--port", type=int, default=8643)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--registrations", type=int, default=100_000)
    parser.add_argument("--paths", default=",".join(PATHS))
    parser.add_argument(
        "--load-only",
        action="store_true",
        help="only the paths under load: no export, nothing in process",
    )
    return parser.parse_args()


def load_average() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


# Setting up


def prepare(args, env) -> tuple[str, str]:
    """Migrate, seed, and return the event's slug and a staff session key."""
    manage(env, "migrate", "--noinput")
    if not query_one(args.database_url, "SELECT COUNT(*) FROM registrations_event"):
        manage(env, "load_symposium")
    have = query_one(
        args.database_url, "SELECT COUNT(*) FROM registrations_registration"
    )
    if have < args.registrations:
        manage(
            env, "seed_fake_registrations", "--count", str(args.registrations - have)
        )
    vacuum(args.database_url)
    manage(env, "collectstatic", "--noinput")
    script = (
        "from importlib import import_module\n"
        "from django.conf import settings\n"
        "from django.contrib.auth import get_user_model\n"
        "from registrations.models import Event\n"
        f"user, _ = get_user_model().objects.get_or_create(username={STAFF!r})\n"
        "user.is_staff = user.is_superuser = True\n"
        "user.save()\n"
        "store = import_module(settings.SESSION_ENGINE).SessionStore()\n"
        "store['_auth_user_id'] = str(user.pk)\n"
        "store['_auth_user_backend'] = 'django.contrib.auth.backends.ModelBackend'\n"
        "store['_auth_user_hash'] = user.get_session_auth_hash()\n"
        "store.save()\n"
        "print(Event.objects.order_by('pk').first().slug, store.session_key)\n"
    )
    found = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    slug, session_key = found.stdout.split()[-2:]
    return slug, session_key


def vacuum(url: str) -> None:
    """Vacuum and analyse the database, as autovacuum keeps a live one.

    Just seeded, its tables have no visibility map yet, so PostgreSQL reads
    the table rather than the index alone for the waiting list's numbering.
    """
    connection = connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()


# The load


class Connection:
    """One client: a keep-alive TLS connection and the cookies it was given."""

    def __init__(self, port: int, cookies: dict[str, str]):
        context = ssl._create_unverified_context()
        self.http = http.client.HTTPSConnection("127.0.0.1", port, context=context)
        self.cookies = dict(cookies)

    def request(self, method: str, path: str, body: str | None = None) -> tuple:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://127.0.0.1:{self.http.port}{path}"
        self.http.request(method, path, body=body, headers=headers)
        response = self.http.getresponse()
        content = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, content.decode(errors="replace")


def client_loop(args, path: str, slug: str, session: str, until: float, out: list):
    """Send requests of ``path`` until ``until``; append (latency, ok) to ``out``."""
    connection = Connection(
        args.port, {"sessionid": session} if path == "admin list" else {}
    )
    form = f"/en/events/{slug}/register/"
    targets = {"bare": "/healthz/live", "event page": "/en/", "form": form,
               "admin list": ADMIN_LIST}  # fmt: skip
    fields = None
    if path == "submission":
        fields = filled_in(connection.request("GET", form)[1], email="x", number=1)
    number = 0
    while time.monotonic() < until:
        number += 1
        started = time.perf_counter()
        if path == "submission":
            email = f"path{time.time_ns()}.{number}@pathbench.example"
            data = [(k, email if k.startswith("email") else v) for k, v in fields]
            status, _ = connection.request("POST", form, urlencode(data))
            ok = status == 302
        else:
            status, _ = connection.request("GET", targets[path])
            ok = status == 200
        out.append((time.perf_counter() - started, ok))


def run(args, server, database: str, path: str, slug: str, session: str) -> dict:
    results: list = []
    until = time.monotonic() + args.duration
    before = cpu_seconds(server, database)
    started = time.monotonic()
    arguments = (args, path, slug, session, until, results)
    threads = [
        threading.Thread(target=client_loop, args=arguments)
        for _ in range(args.clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    used = cpu_used_between(before, cpu_seconds(server, database))
    latencies = sorted(latency for latency, _ in results)
    count = len(latencies)
    return {
        "requests": count,
        "failures": sum(1 for _, ok in results if not ok),
        "per_second": count / wall,
        "p50": latencies[count // 2] * 1000,
        "p99": latencies[min(count - 1, int(count * 0.99))] * 1000,
        "cpu_ms": (used["gunicorn"] + used["postgres"]) * 1000 / max(count, 1),
        "database_cpu_ms": used["postgres"] * 1000 / max(count, 1),
        "load": load_average(),
    }


# The export against COPY


def export_against_copy(args, server, database: str, session: str) -> dict:
    """Time the admin's CSV export of every registration against the raw COPY.

    Wall seconds, and the server's CPU seconds: gunicorn's and the database's
    for the export, the database's for the COPY.
    """
    export_seconds, copy_seconds, export_cpu, copy_cpu = [], [], [], []
    for _ in range(3):
        connection = Connection(args.port, {"sessionid": session})
        before = cpu_seconds(server, database)
        started = time.perf_counter()
        status, body = connection.request("GET", ADMIN_LIST + "export/")
        export_seconds.append(time.perf_counter() - started)
        used = cpu_used_between(before, cpu_seconds(server, database))
        export_cpu.append(used["gunicorn"] + used["postgres"])
        assert status == 200, status
        parts = urlsplit(args.database_url)
        copying = psycopg2.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username,
            dbname=parts.path.lstrip("/"),
        )
        with copying.cursor() as cursor, open(os.devnull, "w") as sink:
            before = cpu_seconds(server, database)
            started = time.perf_counter()
            cursor.copy_expert(
                "COPY registrations_registration TO STDOUT WITH CSV HEADER", sink
            )
            copy_seconds.append(time.perf_counter() - started)
            copy_cpu.append(
                cpu_used_between(before, cpu_seconds(server, database))["postgres"]
            )
        copying.close()
    return {
        "export_s": statistics.median(export_seconds),
        "copy_s": statistics.median(copy_seconds),
        "export_cpu_s": statistics.median(export_cpu),
        "copy_cpu_s": statistics.median(copy_cpu),
        "rows": body.count("\n") - 1,
        "load": load_average(),
    }


# The report


def median_of(rounds: list[dict], key: str) -> float:
    return statistics.median(result[key] for result in rounds)


def report_load(table: dict, queries: dict) -> None:
    print(
        "\n| Path | req/s | × bare | p50 ms | p99 ms | server CPU ms/req "
        "| of which PostgreSQL | × bare CPU | queries | load |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for path, (rounds, bares) in table.items():
        ratios = [
            r["per_second"] / b["per_second"]
            for r, b in zip(rounds, bares, strict=True)
        ]
        cpu_ratios = [
            b["cpu_ms"] / r["cpu_ms"] for r, b in zip(rounds, bares, strict=True)
        ]
        print(
            f"| {path} | {median_of(rounds, 'per_second'):,.1f} "
            f"| {statistics.median(ratios):.3f} "
            f"| {median_of(rounds, 'p50'):.0f} | {median_of(rounds, 'p99'):.0f} "
            f"| {median_of(rounds, 'cpu_ms'):.2f} "
            f"| {median_of(rounds, 'database_cpu_ms'):.2f} "
            f"| {statistics.median(cpu_ratios):.3f} "
            f"| {queries.get(path, '')} | {rounds[-1]['load']} |"
        )
        failures = sum(r["failures"] for r in rounds)
        if failures:
            print(f"|  {path}: {failures} failed requests |")
    bare_cpu = [b["cpu_ms"] for _, bares in table.values() for b in bares]
    print(f"\nBare view: {statistics.median(bare_cpu):.2f} ms server CPU per request.")


def report(
    table: dict, queries: dict, extra: dict, export: dict, inprocess: dict
) -> None:
    report_load(table, queries)
    print(f"Cold pages (in-process CPU ms): {json.dumps(extra)}")
    print(
        f"\nCSV export of {export['rows']:,} rows: {export['export_s']:.2f} s; "
        f"raw COPY of the table {export['copy_s']:.2f} s; "
        f"ratio {export['copy_s'] / export['export_s']:.2f} (load {export['load']})"
        f"\n  server CPU: export {export['export_cpu_s']:.2f} s (gunicorn and "
        f"PostgreSQL), COPY {export['copy_cpu_s']:.2f} s (PostgreSQL); "
        f"ratio {export['copy_cpu_s'] / export['export_cpu_s']:.2f}"
    )
    print("\n| Reviewers' list | rows | wall ms | CPU ms | SQL ms | queries |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, figures in inprocess.items():
        print(
            f"| {name} | {figures['rows']:,} | {figures['wall_ms']:.0f} "
            f"| {figures['cpu_ms']:.0f} | {figures['sql_ms']:.0f} "
            f"| {figures['queries']} |"
        )


def main() -> None:
    args = parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    env = server_environment(args)
    env["STAFF_TWO_FACTOR_REQUIRED"] = "false"
    env["REGISTRATION_ADDRESS_RATE_LIMIT"] = env["REGISTRATION_RATE_LIMIT"]
    slug, session = prepare(args, env)
    database = urlsplit(args.database_url).path.lstrip("/")
    certificate, key = make_certificate()
    server = start_gunicorn(args, env, certificate, key)
    table = {}
    try:
        paths = args.paths.split(",")
        for path in paths:
            table[path] = ([], [])
        for number in range(args.rounds):
            for path in paths:
                print(
                    f"  round {number + 1}: bare, {path} (load {load_average()})",
                    flush=True,
                )
                table[path][1].append(
                    run(args, server, database, "bare", slug, session)
                )
                table[path][0].append(run(args, server, database, path, slug, session))
        if args.load_only:
            report_load(table, {})
            return
        export = export_against_copy(args, server, database, session)
    finally:
        stop(server)
    inprocess_env = {
        **env,
        "PYTHONPATH": f"{ROOT}:{ROOT / 'benchmarks'}",
        "SECURE_SSL_REDIRECT": "false",
    }
    script = Path(__file__).with_name("paths_inprocess.py")
    found = subprocess.run(
        [sys.executable, str(script), STAFF, slug],
        cwd=ROOT,
        env=inprocess_env,
        capture_output=True,
        text=True,
        check=True,
    )
    inprocess = json.loads(found.stdout.strip().splitlines()[-1])
    queries = inprocess["queries"]
    report(table, queries, inprocess["cold"], export, inprocess["admin"])
    print(f"\nBare view queries per request: {queries['bare']}")
    print(f"Bulk review of 500 (in-process): {json.dumps(inprocess['bulk_review'])}")


if __name__ == "__main__":
    main()
