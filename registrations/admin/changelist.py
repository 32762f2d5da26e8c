"""What the registration list shows above its rows.

The counts per status and, for an event that leaves the waiting list to the
reviewers, the seats free and who is next in line for them.
"""

import copy

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import PAGE_VAR
from django.urls import reverse
from django.utils import timezone

from registrations import selectors
from registrations.models import Event, Registration

Status = Registration.Status
# How many of the next in line the notice names.
NEXT_IN_LINE_LISTED = 10


class StatusSummaryMixin:
    """Counts per status for the current filters, each a link to that status."""

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
        """Count the registrations the current filters show, per status.

        The status filter itself is left out, so that each count also works
        as a link to that status.
        """
        params = request.GET.copy()
        params.pop(PAGE_VAR, None)
        if params.pop("status__exact", None) is None:
            queryset = changelist.queryset
        else:
            summary_request = copy.copy(request)
            summary_request.GET = params
            try:
                queryset = self.get_changelist_instance(summary_request).get_queryset(
                    summary_request
                )
            except IncorrectLookupParameters:
                return {}
        counts = selectors.status_counts(queryset)
        links = []
        for status, label in Status.choices:
            query = params.copy()
            query["status__exact"] = status
            links.append(
                {
                    "status": status,
                    "label": label,
                    "count": counts[status],
                    "url": f"?{query.urlencode()}",
                    "active": request.GET.get("status__exact") == status,
                }
            )
        return {"status_counts": links}
