"""The numbers of the statistics page: each one aggregate query, whatever the size.

Every figure is counted by the database (``GROUP BY`` with conditional
counts), so the page makes the same dozen queries for ten registrations and
for a hundred thousand, and reads only as many rows as there are days,
countries, categories, sessions or delegations. The counts use the same
definitions as the rest of the site: "attending" is ``ATTENDING``, the
waiting list is the registrations waitlisted, a delegation's members are
counted by ``with_member_counts``.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower, Trim, TruncDate
from django_countries import countries

from registrations.documents.columns import EXPORT_TIMEZONE
from registrations.models import ATTENDING, Event, Registration, Sector
from registrations.selectors.delegations import with_member_counts

Status = Registration.Status
# The registrations still in play: not rejected, not cancelled.
ACTIVE = (Status.PENDING, Status.APPROVED, Status.WAITLISTED)
# How many countries the page names; the others are added up as one line.
TOP_COUNTRIES = 20
# Registrations over a longer period than this are counted by the week.
DAILY_UP_TO = 62


@dataclass(frozen=True)
class Row:
    """One line of a breakdown: its label, the approved and all active."""

    label: str
    approved: int
    active: int

    @property
    def awaiting(self) -> int:
        return self.active - self.approved


@dataclass
class Statistics:
    event: Event
    by_status: dict[str, int]
    over_time: list[tuple[date, dict[str, int]]]
    # Whether ``over_time`` counts weeks (from Monday) rather than days.
    weekly: bool
    by_category: list[Row]
    by_country: list[Row]
    by_kind: list[Row]
    by_delegation: list[dict]
    sessions: list[dict]
    interpretation: list[Row]
    dietary: list[tuple[str, int]]
    accessibility: list[tuple[str, int]]
    extra: dict = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def waiting_list(self) -> int:
        return self.by_status.get(Status.WAITLISTED, 0)

    @property
    def approved(self) -> int:
        return self.by_status.get(ATTENDING, 0)


def _breakdown(registrations: QuerySet, key: str, labels: dict) -> list[Row]:
    """Return the active registrations counted by ``key``, largest first."""
    counted = (
        registrations.filter(status__in=ACTIVE)
        .order_by()
        .values(key)
        .annotate(approved=Count("pk", filter=Q(status=ATTENDING)), active=Count("pk"))
    )
    rows = [
        Row(
            str(labels.get(item[key], item[key] or "–")),
            item["approved"],
            item["active"],
        )
        for item in counted
    ]
    return sorted(rows, key=lambda row: (-row.active, row.label))


def _top(rows: list[Row], count: int, rest_label: str) -> list[Row]:
    if len(rows) <= count + 1:
        return rows
    rest = rows[count:]
    return [
        *rows[:count],
        Row(
            rest_label % {"count": len(rest)},
            sum(row.approved for row in rest),
            sum(row.active for row in rest),
        ),
    ]


def _needs(registrations: QuerySet, name: str) -> list[tuple[str, int]]:
    """Return the approved delegates' needs of one kind, the same words together."""
    counted = (
        registrations.filter(status=ATTENDING)
        .exclude(**{name: ""})
        .order_by()
        .annotate(need=Lower(Trim(name)))
        .values("need")
        .annotate(total=Count("pk"))
        .order_by("-total", "need")
    )
    return [(item["need"], item["total"]) for item in counted]


def event_statistics(
    event: Event, *, rest_label: str, not_listed: str = "–"
) -> Statistics:
    """Count everything the statistics page shows for ``event``.

    ``rest_label`` names the line that adds up the countries after the top
    20 (with ``%(count)s``), ``not_listed`` the delegates whose organisation
    is not on the list, in the reader's language.
    """
    registrations = Registration.objects.filter(event=event)
    by_status = dict(
        registrations.order_by()
        .values_list("status")
        .annotate(total=Count("pk"))
        .values_list("status", "total")
    )
    daily = (
        registrations.order_by()
        .annotate(day=TruncDate("submitted_at", tzinfo=EXPORT_TIMEZONE))
        .values("day", "status")
        .annotate(total=Count("pk"))
        .order_by("day")
    )
    over_time: dict[date, dict[str, int]] = {}
    days = list(daily)
    weekly = bool(days) and (days[-1]["day"] - days[0]["day"]).days > DAILY_UP_TO
    for item in days:
        day = item["day"]
        if weekly:
            day -= timedelta(days=day.weekday())
        counts = over_time.setdefault(day, {})
        counts[item["status"]] = counts.get(item["status"], 0) + item["total"]
    sectors = dict(Sector.choices)
    delegations = with_member_counts(
        event.delegations.select_related("organisation")
    ).order_by("organisation__name")
    sessions = event.sessions.with_approved_count().order_by("starts_at", "pk")
    return Statistics(
        event=event,
        by_status=by_status,
        over_time=sorted(over_time.items()),
        weekly=weekly,
        by_category=_breakdown(registrations, "category", sectors),
        by_country=_top(
            _breakdown(registrations, "country", dict(countries)),
            TOP_COUNTRIES,
            rest_label,
        ),
        by_kind=_breakdown(
            registrations, "organisation__kind", {**sectors, None: not_listed}
        ),
        by_delegation=[
            {
                "name": delegation.organisation.localized.name,
                "quota": delegation.seat_quota,
                "nominated": delegation.nominated_count,
                "approved": delegation.approved_count,
            }
            for delegation in delegations
        ],
        sessions=[
            {
                "title": session.localized.title,
                "room": session.room,
                "starts_at": session.starts_at,
                "approved": session.approved_count,
                "capacity": session.capacity,
            }
            for session in sessions
        ],
        interpretation=_breakdown(
            registrations,
            "interpretation",
            dict(Registration.Interpretation.choices),
        ),
        dietary=_needs(registrations, "dietary_needs"),
        accessibility=_needs(registrations, "accessibility_needs"),
    )
