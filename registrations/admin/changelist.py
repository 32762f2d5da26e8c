"""What the registration list shows above its rows, and how it counts them.

The counts per status and, for an event that leaves the waiting list to the
reviewers, the seats free and who is next in line for them. The counts per
status are one grouped query, and the list's length is taken from them rather
than from a ``COUNT(*)`` of its own; the waiting-list places are worked out
once for the page.
"""

from django.contrib.admin.views.main import PAGE_VAR
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from registrations import selectors
from registrations.models import Event, Registration
from symposium.admin import DeclaredFiltersChangeList, DeclaredFiltersOnly

Status = Registration.Status
# How many of the next in line the notice names.
NEXT_IN_LINE_LISTED = 10


STATUS_PARAMETER = "status__exact"


class CountedPaginator(Paginator):
    """A paginator that takes the list's length from the status counts if known."""

    @cached_property
    def count(self):
        known = getattr(self.object_list, "known_count", None)
        return super().count if known is None else known


class ReviewChangeList(DeclaredFiltersChangeList):
    """The reviewers' list: its status counts, its length and waiting-list places.

    ``status_counts`` counts the registrations the current filters show with
    the status filter left out, so that each count also works as a link to
    that status; the length of the list is then their sum, or the count of the
    status asked for.
    """

    def get_filters(self, request):
        # The list filters read the values they offer from the database: once
        # per page, although the status counts filter the list a second time.
        if not hasattr(self, "_filters"):
            self._filters = super().get_filters(request)
        return self._filters

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        if exclude_parameters is not None:
            return queryset
        asked = self.params.get(STATUS_PARAMETER)
        status_filter = [
            spec
            for spec in self.filter_specs
            if getattr(spec, "field_path", None) == "status"
        ]
        if status_filter and status_filter[0].used_parameters:
            summary = super().get_queryset(
                request, exclude_parameters=status_filter[0].expected_parameters()
            )
        else:
            summary = queryset
        self.status_counts = selectors.status_counts(summary)
        if not (status_filter and status_filter[0].used_parameters):
            queryset.known_count = sum(self.status_counts.values())
        elif set(status_filter[0].used_parameters) == {STATUS_PARAMETER}:
            queryset.known_count = self.status_counts.get(asked, 0)
        return queryset

    def get_results(self, request):
        super().get_results(request)
        page = self.result_list
        if page.query.is_sliced:
            # The page is picked by its ids first and its rows read after: the
            # database works out a row's columns (its sessions counted) for
            # the rows shown, not for every row skipped before them (5,000 on
            # page 50).
            page = (
                self.apply_select_related(self.root_queryset)
                .filter(pk__in=page.values("pk"))
                .order_by(*page.query.order_by)
            )
        self.result_list = list(page)
        places = selectors.waitlist_positions(self.result_list)
        for registration in self.result_list:
            registration.waitlist_place = places.get(registration.pk)


class ExportChangeList(ReviewChangeList):
    """The reviewers' list as its exports take it: its filters checked and its
    order resolved, without the counts above it and the page of its rows,
    which an export never shows (at 100,000 registrations, a grouped count
    and a page of rows each time)."""

    def get_queryset(self, request, exclude_parameters=None):
        return super(ReviewChangeList, self).get_queryset(request, exclude_parameters)

    def get_results(self, request):
        self.result_list = []


class StatusSummaryMixin(DeclaredFiltersOnly):
    """Counts per status for the current filters, each a link to that status."""

    paginator = CountedPaginator
    show_full_result_count = False

    def get_changelist(self, request, **kwargs):
        return ReviewChangeList

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            context.update(self.status_summary(request, context["cl"]))
            context["can_export"] = selectors.can_export(request.user)
            context["waitlist_offers"] = self.waitlist_offers()
        return response

    def waitlist_offers(self) -> list[dict]:
        """Return the free seats and who is next in line, per event that asks.

        Only the coming events whose ``waitlist_promotion`` is off: elsewhere
        freed seats go to the waiting list by themselves.
        """
        offers = []
        events = Event.objects.filter(
            waitlist_promotion=False, ends_at__gte=timezone.now()
        )
        for event in events:
            free, next_in_line = selectors.next_in_line(event)
            if not (free and next_in_line):
                continue
            offers.append(
                {
                    "event": event,
                    "free": free,
                    "next": [
                        {
                            "name": registration.display_name,
                            "url": reverse(
                                "admin:registrations_registration_change",
                                args=[registration.pk],
                            ),
                        }
                        for registration in next_in_line[:NEXT_IN_LINE_LISTED]
                    ],
                    "more": max(len(next_in_line) - NEXT_IN_LINE_LISTED, 0),
                }
            )
        return offers

    def status_summary(self, request, changelist) -> dict:
        """Link each status to the list filtered by it, with its count."""
        params = request.GET.copy()
        params.pop(PAGE_VAR, None)
        params.pop(STATUS_PARAMETER, None)
        links = []
        for status, label in Status.choices:
            query = params.copy()
            query[STATUS_PARAMETER] = status
            links.append(
                {
                    "status": status,
                    "label": label,
                    "count": changelist.status_counts[status],
                    "url": f"?{query.urlencode()}",
                    "active": request.GET.get(STATUS_PARAMETER) == status,
                }
            )
        return {"status_counts": links}
