"""The load_symposium command loads the first event, once."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from registrations.management.commands.load_symposium import next_event_year
from registrations.models import Event, Organisation, Session, SessionSpeaker, Speaker

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")


def load(*args):
    out = StringIO()
    call_command("load_symposium", *args, stdout=out)
    return out.getvalue()


def row_counts():
    return [
        model.objects.count()
        for model in (Event, Organisation, Speaker, Session, SessionSpeaker)
    ]


def test_the_event_is_on_20_january_in_tokyo_hosted_by_the_ministry():
    load("--year", "2027")
    event = Event.objects.get()
    local_start = event.starts_at.astimezone(TOKYO)
    assert (local_start.year, local_start.month, local_start.day) == (2027, 1, 20)
    assert event.ends_at.astimezone(TOKYO).date() == datetime.date(2027, 1, 20)
    assert event.host == "Ministry of Foreign Affairs of Japan"
    assert event.host_ja == "外務省"
    assert "Human Rights and Refugee Division" in event.description
    assert "Tokyo" in event.venue
    assert event.title_ja


def test_invited_organisations_and_their_speakers():
    load("--year", "2027")
    invited = set(
        Organisation.objects.filter(invited=True).values_list("acronym", flat=True)
    )
    assert invited == {"MOFA", "UNICEF", "INTERPOL", "ECPAT"}
    speakers = {s.name: s for s in Speaker.objects.select_related("organisation")}
    assert speakers["Carol Bellamy"].organisation.acronym == "UNICEF"
    assert speakers["Carol Bellamy"].title == "Executive Director"
    assert speakers["Toshinori Kanemoto"].organisation.acronym == "INTERPOL"
    assert speakers["Helena Karlén"].organisation.acronym == "ECPAT"


def test_the_programme_follows_the_aims_and_every_speaker_has_a_session():
    load("--year", "2027")
    titles = list(Session.objects.values_list("title", flat=True))
    assert titles[0].startswith("Opening")
    assert titles[-1] == "Closing"
    assert any("Okinawa" in title for title in titles)
    assert any("children" in title for title in titles)
    for speaker in Speaker.objects.all():
        assert speaker.sessions.exists()
    for session in Session.objects.all():
        assert session.starts_at.astimezone(TOKYO).date() == datetime.date(2027, 1, 20)


def test_a_second_run_changes_nothing_and_says_so():
    first = load("--year", "2027")
    counts = row_counts()
    second = load("--year", "2027")
    assert "created 1 event" in first
    assert "nothing changed" in second
    assert row_counts() == counts


def test_a_second_run_keeps_what_staff_edited():
    load("--year", "2027")
    Event.objects.update(capacity=120)
    load("--year", "2027")
    assert Event.objects.get().capacity == 120


def test_the_historical_year_is_one_option_away_and_registration_is_then_closed():
    load("--year", "2000")
    event = Event.objects.get()
    assert event.starts_at.astimezone(TOKYO).date() == datetime.date(2000, 1, 20)
    assert not event.is_registration_open()


def test_without_a_year_registration_is_open_for_the_next_20_january(settings):
    load()
    event = Event.objects.get()
    assert event.starts_at.astimezone(TOKYO).month == 1
    assert event.starts_at.astimezone(TOKYO).day == 20
    assert event.starts_at > event.registration_closes_at


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (datetime.date(2026, 11, 27), 2027),
        (datetime.date(2027, 1, 19), 2027),
        (datetime.date(2027, 1, 20), 2027),
        (datetime.date(2027, 1, 21), 2028),
    ],
)
def test_the_default_year_is_the_next_20_january_to_come(today, year):
    assert next_event_year(today) == year


def test_an_impossible_year_is_refused():
    with pytest.raises(CommandError, match="year"):
        load("--year", "99999")
