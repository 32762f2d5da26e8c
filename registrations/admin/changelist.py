"""What the registration list shows above its rows: the counts per status."""

import copy

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import PAGE_VAR

from registrations import selectors
from registrations.models import Registration

Status = Registration.Status


class StatusSummaryMixin:
    """Counts per status for the current filters, each a link to that status."""

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            context.update(self.status_summary(request, context["cl"]))
            context["can_export"] = selectors.can_export(request.user)
        return response

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
