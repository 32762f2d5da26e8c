"""Measure the badge PDF for 1,000 delegates: time, pages per second, size, memory.

Run it by hand (see README.md here), on SQLite by default or on the database
``DATABASE_URL`` names:

    .venv/bin/python benchmarks/badge_benchmark.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/symposium_badges_bench \\
        .venv/bin/python benchmarks/badge_benchmark.py

It migrates the database, loads the symposium, seeds ``--count`` (1,000)
approved delegates with ``seed_fake_registrations``, and gives each a photo
through the same service and cleaning as an upload (a noisy picture, so that
its JPEG is as large as a real portrait's). Then, in a fresh process each
time, it prints every badge the way the staff page does
(``badges.badge_document``: the print recorded, badges issued at the first
run), in both layouts, with and without photos, and reports seconds, pages
per second, the PDF's size and the process's peak resident memory.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
OUT = PROJECT / "benchmarks" / "out"


def setup_django() -> None:
    sys.path.insert(0, str(PROJECT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "symposium.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{OUT / 'badges.sqlite3'}")
    os.environ.setdefault("PRIVATE_MEDIA_ROOT", str(OUT / "private-media"))
    import django

    django.setup()


def peak_rss_mb() -> float:
    """Return this process's peak resident memory so far (Linux's VmHWM), in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def noisy_portrait(seed: int) -> bytes:
    """Return a portrait-sized JPEG that compresses like a photograph."""
    import io

    from PIL import Image, ImageFilter

    noise = Image.effect_noise((480, 640), 60 + seed % 40).convert("RGB")
    tint = Image.new("RGB", noise.size, (120 + seed % 100, 140, 160))
    picture = Image.blend(noise, tint, 0.5).filter(ImageFilter.GaussianBlur(1))
    output = io.BytesIO()
    picture.save(output, "JPEG", quality=92)
    return output.getvalue()


def prepare(count: int) -> None:
    setup_django()
    from io import StringIO

    from django.core.management import call_command

    from registrations import services
    from registrations.models import DelegatePhoto, Event, Registration
    from registrations.validators import read_portrait

    call_command("migrate", verbosity=0)
    call_command("load_symposium", stdout=StringIO())
    event = Event.objects.current()
    have = event.registrations.count()
    if have < count:
        call_command(
            "seed_fake_registrations", count=count - have, seed=13, stdout=StringIO()
        )
    event.registrations.update(status=Registration.Status.APPROVED)
    without = event.registrations.filter(photo__isnull=True)
    for number, registration in enumerate(without.iterator()):
        services.photo_replace(
            registration=registration,
            portrait=read_portrait(noisy_portrait(number)),
            by=None,
        )
    print(
        f"{event.registrations.count()} approved delegates, "
        f"{DelegatePhoto.objects.count()} photos",
        file=sys.stderr,
    )


def measure(layout: str, photos: bool) -> dict:
    setup_django()
    from registrations.documents import badges, selection
    from registrations.models import Event, ExportLog

    event = Event.objects.current()
    chosen = selection.for_badges(
        event=event, kind=ExportLog.Kind.COMMAND, filters={"benchmark": True}
    )
    if not photos:
        # The same badges without their photos, for the cost of the rest.
        original = badges.badge_contents

        def without_photos(record):
            from dataclasses import replace

            for content in original(record):
                yield replace(content, photo=None)

        badges.badge_contents = without_photos
    started = time.perf_counter()
    document = badges.badge_document(
        selection=chosen, user=None, layout=layout, reason="benchmark"
    )
    seconds = time.perf_counter() - started
    path = OUT / f"badges-{layout}-{'photos' if photos else 'plain'}.pdf"
    path.write_bytes(document.content)
    return {
        "layout": layout,
        "photos": photos,
        "badges": len(document.record.badges),
        "pages": document.pages,
        "seconds": round(seconds, 2),
        "pages_per_second": round(document.pages / seconds, 1),
        "badges_per_second": round(len(document.record.badges) / seconds, 1),
        "size_mb": round(len(document.content) / 1024 / 1024, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def in_fresh_process(layout: str, photos: bool) -> dict:
    command = [sys.executable, __file__, "--measure", layout]
    if not photos:
        command.append("--no-photos")
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1_000)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--no-photos", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure:
        print(json.dumps(measure(arguments.measure, not arguments.no_photos)))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    prepare(arguments.count)
    print(
        "layout   photos  badges  pages  seconds  pages/s  badges/s  MB   peak RSS MiB"
    )
    for layout in ("a6", "a4-4up"):
        for photos in (True, False):
            row = in_fresh_process(layout, photos)
            print(
                f"{row['layout']:<8} {'yes' if photos else 'no':<7} {row['badges']:>6} "
                f"{row['pages']:>6} {row['seconds']:>8} {row['pages_per_second']:>8} "
                f"{row['badges_per_second']:>9} {row['size_mb']:>4} "
                f"{row['peak_rss_mb']:>8}"
            )


if __name__ == "__main__":
    main()
