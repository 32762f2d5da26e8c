"""Create many realistic fake registrations quickly, for demos and benchmarks."""

import datetime
import random
import time
from itertools import islice

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from faker import Faker

from registrations import validators
from registrations.models import (
    Event,
    Organisation,
    Registration,
    RegistrationSession,
)

Status = Registration.Status
Category = Registration.Category

# Latin-script locales of the region and of the international organisations.
NAME_LOCALES = [
    "en_US",
    "en_GB",
    "en_AU",
    "en_NZ",
    "id_ID",
    "fil_PH",
    "vi_VN",
    "fr_FR",
    "de_DE",
    "en_IN",
]
NAME_POOL_SIZE = 300
JAPANESE_SHARE = 0.25

COUNTRIES = [
    "JP",
    "TH",
    "PH",
    "ID",
    "VN",
    "MY",
    "KH",
    "LA",
    "MM",
    "CN",
    "KR",
    "AU",
    "NZ",
    "IN",
    "BD",
    "LK",
    "NP",
    "PK",
    "SG",
    "US",
    "GB",
    "FR",
    "CH",
    "SE",
]
STATUS_WEIGHTS = {
    Status.PENDING: 45,
    Status.APPROVED: 30,
    Status.WAITLISTED: 10,
    Status.REJECTED: 8,
    Status.CANCELLED: 7,
}
CATEGORY_WEIGHTS = {
    Category.GOVERNMENT: 40,
    Category.INTERNATIONAL: 20,
    Category.NGO: 20,
    Category.ACADEMIC: 12,
    Category.PRESS: 5,
    Category.OTHER: 3,
}
POSITIONS = [
    "Director",
    "Deputy Director",
    "Counsellor",
    "First Secretary",
    "Programme Officer",
    "Legal Adviser",
    "Police Superintendent",
    "Researcher",
    "Professor",
    "Journalist",
    "Case Worker",
    "Policy Analyst",
    "Project Coordinator",
]
OTHER_ORGANISATIONS = [
    "Asia Foundation",
    "Royal Thai Police",
    "Philippine Department of Justice",
    "Indonesian National Police",
    "University of Tokyo",
    "Mahidol University",
    "Kyodo News",
    "Save the Children",
    "Australian Federal Police",
    "Ministry of Public Security of Viet Nam",
]
DIETARY = [
    "",
    "",
    "",
    "",
    "Vegetarian",
    "Halal",
    "No pork",
    "Vegan",
    "Gluten-free",
    "No shellfish",
]
ACCESSIBILITY = ["", "", "", "", "", "", "", "", "Wheelchair access", "Hearing loop"]
HONORIFICS = Registration.Honorific.values
INTERPRETATIONS = Registration.Interpretation.values
BATCH_SIZE = 2_000


def batched(iterable, size):
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


class Command(BaseCommand):
    help = (
        "Create N fake registrations (mixed categories, countries, statuses and "
        "sessions, a quarter with Japanese names) for an event, in bulk. Approved "
        "ones never exceed the event's or a session's capacity; the rest are "
        "pending, waitlisted, rejected or cancelled. No emails are sent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--count", type=int, required=True, help="How many registrations to create."
        )
        parser.add_argument("--event", help="The event's slug (default: the latest).")
        parser.add_argument(
            "--seed",
            type=int,
            default=None,
            help="Seed for the random choices, for repeatable data.",
        )

    def handle(self, *args, count, event=None, seed=None, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        events = Event.objects.all()
        chosen = events.filter(slug=event).first() if event else events.first()
        if chosen is None:
            raise CommandError(
                f"No event with the slug {event!r}."
                if event
                else "There is no event yet; run load_symposium first."
            )
        started = time.perf_counter()
        self.rng = random.Random(seed)
        Faker.seed(seed)
        self.prepare(chosen)
        with transaction.atomic():
            for batch in batched(self.generate(chosen, count), BATCH_SIZE):
                self.insert(batch)
        if connection.vendor == "postgresql":
            # Fresh statistics, so that the planner knows the tables have grown.
            with connection.cursor() as cursor:
                tables = [
                    Registration._meta.db_table,
                    RegistrationSession._meta.db_table,
                ]
                cursor.execute(f"ANALYZE {', '.join(tables)}")
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {count} registrations for “{chosen.title}” "
                f"in {elapsed:.1f} s."
            )
        )

    def prepare(self, event: Event) -> None:
        self.sessions = list(event.sessions.with_approved_count())
        self.session_seats = {
            s.pk: (None if s.capacity is None else s.capacity - s.approved_count)
            for s in self.sessions
        }
        self.event_seats = event.capacity - event.registrations.attending().count()
        self.organisations = list(Organisation.objects.all())
        self.names = [self.name_pool(locale) for locale in NAME_LOCALES]
        japanese = Faker("ja_JP")
        self.japanese_names = [
            (japanese.first_name_pair(), japanese.last_name_pair())
            for _ in range(NAME_POOL_SIZE)
        ]
        self.first_number = (
            Registration.objects.order_by("-pk").values_list("pk", flat=True).first()
            or 0
        ) + 1

    def name_pool(self, locale: str) -> list[tuple[str, str]]:
        fake = Faker(locale)
        return [(fake.first_name(), fake.last_name()) for _ in range(NAME_POOL_SIZE)]

    def pick_status(self, chosen_sessions) -> str:
        status = self.rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[
            0
        ]
        if status != Status.APPROVED:
            return status
        if self.event_seats <= 0 or any(
            self.session_seats[s.pk] is not None and self.session_seats[s.pk] <= 0
            for s in chosen_sessions
        ):
            return Status.WAITLISTED
        self.event_seats -= 1
        for session in chosen_sessions:
            if self.session_seats[session.pk] is not None:
                self.session_seats[session.pk] -= 1
        return Status.APPROVED

    def pick_sessions(self) -> list:
        """Return a few sessions, never two at the same time (they run in parallel)."""
        if not self.sessions:
            return []
        wanted = self.rng.sample(
            self.sessions, k=self.rng.randint(1, min(4, len(self.sessions)))
        )
        chosen = []
        for session in wanted:
            if validators.overlapping_pair([*chosen, session]) is None:
                chosen.append(session)
        return chosen

    def generate(self, event: Event, count: int):
        rng = self.rng
        now = timezone.now()
        opened = min(event.registration_opens_at, now)
        span = max((min(now, event.registration_closes_at) - opened).total_seconds(), 1)
        for offset in range(count):
            number = self.first_number + offset
            name_ja = ""
            if rng.random() < JAPANESE_SHARE:
                (given_ja, _, given), (family_ja, _, family) = rng.choice(
                    self.japanese_names
                )
                name_ja = f"{family_ja} {given_ja}"
                country = "JP"
            else:
                given, family = rng.choice(rng.choice(self.names))
                country = rng.choice(COUNTRIES)
            chosen_sessions = self.pick_sessions()
            status = self.pick_status(chosen_sessions)
            submitted_at = opened + datetime.timedelta(seconds=rng.random() * span)
            reviewed = status not in (Status.PENDING, Status.CANCELLED)
            organisation = (
                rng.choice(self.organisations)
                if (self.organisations and rng.random() < 0.6)
                else None
            )
            local_part = slugify(f"{given}.{family}") or "delegate"
            registration = Registration(
                event=event,
                honorific=rng.choice(HONORIFICS),
                given_name=given,
                family_name=family,
                name_ja=name_ja,
                email=f"{local_part}.{number}@example.org",
                organisation=organisation,
                organisation_other=""
                if organisation
                else rng.choice(OTHER_ORGANISATIONS),
                position=rng.choice(POSITIONS),
                country=country,
                category=rng.choices(
                    list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values())
                )[0],
                dietary_needs=rng.choice(DIETARY),
                accessibility_needs=rng.choice(ACCESSIBILITY),
                interpretation=rng.choice(INTERPRETATIONS),
                language=rng.choice(["en", "en", "ja"]),
                consent_given_at=submitted_at,
                status=status,
                submitted_at=submitted_at,
                status_changed_at=submitted_at,
                reviewed_at=submitted_at if reviewed else None,
            )
            yield registration, chosen_sessions

    def insert(self, batch) -> None:
        registrations = Registration.objects.bulk_create([r for r, _ in batch])
        RegistrationSession.objects.bulk_create(
            RegistrationSession(
                registration_id=registration.pk,
                session_id=session.pk,
                chosen_at=registration.submitted_at,
            )
            for registration, (_, sessions) in zip(registrations, batch, strict=True)
            for session in sessions
        )
