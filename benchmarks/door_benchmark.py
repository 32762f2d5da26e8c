"""Door benchmark: scans redeemed per second on gunicorn + PostgreSQL, by locust.

Run from the project's root with the project's Python (see benchmarks/README.md):

    python benchmarks/door_benchmark.py

It resets the benchmark database, migrates, loads the symposium, seeds and
approves delegates, gives each a badge, creates a door staff member, starts
gunicorn in production mode (DEBUG off, TLS, Redis) and runs locust headless
twice: ``OnlineDoor`` (one scan a request) and ``OfflineDoor`` (queues of 20
offline scans), from ``door_locustfile.py``. It then counts the check-ins
written and checks that no nonce was recorded twice. Figures, logs and CSV
files go to benchmarks/out/.
"""

import argparse
import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import redis
from load_benchmark import (
    OUT,
    ROOT,
    make_certificate,
    manage,
    query_one,
    read_stats,
    reset_database,
    server_environment,
    start_gunicorn,
    stop,
    wait_for_quiet,
)

LOCUSTFILE = ROOT / "benchmarks" / "door_locustfile.py"
HASHES = OUT / "door_badges.txt"
RUNS = [
    ("online", "OnlineDoor", "redeem", 1),
    ("offline", "OfflineDoor", "sync 20", 20),
]

# Approve every seeded delegate, give each a badge, make the door's user, and
# write the badge hashes the tablets will "read".
SETUP = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from registrations.models import Badge, Event, Registration
from registrations.models.badges import new_badge_secret, new_short_code, secret_hash
event = Event.objects.order_by("-starts_at").first()
Registration.objects.filter(event=event).update(status="approved")
badges = []
chosen = Registration.objects.filter(event=event)
for registration_id in chosen.values_list("pk", flat=True):
    secret = new_badge_secret()
    badges.append(Badge(registration_id=registration_id, version=1, secret=secret,
        secret_sha256=secret_hash(secret), short_code=new_short_code()))
Badge.objects.bulk_create(badges, batch_size=1000)
open({hashes!r}, "w").write("\\n".join(b.secret_sha256 for b in badges))
user = get_user_model().objects.create_user(
    "door", "door@bench.example", {password!r}, is_staff=True
)
user.groups.add(Group.objects.get(name="Door staff"))
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/sym13_doorbench",
        help="PostgreSQL database for the run; it is DROPPED and created again.",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--port", type=int, default=8343)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--users", type=int, default=8, help="tablets per run")
    parser.add_argument("--duration", type=int, default=30, help="seconds per run")
    parser.add_argument("--delegates", type=int, default=1000)
    parser.add_argument("--quiet-wait", type=int, default=60)
    return parser.parse_args()


def run_locust(args, env, name: str, user_class: str) -> dict:
    wait_for_quiet(args.quiet_wait)
    prefix = OUT / f"door-{name}"
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "--users", str(args.users), "--spawn-rate", str(args.users),
        "--run-time", f"{args.duration}s", "--stop-timeout", "10",
        "--host", f"https://127.0.0.1:{args.port}",
        "--json-file", str(prefix), "--only-summary", "--loglevel", "WARNING",
        user_class,
    ]  # fmt: skip
    load_before = os.getloadavg()
    with open(OUT / f"door-{name}.log", "w") as log:
        subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    return {"stats": read_stats(Path(f"{prefix}.json")), "load": load_before}


def main() -> None:
    args = parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(16)
    env = {
        **server_environment(args),
        "STAFF_TWO_FACTOR_REQUIRED": "false",
        "AXES_FAILURE_LIMIT": "1000",
        "BENCH_BADGE_HASHES": str(HASHES),
        "BENCH_DOOR_PASSWORD": password,
    }
    print("Setting up (the benchmark database and Redis db are emptied):", flush=True)
    reset_database(args.database_url)
    redis.Redis.from_url(args.redis_url).flushdb()
    manage(env, "migrate", "--noinput")
    manage(env, "load_symposium")
    manage(
        env, "seed_fake_registrations", "--count", str(args.delegates), "--seed", "1"
    )
    manage(env, "shell", "-c", SETUP.format(hashes=str(HASHES), password=password))
    manage(env, "collectstatic", "--noinput", "--clear")
    query_one(args.database_url, "ANALYZE; SELECT 1")
    env["BENCH_EVENT_SLUG"] = query_one(
        args.database_url,
        "SELECT slug FROM registrations_event ORDER BY starts_at DESC LIMIT 1",
    )
    certificate, key = make_certificate()
    server = start_gunicorn(args, env, certificate, key)
    results = {}
    try:
        for name, user_class, _, _ in RUNS:
            print(f"  {name}: {args.users} tablets for {args.duration} s", flush=True)
            results[name] = run_locust(args, env, name, user_class)
    finally:
        stop(server)
    written = query_one(args.database_url, "SELECT count(*) FROM registrations_checkin")
    nonces = query_one(
        args.database_url, "SELECT count(DISTINCT nonce) FROM registrations_checkin"
    )
    print(
        f"\ngunicorn {args.workers} workers x {args.threads} threads, TLS, "
        f"PostgreSQL; {args.delegates} delegates; {args.users} tablets, "
        f"{args.duration} s per run."
    )
    for name, _, request, scans in RUNS:
        stats = results[name]["stats"].get(request)
        load = ", ".join(f"{value:.2f}" for value in results[name]["load"])
        if stats is None:
            print(f"{name}: no request recorded; see benchmarks/out/door-{name}.log")
            continue
        print(
            f"{name}: {stats.per_second:.0f} requests/s = "
            f"{stats.per_second * scans:.0f} scans/s; p50 {stats.p50} ms, "
            f"p95 {stats.p95} ms, p99 {stats.p99} ms; {stats.failures} failures "
            f"of {stats.requests}; load average before: {load}"
        )
    print(f"check-ins written: {written}, distinct nonces: {nonces}")
    database = urlsplit(args.database_url).path.lstrip("/")
    print(f"(the database {database} is kept for inspection)")


if __name__ == "__main__":
    main()
