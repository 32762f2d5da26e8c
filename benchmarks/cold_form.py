"""The registration form built from nothing: CPU milliseconds per request.

Run from the project's root with the project's Python:

    python benchmarks/cold_form.py [--database-url URL] [--redis-url URL]

It measures what ``paths_inprocess.py``'s ``cold_cpu_ms`` measures, alone and
in both languages: the form page (``/<language>/events/<slug>/register/``)
through Django's test client with production settings, the public pages'
cache emptied before each request (``caching.public_pages_changed()``), the
median CPU time of this process over ``--repeat`` requests, with the event
page beside it, after a full garbage collection (see ``cold_cpu_ms``), as in
``paths_inprocess.py`` whose process has served the other paths first
(``--fresh`` leaves it out). Without ``--database-url`` it migrates and loads
the symposium into a SQLite file under ``benchmarks/out/`` (kept for later
runs); the static files are collected there too. ``--html DIR`` writes each
language's page, its CSRF token blanked, for comparing two versions;
``--profile`` prints the cProfile of the English form's cold requests.
"""

import argparse
import cProfile
import gc
import json
import os
import pstats
import re
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out" / "cold_form"
CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--html", default="")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--fresh", action="store_true", help="no garbage collection first"
    )
    return parser.parse_args()


def environment(args: argparse.Namespace) -> dict[str, str]:
    OUT.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "symposium.settings",
        "SYMPOSIUM_ENV_FILE": "",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SITE_URL": "https://127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": args.database_url or f"sqlite:///{OUT / 'cold.sqlite3'}",
        "REDIS_URL": args.redis_url,
        "STATIC_ROOT": str(OUT / "static"),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "DEFAULT_FROM_EMAIL": "Symposium benchmark <symposium@example.org>",
    }


def prepare(env: dict[str, str]) -> None:
    def manage(*command):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT, env=env, check=True, capture_output=True,
        )  # fmt: skip

    manage("migrate", "--noinput")
    manage("collectstatic", "--noinput")
    manage(
        "shell",
        "-c",
        "from registrations.models import Event\n"
        "from django.core.management import call_command\n"
        "Event.objects.exists() or call_command('load_symposium')\n",
    )


def measure(args: argparse.Namespace) -> None:
    """Run in the child process, with the benchmark's environment."""
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from registrations import caching
    from registrations.models import Event

    setup_test_environment()
    event = Event.objects.order_by("pk").first()
    client = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="127.0.0.1")

    def cold_cpu_ms(path: str, profile: cProfile.Profile | None = None) -> float:
        assert client.get(path).status_code == 200, path
        # A worker that has served other pages has had full collections, which
        # come rarely once the long-lived objects are counted; a fresh process
        # runs one every request or two until then.
        if not args.fresh:
            gc.collect()
        cpus = []
        for _ in range(args.repeat):
            caching.public_pages_changed()
            if profile:
                profile.enable()
            cpu = time.process_time()
            assert client.get(path).status_code == 200, path
            cpus.append(time.process_time() - cpu)
            if profile:
                profile.disable()
        return statistics.median(cpus) * 1000

    figures = {}
    for language in ("en", "ja"):
        form = f"/{language}/events/{event.slug}/register/"
        figures[f"form {language}"] = cold_cpu_ms(form)
        figures[f"event page {language}"] = cold_cpu_ms(f"/{language}/")
        if args.html:
            caching.public_pages_changed()
            page = client.get(form).content.decode()
            Path(args.html).mkdir(parents=True, exist_ok=True)
            Path(args.html, f"form-{language}.html").write_text(
                CSRF_VALUE.sub(r"\1-", page)
            )
    figures["load"] = "/".join(f"{value:.2f}" for value in os.getloadavg())
    print(json.dumps(figures))
    if args.profile:
        profile = cProfile.Profile()
        cold_cpu_ms(f"/en/events/{event.slug}/register/", profile)
        stats = pstats.Stats(profile, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(40)


def main() -> None:
    args = parse_args()
    if os.environ.get("COLD_FORM_CHILD"):
        measure(args)
        return
    env = environment(args)
    prepare(env)
    subprocess.run(
        [sys.executable, __file__, *sys.argv[1:]],
        cwd=ROOT,
        env={**env, "COLD_FORM_CHILD": "1", "PYTHONPATH": str(ROOT)},
        check=True,
    )


if __name__ == "__main__":
    main()
