"""Load the first symposium: the event, its organisations, speakers and programme."""

import datetime
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from registrations import services
from registrations import symposium_data as data
from registrations.models import (
    Delegation,
    Event,
    Organisation,
    Session,
    SessionSpeaker,
    Speaker,
)

TOKYO = ZoneInfo("Asia/Tokyo")
EVENT_MONTH, EVENT_DAY = 1, 20
DOORS_OPEN, DOORS_CLOSE = datetime.time(9, 30), datetime.time(18, 0)
# Registration closes at 17:00 on the eve of the event, leaving the secretariat
# an evening to print the lists for the door.
CLOSING_TIME = datetime.time(17, 0)


def next_event_year(today: datetime.date) -> int:
    """Return the year of the next 20 January on or after ``today``."""
    if (today.month, today.day) <= (EVENT_MONTH, EVENT_DAY):
        return today.year
    return today.year + 1


def at_tokyo(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, time, tzinfo=TOKYO)


class Command(BaseCommand):
    help = (
        "Load the International Symposium on Combating Human Smuggling in the "
        "Asia-Pacific Region: the event, invited organisations and their "
        "delegations (with placeholder focal points), speakers and programme. "
        "Existing rows are left as they are, so a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year",
            type=int,
            help="Year of the 20 January event (default: the next one to come).",
        )
        parser.add_argument(
            "--contact-email",
            default="secretariat@symposium.example",
            help="The secretariat's address shown to delegates.",
        )

    def handle(self, *args, year=None, contact_email, **options):
        today = timezone.localdate(timezone=TOKYO)
        year = year or next_event_year(today)
        if not 1900 <= year <= 9998:
            raise CommandError(f"--year {year} is not a year this site can hold.")
        self.created = []
        with transaction.atomic():
            event = self.load_event(year, contact_email)
            organisations = self.load_organisations()
            speakers = self.load_speakers(organisations)
            self.load_sessions(event, speakers)
            self.load_delegations(event, organisations)
        date = event.starts_at.astimezone(TOKYO).date().isoformat()
        if self.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded “{event.title}” on {date} (Asia/Tokyo): "
                    f"created {', '.join(self.created)}."
                )
            )
        else:
            self.stdout.write(
                f"“{event.title}” on {date} is already loaded; nothing changed."
            )

    def note_created(self, count: int, singular: str, plural: str) -> None:
        if count:
            self.created.append(f"{count} {singular if count == 1 else plural}")

    def load_event(self, year: int, contact_email: str) -> Event:
        day = datetime.date(year, EVENT_MONTH, EVENT_DAY)
        event, created = Event.objects.get_or_create(
            slug=f"apac-human-smuggling-{year}",
            defaults={
                **data.EVENT,
                "starts_at": at_tokyo(day, DOORS_OPEN),
                "ends_at": at_tokyo(day, DOORS_CLOSE),
                # Open from the day after the previous year's symposium.
                "registration_opens_at": at_tokyo(
                    day.replace(year=year - 1) + datetime.timedelta(days=1),
                    datetime.time(0, 0),
                ),
                "registration_closes_at": at_tokyo(
                    day - datetime.timedelta(days=1), CLOSING_TIME
                ),
                "contact_email": contact_email,
                # The hotel is not announced: approved delegates are told
                # by when they will have its details.
                "venue_details_due": day - datetime.timedelta(days=10),
            },
        )
        self.note_created(int(created), "event", "events")
        return event

    def load_organisations(self) -> dict[str, Organisation]:
        by_acronym = {}
        created_count = 0
        for name, name_ja, acronym, kind, country, invited in data.ORGANISATIONS:
            organisation = Organisation.objects.filter(name__iexact=name).first()
            if organisation is None:
                organisation = Organisation.objects.create(
                    name=name,
                    name_ja=name_ja,
                    acronym=acronym,
                    kind=kind,
                    country=country,
                    invited=invited,
                )
                created_count += 1
            by_acronym[acronym] = organisation
        self.note_created(created_count, "organisation", "organisations")
        return by_acronym

    def load_speakers(
        self, organisations: dict[str, Organisation]
    ) -> dict[str, Speaker]:
        by_name = {}
        created_count = 0
        for name, name_ja, title, title_ja, acronym in data.SPEAKERS:
            speaker, created = Speaker.objects.get_or_create(
                name=name,
                defaults={
                    "name_ja": name_ja,
                    "title": title,
                    "title_ja": title_ja,
                    "organisation": organisations[acronym],
                },
            )
            created_count += created
            by_name[name] = speaker
        self.note_created(created_count, "speaker", "speakers")
        return by_name

    def load_sessions(self, event: Event, speakers: dict[str, Speaker]) -> None:
        day = event.starts_at.astimezone(TOKYO).date()
        created_count = 0
        for (
            start,
            end,
            title,
            title_ja,
            room,
            room_ja,
            capacity,
            description,
            description_ja,
            people,
        ) in data.SESSIONS:
            session, created = Session.objects.get_or_create(
                event=event,
                title=title,
                defaults={
                    "title_ja": title_ja,
                    "starts_at": at_tokyo(day, datetime.time.fromisoformat(start)),
                    "ends_at": at_tokyo(day, datetime.time.fromisoformat(end)),
                    "room": room,
                    "room_ja": room_ja,
                    "capacity": capacity,
                    "description": description,
                    "description_ja": description_ja,
                },
            )
            if not created:
                continue
            created_count += 1
            SessionSpeaker.objects.bulk_create(
                SessionSpeaker(
                    session=session, speaker=speakers[name], role=role, order=order
                )
                for order, (name, role) in enumerate(people)
            )
        self.note_created(created_count, "session", "sessions")

    def load_delegations(
        self, event: Event, organisations: dict[str, Organisation]
    ) -> None:
        """Give the announcement's invited organisations a delegation each.

        Their focal points are placeholders: no invitation leaves until staff
        give the real focal point in the admin and send it.
        """
        created_count = 0
        for acronym, quota in data.DELEGATIONS:
            organisation = organisations[acronym]
            if Delegation.objects.filter(
                event=event, organisation=organisation
            ).exists():
                continue
            services.delegation_create(
                event=event,
                invite=services.DelegationInvite(
                    organisation=organisation,
                    seat_quota=quota,
                    focal_point_name=data.PLACEHOLDER_FOCAL_POINT,
                    focal_point_email=data.placeholder_email(acronym),
                ),
                by=None,
                send=False,
                placeholder=True,
            )
            created_count += 1
        self.note_created(created_count, "delegation", "delegations")
