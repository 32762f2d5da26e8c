"""The instructions one submission of the registration form costs the web process.

Run from the project's root with the project's Python (see benchmarks/README.md),
on the database ``paths_benchmark.py`` seeded:

    python benchmarks/submission_instructions.py --database-url postgres://.../sym16_bench

Seconds of CPU vary from one machine to the next, and on a shared one from
one minute to the next; instructions do not. This runs the form's POST with
Django's test client in one process, in production settings (those of
``paths_benchmark.py``), under valgrind's callgrind twice: with ``--few``
submissions and with ``--many``. The difference of the two totals over the
difference of the counts is one submission's instructions, start-up and
warm-up taken away. Only this process is counted: neither PostgreSQL nor
Redis, nor the time spent in the kernel on their round trips. Needs valgrind.
"""

import argparse
import importlib
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
COLLECTED = re.compile(r"Collected : (\d+)")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/8")
    parser.add_argument("--few", type=int, default=30)
    parser.add_argument("--many", type=int, default=130)
    parser.add_argument("--submit", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


def environment(args: argparse.Namespace) -> dict[str, str]:
    # As paths_benchmark.py's server, but for the client's own HTTPS flag.
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from load_benchmark import server_environment

    args.port = 8643
    env = server_environment(args)
    env["REGISTRATION_ADDRESS_RATE_LIMIT"] = env["REGISTRATION_RATE_LIMIT"]
    # Under valgrind a run lasts minutes: the form's choices, kept for 30 s,
    # and the version they are checked against, held for a second, would be
    # read again a number of times that depends on the machine's speed. At
    # full speed they are read once in thousands of submissions, the version
    # once in hundreds.
    env["PUBLIC_PAGE_CACHE_SECONDS"] = "3600"
    env["PUBLIC_PAGE_LOCAL_SECONDS"] = "3600"
    env["PYTHONPATH"] = f"{ROOT}:{ROOT / 'benchmarks'}"
    return env


def submit(count: int) -> None:
    """Send ``count`` submissions after one to warm the caches (the worker's side)."""
    # As a server's process starts: the WSGI module sets Django up.
    importlib.import_module("symposium.wsgi")
    from django.test import Client
    from registration_form import filled_in

    from registrations import caching
    from registrations.models import Event

    event = Event.objects.current()
    client = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="127.0.0.1")
    path = f"/en/events/{event.slug}/register/"
    # The form's page is built afresh in every run, not served from what an
    # earlier run kept: building it first in a process compiles its
    # templates, which would otherwise count in one run and not the other.
    caching.public_pages_changed()
    page = client.get(path, secure=True).content.decode()
    run = time.time_ns()
    for number in range(count + 1):
        fields = filled_in(
            page, email=f"cg{run}-{number}@loadbench.example", number=number
        )
        response = client.post(
            path,
            urlencode(fields),
            content_type="application/x-www-form-urlencoded",
            secure=True,
        )
        assert response.status_code == 302, response.status_code


def instructions(args: argparse.Namespace, env: dict, count: int) -> int:
    with tempfile.TemporaryDirectory() as folder:
        found = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={folder}/callgrind.out",
                sys.executable,
                __file__,
                "--database-url",
                args.database_url,
                "--submit",
                str(count),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    return int(COLLECTED.search(found.stderr).group(1))


def main() -> None:
    args = parse_args()
    if args.submit is not None:
        submit(args.submit)
        return
    env = environment(args)
    few = instructions(args, env, args.few)
    many = instructions(args, env, args.many)
    each = (many - few) / (args.many - args.few)
    print(
        f"{each / 1e6:.2f} million instructions per submission "
        f"({args.few} and {args.many} submissions: {few:,} and {many:,})"
    )


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
