"""The reviewers' list at scale: the same queries at 10 and at 10,000 registrations.

Timings are measured by ``benchmarks/paths_benchmark.py``; here the number of
queries a page costs, with each filter, the search and the date links, which
must not grow with the registrations, and the figures the page shows, which
must stay exact although the list no longer counts itself.
"""

import datetime
import itertools
import re
import zoneinfo

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registrations import selectors
from registrations.models import DelegationRole, Registration, RegistrationSession
from tests.factories import (
    DelegationFactory,
    EventFactory,
    OrganisationFactory,
    SessionFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db
Status = Registration.Status
CHANGELIST = reverse("admin:registrations_registration_changelist")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
# Every registration in one month, so that the date links offer the same
# periods at either size.
FIRST_SUBMISSION = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=TOKYO)
# A third on the waiting list, so that each filter's page among the first ten
# has someone whose place is numbered.
STATUSES = [
    Status.WAITLISTED,
    Status.PENDING,
    Status.WAITLISTED,
    Status.APPROVED,
    Status.REJECTED,
    Status.CANCELLED,
]
COUNTRIES = ["PH", "TH", "JP", "ID", "VN"]
CATEGORIES = list(Registration.Category.values)


@pytest.fixture
def programme():
    event = EventFactory(capacity=20_000)
    return {
        "event": event,
        "sessions": [SessionFactory(event=event) for _ in range(2)],
        "organisations": [OrganisationFactory() for _ in range(3)],
        "delegation": DelegationFactory(event=event),
    }


def add_registrations(programme, count: int) -> None:
    """Add ``count`` registrations in bulk, spread over statuses and filters."""
    existing = Registration.objects.count()
    registrations = Registration.objects.bulk_create(
        Registration(
            event=programme["event"],
            given_name=f"Given{number}",
            family_name=f"Family{number}",
            email=f"delegate{number}@example.org",
            organisation=programme["organisations"][number % 3],
            delegation=programme["delegation"] if number % 7 == 0 else None,
            delegation_role=DelegationRole.MEMBER if number % 7 == 0 else "",
            position="Officer",
            country=COUNTRIES[number % len(COUNTRIES)],
            category=CATEGORIES[number % len(CATEGORIES)],
            status=STATUSES[number % len(STATUSES)],
            submitted_at=FIRST_SUBMISSION + datetime.timedelta(minutes=number),
            status_changed_at=FIRST_SUBMISSION + datetime.timedelta(minutes=number),
            consent_given_at=FIRST_SUBMISSION,
        )
        for number in range(existing, existing + count)
    )
    RegistrationSession.objects.bulk_create(
        RegistrationSession(registration=registration, session=session)
        for registration, session in zip(
            registrations, itertools.cycle(programme["sessions"]), strict=False
        )
    )


@pytest.fixture
def reviewer_client(client):
    reviewer = StaffUserFactory()
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    client.force_login(reviewer)
    return client


def list_filters(programme) -> dict[str, dict]:
    return {
        "everyone": {},
        "a status": {"status__exact": Status.WAITLISTED},
        "a session": {"session": programme["sessions"][0].pk},
        "an organisation": {
            "organisation__id__exact": programme["organisations"][0].pk
        },
        "a delegation": {"delegation__id__exact": programme["delegation"].pk},
        "a category": {"category__exact": CATEGORIES[0]},
        "a country": {"country": "PH"},
        "a name": {"q": "Family2"},
        "a word too short for an index": {"q": "ly"},
        "an organisation's name": {"q": programme["organisations"][2].name},
        "a month": {"submitted_at__year": 2026, "submitted_at__month": 11},
        "a status and a search": {"status__exact": Status.PENDING, "q": "Given"},
    }


def queries_per_page(client, filters: dict[str, dict]) -> dict[str, int]:
    counts = {}
    for name, params in filters.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(CHANGELIST, params)
        assert response.status_code == 200, name
        counts[name] = len(queries)
    return counts


def test_a_page_costs_the_same_queries_at_10_and_10000_registrations(
    reviewer_client, programme
):
    filters = list_filters(programme)
    add_registrations(programme, 10)
    reviewer_client.get(CHANGELIST)  # The session and the user's groups.
    small = queries_per_page(reviewer_client, filters)
    add_registrations(programme, 9_990)
    large = queries_per_page(reviewer_client, filters)
    assert large == small
    # A search costs at most two queries more per word (the organisations it
    # names and, on PostgreSQL, the registrations it finds by their ids); the
    # longest here has two words.
    assert small["everyone"] == 16
    assert max(small.values()) <= 16 + 2 * 2


def test_the_list_shows_exact_counts_without_counting_itself(
    reviewer_client, programme
):
    add_registrations(programme, 250)
    thai = Registration.objects.filter(country="TH")
    response = reviewer_client.get(CHANGELIST, {"country": "TH"})
    assert response.context["cl"].result_count == thai.count() == 50
    summary = {
        item["status"]: item["count"] for item in response.context["status_counts"]
    }
    assert summary == {
        status: thai.filter(status=status).count() for status in Status.values
    }

    approved = thai.filter(status=Status.APPROVED).count()
    response = reviewer_client.get(
        CHANGELIST, {"country": "TH", "status__exact": Status.APPROVED}
    )
    assert response.context["cl"].result_count == approved
    assert len(response.context["cl"].result_list) == approved

    response = reviewer_client.get(CHANGELIST)
    assert response.context["cl"].result_count == 250
    summary = {
        item["status"]: item["count"] for item in response.context["status_counts"]
    }
    everyone = Registration.objects.all()
    assert summary == {
        status: everyone.filter(status=status).count() for status in Status.values
    }
    assert summary[Status.WAITLISTED] == 84
    assert response.context["cl"].paginator.num_pages == 3
    assert "Export these 250 registrations as CSV" in response.text
    assert "250 results" in response.text


def test_waiting_list_places_on_the_page_follow_the_waiting_order(
    reviewer_client, programme
):
    add_registrations(programme, 30)
    waiting = list(
        Registration.objects.filter(status=Status.WAITLISTED).order_by(
            "status_changed_at", "pk"
        )
    )
    # The oldest on the list moves to the back; the rest move up one place.
    oldest = waiting[0]
    oldest.status_changed_at = FIRST_SUBMISSION + datetime.timedelta(days=3)
    oldest.save(update_fields=["status_changed_at"])
    response = reviewer_client.get(CHANGELIST, {"status__exact": Status.WAITLISTED})
    places = {r.pk: r.waitlist_place for r in response.context["cl"].result_list}
    expected = {r.pk: place for place, r in enumerate(waiting[1:] + [oldest], 1)}
    assert places == expected
    assert f"Waiting list (no. {len(waiting)})</span>" in response.text


def test_a_later_page_holds_the_rows_of_its_place_in_the_order(
    reviewer_client, programme
):
    add_registrations(programme, 250)
    first, second = programme["sessions"]
    RegistrationSession.objects.bulk_create(
        RegistrationSession(registration_id=pk, session=second)
        for pk in Registration.objects.filter(
            session_choices__session=first
        ).values_list("pk", flat=True)[::3]
    )
    chosen = dict(
        Registration.objects.annotate(total=Count("session_choices")).values_list(
            "pk", "total"
        )
    )
    columns = reviewer_client.get(CHANGELIST).context["cl"].list_display
    orders = [
        {},
        {"o": columns.index("sessions_count")},
        {"o": f"-{columns.index('display_name')}"},
        {"o": columns.index("organisation_display"), "session": first.pk},
    ]
    for order in orders:
        response = reviewer_client.get(CHANGELIST, {**order, "p": 2})
        changelist = response.context["cl"]
        shown = [(r.pk, r.sessions_total) for r in changelist.result_list]
        # The rows the whole ordered list holds at the page's place.
        expected = [(r.pk, chosen[r.pk]) for r in changelist.queryset[100:200]]
        assert shown == expected, order
        assert len(shown) == min(100, changelist.result_count - 100) > 0


def offered(client, filter_name: str) -> set:
    """Return the values a list filter offers, by its parameter or field name."""
    response = client.get(CHANGELIST)
    spec = next(
        spec
        for spec in response.context["cl"].filter_specs
        if filter_name
        in (getattr(spec, "parameter_name", None), getattr(spec, "field_path", None))
    )
    return {value for value, _label in spec.lookup_choices}


def test_the_country_filter_offers_the_countries_named_and_no_other(
    reviewer_client, programme
):
    add_registrations(programme, 3)
    assert offered(reviewer_client, "country") == {"PH", "TH", "JP"}
    assert selectors.registration_countries() == {"PH", "TH", "JP"}


def test_the_organisation_filter_offers_only_organisations_with_registrations(
    reviewer_client, programme
):
    add_registrations(programme, 2)
    assert offered(reviewer_client, "organisation") == {
        organisation.pk for organisation in programme["organisations"][:2]
    }


def date_links(client, params: dict) -> list[str]:
    page = client.get(CHANGELIST, params).content.decode()
    hierarchy = page[page.index('class="toplinks"') :]
    return re.findall(r'href="([^"]*)"', hierarchy[: hierarchy.index("</nav>")])


def test_a_long_and_a_short_list_link_the_same_dates(
    reviewer_client, programme, monkeypatch
):
    add_registrations(programme, 6)
    for number, registration in enumerate(Registration.objects.order_by("pk")):
        registration.submitted_at = datetime.datetime(
            2025 + number // 3, 1 + number * 2, 10, 9, 0, tzinfo=TOKYO
        )
        registration.save(update_fields=["submitted_at"])
    asked = [{}, {"submitted_at__year": 2026}, {"q": "Family4"}]
    links = {}
    for short_list in (0, 10_000):
        monkeypatch.setattr(selectors, "SHORT_LIST", short_list)
        links[short_list] = [date_links(reviewer_client, params) for params in asked]
    assert links[0] == links[10_000]
    years, months_of_2026, searched = links[0]
    assert years == ["?submitted_at__year=2025", "?submitted_at__year=2026"]
    assert months_of_2026 == [
        "?",
        *(f"?submitted_at__month={m}&amp;submitted_at__year=2026" for m in (7, 9, 11)),
    ]
    assert searched == [
        "?q=Family4&amp;submitted_at__year=2026",
        "?q=Family4&amp;submitted_at__day=10&amp;submitted_at__month=9"
        "&amp;submitted_at__year=2026",
    ]


@pytest.mark.parametrize("short", [False, True])
@pytest.mark.parametrize("kind", ["year", "month", "day"])
def test_the_date_links_name_the_periods_that_have_submissions(programme, kind, short):
    """As Django's distinct truncated dates, across midnight in Tokyo and in UTC.

    A long list is probed through the submission index period by period, a
    short one read once.
    """
    moments = [
        datetime.datetime(2025, 12, 31, 23, 30, tzinfo=TOKYO),
        datetime.datetime(2026, 1, 1, 0, 10, tzinfo=TOKYO),
        datetime.datetime(2026, 1, 1, 8, 59, tzinfo=TOKYO),
        datetime.datetime(2026, 1, 1, 9, 1, tzinfo=TOKYO),
        datetime.datetime(2026, 3, 31, 23, 59, tzinfo=TOKYO),
        datetime.datetime(2027, 2, 1, 0, 0, tzinfo=TOKYO),
    ]
    add_registrations(programme, len(moments))
    for registration, moment in zip(
        Registration.objects.order_by("pk"), moments, strict=True
    ):
        registration.submitted_at = moment
        registration.save(update_fields=["submitted_at"])
    registrations = Registration.objects.all()
    expected = list(registrations.datetimes("submitted_at", kind))
    assert selectors.submission_dates(registrations, kind, short=short) == expected
    pending = registrations.filter(status=Status.PENDING)
    assert selectors.submission_dates(pending, kind, short=short) == list(
        pending.datetimes("submitted_at", kind)
    )
    assert selectors.submission_dates(registrations.none(), kind, short=short) == []
