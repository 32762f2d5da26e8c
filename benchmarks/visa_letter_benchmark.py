"""Measure issuing visa letters: seconds per letter, its PDF's size.

Run it by hand (see README.md here), on SQLite by default or on the database
``DATABASE_URL`` names:

    .venv/bin/python benchmarks/visa_letter_benchmark.py [--count 200]

It migrates the database, loads the symposium, seeds ``--count`` approved
delegates with ``seed_fake_registrations``, gives each a visa request with
fake passport data and the event a letterhead with a stamp, then issues a
letter for each through ``services.visa_letter_issue`` (the PDF rendered and
stored, the email recorded), first in English only, then with the Japanese
version, and reports seconds per letter and the PDFs' sizes.
"""

import argparse
import datetime
import io
import os
import statistics
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
OUT = PROJECT / "benchmarks" / "out"


def setup_django() -> None:
    sys.path.insert(0, str(PROJECT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "symposium.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{OUT / 'visas.sqlite3'}")
    os.environ.setdefault("PRIVATE_MEDIA_ROOT", str(OUT / "private-media"))
    # The letters' emails are recorded, and sent to memory, not the console.
    os.environ.setdefault(
        "EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
    )
    import django

    django.setup()


def stamp_png() -> bytes:
    from PIL import Image, ImageDraw

    picture = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    ImageDraw.Draw(picture).ellipse((20, 20, 380, 380), outline="#be1e1e", width=22)
    output = io.BytesIO()
    picture.save(output, "PNG")
    return output.getvalue()


def prepare(count: int):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from registrations.models import Event, Registration, VisaLetterhead, VisaRequest
    from registrations.services.visas import store_stamp
    from registrations.validators import read_stamp

    call_command("migrate", verbosity=0)
    call_command("load_symposium", verbosity=0)
    event = Event.objects.current()
    Registration.objects.filter(event=event).delete()
    call_command("seed_fake_registrations", count=count, seed=7, verbosity=0)
    Registration.objects.filter(event=event).update(status=Registration.Status.APPROVED)
    letterhead, _ = VisaLetterhead.objects.update_or_create(
        event=event,
        defaults={
            "header": "Ministry of Foreign Affairs of Japan\nHuman Rights and Refugee "
            "Division\n2-2-1 Kasumigaseki, Chiyoda-ku, Tokyo",
            "header_ja": "外務省\n人権人道課\n東京都千代田区霞が関2-2-1",
            "signatory_name": "Taro Sample",
            "signatory_name_ja": "見本 太郎",
            "signatory_title": "Director",
            "signatory_title_ja": "課長",
        },
    )
    store_stamp(letterhead=letterhead, png=read_stamp(stamp_png()))
    first = timezone.localdate(event.starts_at)
    last = timezone.localdate(event.ends_at)
    VisaRequest.objects.filter(registration__event=event).delete()
    VisaRequest.objects.bulk_create(
        VisaRequest(
            registration=registration,
            passport_name=registration.full_name.upper(),
            passport_number=f"P{1000000 + registration.pk}",
            nationality=registration.country,
            date_of_birth=datetime.date(1980, 1, 1),
            passport_expiry=last + datetime.timedelta(days=800),
            stay_from=first - datetime.timedelta(days=2),
            stay_until=last + datetime.timedelta(days=2),
            mission="Embassy of Japan, Manila",
        )
        for registration in Registration.objects.filter(event=event)
    )
    officer, _ = get_user_model().objects.get_or_create(
        username="benchmark-protocol", defaults={"is_staff": True}
    )
    return event, officer


def issue_all(event, officer, *, japanese: bool) -> tuple[list[float], list[int]]:
    from registrations import services
    from registrations.models import VisaRequest
    from registrations.models.photos import private_storage

    timings, sizes = [], []
    for request in VisaRequest.objects.filter(registration__event=event):
        started = time.perf_counter()
        letter = services.visa_letter_issue(
            request=request,
            by=officer,
            costs=VisaRequest.Costs.ORGANISATION,
            japanese_version=japanese,
        )
        timings.append(time.perf_counter() - started)
        sizes.append(private_storage().size(letter.file_name))
    return timings, sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    setup_django()
    event, officer = prepare(args.count)
    print(f"load average: {os.getloadavg()}")
    for japanese in (False, True):
        timings, sizes = issue_all(event, officer, japanese=japanese)
        slowest = sorted(timings)[int(len(timings) * 0.95)]
        print(
            f"{'EN+JA' if japanese else 'EN'}: {len(timings)} letters, "
            f"median {statistics.median(timings) * 1000:.0f} ms, "
            f"95th percentile {slowest * 1000:.0f} ms, total {sum(timings):.1f} s, "
            f"median PDF {statistics.median(sizes) / 1024:.0f} kB"
        )


if __name__ == "__main__":
    main()
