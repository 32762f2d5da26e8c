"""Load benchmark: gunicorn over TLS on PostgreSQL, driven by locust on this machine.

Run from the project's root with the project's Python (see benchmarks/README.md):

    python benchmarks/load_benchmark.py

It resets the benchmark database, migrates, loads the symposium, seeds fake
registrations, collects the static files, starts gunicorn in production mode
(DEBUG off, TLS with a self-signed certificate, Redis as the shared cache,
emails rendered but not sent), then runs locust headless once per user class
of ``locustfile.py``: the health check (the baseline), the home page, the form
and the submission each alone, then the three mixed. It stops gunicorn, counts
the registrations each run created, and prints the figures against the targets.
Raw CSV files, logs and a JSON summary go to benchmarks/out/.
"""

import argparse
import json
import os
import secrets
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import psycopg2
import redis

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
LOCUSTFILE = ROOT / "benchmarks" / "locustfile.py"

EMAIL_DOMAIN = "loadbench.example"
# Every simulated delegate comes from 127.0.0.1: the production limit (10/h per
# address) would refuse all but the first ten submissions.
RATE_LIMIT = "1000000/h"

# (run, locust user class, the requests it reports)
RUNS = [
    ("baseline", "BaselineUser", ["baseline"]),
    ("home", "HomeUser", ["home"]),
    ("form", "FormUser", ["form"]),
    ("submit", "SubmitUser", ["form", "submit"]),
    ("mix", "MixUser", ["home", "form", "submit"]),
]
SUBMITTING_RUNS = {"submit", "mix"}

TARGET_HOME_RATIO = 0.5
TARGET_SUBMIT_RATIO = 0.15
TARGET_SUBMIT_P99_MS = 250
# Above this share of the cores taken by other processes, a run is disturbed.
OTHER_LOAD_WARNING = 0.10


@dataclass
class RequestStats:
    requests: int
    failures: int
    per_second: float
    p50: float
    p95: float
    p99: float


@dataclass
class RunResult:
    name: str
    requests: dict[str, RequestStats]
    # Share of the machine's cores, by process group, during the run.
    cpu: dict[str, float] = field(default_factory=dict)
    # CPU milliseconds of the server side (gunicorn, its PostgreSQL backends,
    # Redis) per request: what a request costs, whatever else runs meanwhile.
    server_ms: float = 0.0
    created: int | None = None


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/symposium_loadbench",
        help="PostgreSQL database for the run; it is DROPPED and created again.",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/5",
        help="Redis database for the shared cache; it is emptied (FLUSHDB) first.",
    )
    parser.add_argument("--port", type=int, default=8443)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--threads", type=int, default=4, help="threads per gunicorn worker"
    )
    parser.add_argument("--users", type=int, default=8, help="locust users per run")
    parser.add_argument("--duration", type=int, default=60, help="seconds per run")
    parser.add_argument(
        "--seed-registrations",
        type=int,
        default=10_000,
        help="fake registrations created before the runs, so pages are realistic",
    )
    parser.add_argument(
        "--quiet-wait",
        type=int,
        default=180,
        help="seconds to wait before each run for other processes to go quiet",
    )
    parser.add_argument(
        "--runs",
        default=",".join(name for name, _, _ in RUNS),
        help="comma-separated subset of: " + ", ".join(name for name, _, _ in RUNS),
    )
    return parser.parse_args()


# Setting up


def server_environment(args: argparse.Namespace) -> dict[str, str]:
    """Return the production environment the server and its commands run with."""
    site = f"https://127.0.0.1:{args.port}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "symposium.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": site,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        # Emails are rendered as in production; the dummy backend drops them.
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "DEFAULT_FROM_EMAIL": f"Symposium benchmark <symposium@{EMAIL_DOMAIN}>",
        "REGISTRATION_RATE_LIMIT": RATE_LIMIT,
    }


def reset_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(
            f"Refusing to drop {name!r}: the benchmark's database name must "
            "contain 'bench'."
        )
    connection = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def manage(env: dict, *arguments: str) -> None:
    print(f"  manage.py {' '.join(arguments)}", flush=True)
    subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def make_certificate() -> tuple[Path, Path]:
    """Write a self-signed certificate for 127.0.0.1 and localhost."""
    certificate, key = OUT / "server.crt", OUT / "server.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec",
            "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", str(key), "-out", str(certificate), "-days", "2",
            "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return certificate, key


def connect(url: str):
    """Return a psycopg2 connection to the database ``url`` names."""
    parts = urlsplit(url)
    return psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname=parts.path.lstrip("/"),
    )


def query_one(url: str, sql: str, *params):
    connection = connect(url)
    with connection, connection.cursor() as cursor:
        cursor.execute(sql, params)
        value = cursor.fetchone()[0]
    connection.close()
    return value


# The server


def start_gunicorn(args, env, certificate: Path, key: Path) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "gunicorn", "symposium.wsgi",
        "--bind", f"127.0.0.1:{args.port}",
        "--workers", str(args.workers),
        "--certfile", str(certificate), "--keyfile", str(key),
    ]  # fmt: skip
    if args.threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(args.threads)]
    with open(OUT / "gunicorn.log", "w") as log:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    context = ssl._create_unverified_context()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(
                f"https://127.0.0.1:{args.port}/healthz/live",
                context=context,
                timeout=2,
            ) as response:
                if response.status == 200:
                    # Let every worker boot before measuring.
                    time.sleep(2)
                    return server
        except OSError:
            if server.poll() is not None:
                sys.exit(
                    "gunicorn stopped at start-up; see benchmarks/out/gunicorn.log"
                )
            time.sleep(0.5)
    stop(server)
    sys.exit("gunicorn did not answer within 60 s; see benchmarks/out/gunicorn.log")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# Measuring


GROUPS = ("gunicorn", "postgres", "redis")


def cpu_seconds(server: subprocess.Popen, database: str) -> dict[int, tuple]:
    """Return (group, CPU seconds so far) of each process of the server side.

    Only PostgreSQL's backends serving ``database`` count: other work on the
    same PostgreSQL (another project's tests, say) is "other".
    """
    master = psutil.Process(server.pid)
    processes = [(master, "gunicorn")]
    processes += [(child, "gunicorn") for child in master.children(recursive=True)]
    for process in psutil.process_iter(["name", "cmdline"]):
        name = process.info["name"] or ""
        command = " ".join(process.info["cmdline"] or [])
        if name.startswith("postgres") and f" {database} " in command:
            processes.append((process, "postgres"))
        elif name.startswith("redis-server"):
            processes.append((process, "redis"))
    used = {}
    for process, group in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        used[process.pid] = (group, times.user + times.system)
    return used


def cpu_used_between(before: dict, after: dict) -> dict[str, float]:
    """Return the CPU seconds each group used between two ``cpu_seconds``.

    A process started meanwhile (a new database connection) counts from zero;
    one that ended meanwhile is missed.
    """
    used = dict.fromkeys(GROUPS, 0.0)
    for pid, (group, seconds) in after.items():
        used[group] += seconds - before.get(pid, (group, 0.0))[1]
    return used


def machine_busy_seconds() -> float:
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def wait_for_quiet(limit: float) -> None:
    """Wait up to ``limit`` seconds for other processes to leave the cores idle.

    The server is idle between runs, so what keeps the machine busy then is
    someone else's work, which would take its share of the run.
    """
    deadline = time.monotonic() + limit
    while True:
        busy = psutil.cpu_percent(interval=3) / 100
        if busy <= OTHER_LOAD_WARNING or time.monotonic() > deadline:
            break
        print(f"    waiting: other processes keep {busy:.0%} of the cores busy")


def run_locust(args, env, server, name: str, user_class: str) -> RunResult:
    wait_for_quiet(args.quiet_wait)
    prefix = OUT / name
    locust_env = {**env, "BENCH_EMAIL_PREFIX": f"{env['BENCH_RUN_ID']}-{name}-"}
    # The CSV files hold the figures second by second; the JSON file, written
    # after the last user has finished its last request, holds the totals.
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "--users", str(args.users), "--spawn-rate", str(args.users),
        "--run-time", f"{args.duration}s", "--stop-timeout", "10",
        "--host", f"https://127.0.0.1:{args.port}",
        "--csv", str(prefix), "--csv-full-history", "--json-file", str(prefix),
        "--only-summary", "--loglevel", "WARNING",
        user_class,
    ]  # fmt: skip
    print(f"  {name}: {args.users} users for {args.duration} s", flush=True)
    database = urlsplit(args.database_url).path.lstrip("/")
    before_cpu, before_busy = cpu_seconds(server, database), machine_busy_seconds()
    before_children, started = os.times(), time.monotonic()
    with open(OUT / f"{name}.log", "w") as log:
        subprocess.run(command, cwd=ROOT, env=locust_env, stdout=log, stderr=log)
    wall = time.monotonic() - started
    after_children = os.times()
    after_cpu, after_busy = cpu_seconds(server, database), machine_busy_seconds()
    # locust is this script's only child while it runs; it has been waited for.
    locust_cpu = (after_children.children_user - before_children.children_user) + (
        after_children.children_system - before_children.children_system
    )
    capacity = wall * psutil.cpu_count()
    server_cpu = cpu_used_between(before_cpu, after_cpu)
    share = {group: server_cpu[group] / capacity for group in GROUPS}
    share["locust"] = locust_cpu / capacity
    share["machine"] = (after_busy - before_busy) / capacity
    share["other"] = max(
        share["machine"] - sum(share[g] for g in (*GROUPS, "locust")), 0
    )
    requests = read_stats(Path(f"{prefix}.json"))
    served = sum(stats.requests for stats in requests.values())
    server_seconds = sum(server_cpu.values())
    return RunResult(
        name=name,
        requests=requests,
        cpu=share,
        server_ms=1000 * server_seconds / served if served else 0.0,
    )


def percentile(times: dict[int, int], share: float) -> int:
    """Return the response time (ms) that ``share`` of the requests stayed within.

    ``times`` is locust's histogram: rounded milliseconds to a count.
    """
    total = sum(times.values())
    seen = 0
    for milliseconds in sorted(times):
        seen += times[milliseconds]
        if seen >= share * total:
            return milliseconds
    return 0


def read_stats(path: Path) -> dict[str, RequestStats]:
    entries = json.loads(path.read_text())
    if not entries:
        return {}
    # Throughput over the whole run, as locust computes it.
    elapsed = max(e["last_request_timestamp"] for e in entries) - min(
        e["start_time"] for e in entries
    )
    stats = {}
    for entry in entries:
        times = {int(ms): count for ms, count in entry["response_times"].items()}
        total = entry["num_requests"]

        stats[entry["name"]] = RequestStats(
            requests=total,
            failures=entry["num_failures"],
            per_second=total / elapsed if elapsed else 0.0,
            p50=percentile(times, 0.50),
            p95=percentile(times, 0.95),
            p99=percentile(times, 0.99),
        )
    return stats


# Reporting


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report(args, results: dict[str, RunResult]) -> list[str]:
    lines = [
        f"gunicorn: {args.workers} workers x {args.threads} threads "
        f"({'gthread' if args.threads > 1 else 'sync'}), TLS; "
        f"locust: {args.users} users, {args.duration} s per run, "
        f"{args.seed_registrations} registrations seeded; "
        f"REGISTRATION_RATE_LIMIT={RATE_LIMIT} for this run; CSRF on.",
        "",
        "| Run | Request | Requests | Failures | req/s | p50 ms | p95 ms | p99 ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, result in results.items():
        for request, stats in result.requests.items():
            lines.append(
                f"| {name} | {request} | {stats.requests} | {stats.failures} | "
                f"{stats.per_second:.1f} | {stats.p50:.0f} | {stats.p95:.0f} | "
                f"{stats.p99:.0f} |"
            )
    lines += [
        "",
        "CPU share of the machine's cores during each run (PostgreSQL: the "
        "backends of the benchmark's database; other: every other process):",
        "",
    ]
    lines += [
        "| Run | busy | gunicorn | locust | PostgreSQL | Redis | other "
        "| server CPU ms per request |"
    ]
    lines += ["|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, result in results.items():
        cpu = result.cpu
        lines.append(
            f"| {name} | {cpu['machine']:.0%} | {cpu['gunicorn']:.0%} | "
            f"{cpu['locust']:.0%} | {cpu['postgres']:.0%} | {cpu['redis']:.0%} | "
            f"{cpu['other']:.0%} | {result.server_ms:.2f} |"
        )
    busiest = max(results.values(), key=lambda result: result.cpu["other"])
    if busiest.cpu["other"] > OTHER_LOAD_WARNING:
        lines += [
            "",
            f"Other processes took {busiest.cpu['other']:.0%} of the cores during "
            f"the {busiest.name} run: its throughput is not this server's alone. "
            "The CPU per request is the steadier figure.",
        ]
    lines += ["", "Against the targets:", ""]
    lines += target_lines(results)
    return lines


def target_lines(results: dict[str, RunResult]) -> list[str]:
    lines = []
    baseline = results.get("baseline")
    base_rate = baseline.requests["baseline"].per_second if baseline else None
    for name, target in (("home", TARGET_HOME_RATIO), ("submit", TARGET_SUBMIT_RATIO)):
        run = results.get(name)
        if run is None or not base_rate:
            continue
        rate = run.requests[name].per_second
        ratio = rate / base_rate
        lines.append(
            f"- {name} alone / baseline: {rate:.1f} / {base_rate:.1f} req/s = "
            f"{ratio:.2f} (target >= {target}): {verdict(ratio >= target)}"
        )
        # The same ratio if the server's CPU were the only limit: the inverse
        # ratio of what one request costs (a submission is a form and a POST).
        cost = run.server_ms * len(run.requests)
        lines.append(
            f"  by server CPU per {name}: {baseline.server_ms:.2f} / {cost:.2f} ms "
            f"= {baseline.server_ms / cost:.2f}"
        )
    for name in ("submit", "mix"):
        run = results.get(name)
        if run is None:
            continue
        submit = run.requests.get("submit")
        if submit is None:
            continue
        lines.append(
            f"- submit p99 in the {name} run: {submit.p99:.0f} ms "
            f"(target < {TARGET_SUBMIT_P99_MS}): "
            f"{verdict(submit.p99 < TARGET_SUBMIT_P99_MS)}"
        )
        succeeded = submit.requests - submit.failures
        lines.append(
            f"- registrations in the database after the {name} run: {run.created} "
            f"for {succeeded} successful submissions: "
            f"{verdict(run.created == succeeded)}"
        )
    failures = sum(
        stats.failures for run in results.values() for stats in run.requests.values()
    )
    lines.append(f"- failed requests, all runs: {failures}: {verdict(failures == 0)}")
    return lines


def main() -> None:
    args = parse_args()
    chosen = set(args.runs.split(","))
    unknown = chosen - {name for name, _, _ in RUNS}
    if unknown:
        sys.exit(f"Unknown runs: {', '.join(sorted(unknown))}")
    OUT.mkdir(parents=True, exist_ok=True)
    env = server_environment(args)
    env["BENCH_RUN_ID"] = time.strftime("lb%Y%m%d%H%M%S")
    env["BENCH_EMAIL_DOMAIN"] = EMAIL_DOMAIN

    print("Setting up (the benchmark database and Redis db are emptied):", flush=True)
    reset_database(args.database_url)
    redis.Redis.from_url(args.redis_url).flushdb()
    manage(env, "migrate", "--noinput")
    manage(env, "load_symposium")
    if args.seed_registrations:
        manage(
            env, "seed_fake_registrations", "--count", str(args.seed_registrations),
            "--seed", "1",
        )  # fmt: skip
    manage(env, "collectstatic", "--noinput", "--clear")
    # Statistics for the query planner, as autovacuum keeps them in production.
    query_one(args.database_url, "ANALYZE; SELECT 1")
    env["BENCH_EVENT_SLUG"] = query_one(
        args.database_url,
        "SELECT slug FROM registrations_event ORDER BY starts_at DESC LIMIT 1",
    )
    certificate, key = make_certificate()

    print(
        f"Serving with gunicorn ({args.workers} workers x {args.threads} threads, "
        f"TLS). REGISTRATION_RATE_LIMIT is raised to {RATE_LIMIT} for this run, "
        "since every simulated delegate comes from 127.0.0.1; CSRF checks stay on.",
        flush=True,
    )
    results: dict[str, RunResult] = {}
    server = start_gunicorn(args, env, certificate, key)
    try:
        for name, user_class, _ in RUNS:
            if name in chosen:
                results[name] = run_locust(args, env, server, name, user_class)
    finally:
        stop(server)

    for name in SUBMITTING_RUNS & results.keys():
        results[name].created = query_one(
            args.database_url,
            "SELECT count(*) FROM registrations_registration WHERE email LIKE %s",
            f"{env['BENCH_RUN_ID']}-{name}-%@{EMAIL_DOMAIN}",
        )

    lines = report(args, results)
    print("\n" + "\n".join(lines))
    (OUT / "results.md").write_text("\n".join(lines) + "\n")
    (OUT / "results.json").write_text(
        json.dumps(
            {
                "settings": vars(args) | {"rate_limit": RATE_LIMIT},
                "runs": {name: asdict(result) for name, result in results.items()},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
