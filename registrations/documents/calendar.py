"""The programme as an iCalendar file (RFC 5545), written with ``icalendar``.

One VEVENT per session, in Japan time with the Asia/Tokyo time zone included
(a VTIMEZONE), the room (and the venue) as its location. Each session keeps
its UID for good (``session-<id>@<site>``), so that a calendar that imported
the file, or the approval email's attachment, updates the session in place
when the programme changes rather than adding it twice; DTSTAMP says when
the file was made. Given in the reader's language.
"""

from collections.abc import Iterable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone

from registrations.models import Event, Session

CONTENT_TYPE = "text/calendar; charset=utf-8"
EXTENSION = "ics"
TOKYO = ZoneInfo("Asia/Tokyo")
PRODUCT = "-//Symposium registration//Programme//EN"


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def session_uid(session: Session) -> str:
    """Return the session's UID: the same in every file, for as long as it exists."""
    return f"session-{session.pk}@{site_domain()}"


def programme_calendar(
    event: Event, sessions: Iterable[Session], *, name: str
) -> bytes:
    """Return the iCalendar file of ``sessions`` of ``event``, called ``name``."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Tokyo")
    made = timezone.now().replace(microsecond=0)
    venue = event.localized.venue
    for session in sessions:
        entry = icalendar.Event()
        entry.add("uid", session_uid(session))
        entry.add("dtstamp", made)
        entry.add("dtstart", session.starts_at.astimezone(TOKYO))
        entry.add("dtend", session.ends_at.astimezone(TOKYO))
        entry.add("summary", session.localized.title)
        room = session.localized.room
        entry.add("location", f"{room}, {venue}" if room else venue)
        description = session.localized.description
        if description:
            entry.add("description", description)
        entry.add("url", settings.SITE_URL.rstrip("/") + event.get_absolute_url())
        calendar.add_component(entry)
    calendar.add_missing_timezones()
    return calendar.to_ical()
