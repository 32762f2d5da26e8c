"""The staff's statistics page: charts with their numbers, and the needs list.

Outside the admin, with a permission of its own ("Can see the registration
statistics"), signed in as for the admin (staff, second factor). Every
figure is an aggregate (``selectors.statistics``): the page costs the same
queries at any size.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from registrations import charts, selectors
from registrations.documents import audit, needs
from registrations.models import Event, Registration
from registrations.selectors.checkins import attendance
from registrations.selectors.statistics import event_statistics

STATISTICS_PERMISSION = "registrations.view_statistics"
Status = Registration.Status
# The statuses stacked in the chart over time, from the bottom up.
STACKED = (
    Status.APPROVED,
    Status.PENDING,
    Status.WAITLISTED,
    Status.REJECTED,
    Status.CANCELLED,
)
# How many distinct needs the page names before "and n more".
NEEDS_SHOWN = 30


def chosen_event(request) -> tuple[Event, list[Event]]:
    events = list(Event.objects.order_by("-starts_at"))
    slug = request.GET.get("event")
    if slug:
        event = next((event for event in events if event.slug == slug), None)
        if event is None:
            raise Http404(_("No event has this address."))
        return event, events
    event = Event.objects.current()
    if event is None:
        raise Http404(_("There is no event yet."))
    return event, events


def statistics_context(stats) -> dict:
    """Return the charts' geometry for the numbers counted."""
    row_bars = lambda rows: charts.bars(  # noqa: E731
        [(row.label, row.active, row.approved) for row in rows]
    )
    return {
        "over_time": charts.stacked_columns(stats.over_time, STACKED),
        "category_chart": row_bars(stats.by_category),
        "country_chart": row_bars(stats.by_country),
        "kind_chart": row_bars(stats.by_kind),
        "interpretation_chart": row_bars(stats.interpretation),
        "delegation_chart": charts.capacity_bars(
            [(d["name"], d["approved"], d["quota"]) for d in stats.by_delegation]
        ),
        "session_chart": charts.capacity_bars(
            [(s["title"], s["approved"], s["capacity"]) for s in stats.sessions]
        ),
        "statuses": [
            (label, stats.by_status.get(value, 0)) for value, label in Status.choices
        ],
        "time_rows": [
            (day, [counts.get(value, 0) for value in STACKED])
            for day, counts in stats.over_time
        ],
        "stacked": [(value, Status(value).label) for value in STACKED],
        "dietary": stats.dietary[:NEEDS_SHOWN],
        "dietary_more": max(len(stats.dietary) - NEEDS_SHOWN, 0),
        "accessibility": stats.accessibility[:NEEDS_SHOWN],
        "accessibility_more": max(len(stats.accessibility) - NEEDS_SHOWN, 0),
    }


def checkins_context(event: Event) -> dict:
    """Return who came in at the door, once the event's day has begun."""
    if timezone.now() < event.starts_at:
        return {"checkins": None}
    checkins = attendance(event)
    return {
        "checkins": checkins,
        "checkin_chart": charts.capacity_bars(
            [
                (row["label"], row["in"], row["approved"])
                for row in checkins["by_category"]
            ]
        ),
    }


@require_GET
def statistics_page(request):
    if not request.user.has_perm(STATISTICS_PERMISSION):
        raise PermissionDenied
    event, events = chosen_event(request)
    stats = event_statistics(
        event,
        rest_label=_("Other countries (%(count)s)"),
        not_listed=_("Organisation not on the list"),
    )
    context = {
        **admin.site.each_context(request),
        "title": _("Statistics"),
        "event": event,
        "events": events,
        "stats": stats,
        "can_export": selectors.can_export(request.user),
        **statistics_context(stats),
        **checkins_context(event),
    }
    return render(request, "registrations/staff/statistics.html", context)


@require_GET
def needs_download(request, file_format):
    """Download the approved delegates' needs with their names, for the caterer."""
    if not (
        request.user.has_perm(STATISTICS_PERMISSION)
        and selectors.can_export(request.user)
    ):
        raise PermissionDenied
    event, _events = chosen_event(request)
    export = needs.needs_export(event=event, user=request.user, file_format=file_format)
    return audit.export_response(export)


staff_statistics_page = admin.site.admin_view(statistics_page)
staff_needs_download = admin.site.admin_view(needs_download)
