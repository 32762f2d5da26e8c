"""The list of delegations, as CSV or XLSX, from the delegations' admin list."""

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.utils.translation import gettext_lazy as _

from registrations import selectors
from registrations.documents import audit
from registrations.documents.delegations import (
    DELEGATION_COLUMNS,
    delegation_headers,
    delegation_rows,
)
from registrations.models import Event, ExportLog

Format = ExportLog.Format


class DelegationExportMixin:
    """Export the delegations ticked on the list, for the protocol office."""

    def has_export_permission(self, request):
        return selectors.can_export(request.user)

    @admin.action(
        description=_("Export the selected delegations as CSV"),
        permissions=["export"],
    )
    def export_delegations(self, request, queryset):
        return self.export_list(request, queryset, Format.CSV)

    @admin.action(
        description=_("Export the selected delegations as XLSX"),
        permissions=["export"],
    )
    def export_delegations_xlsx(self, request, queryset):
        return self.export_list(request, queryset, Format.XLSX)

    def export_list(self, request, queryset, file_format):
        delegations = queryset.order_by("organisation__name", "pk")
        events = list(Event.objects.filter(pk__in=delegations.values("event_id"))[:2])
        export = audit.document_start(
            document=ExportLog.Document.DELEGATIONS,
            kind=ExportLog.Kind.SELECTED,
            event=events[0] if len(events) == 1 else None,
            name="delegations",
            filters={
                "delegations": sorted(
                    int(pk)
                    for pk in request.POST.getlist(ACTION_CHECKBOX_NAME)
                    if pk.isascii() and pk.isdigit()
                ),
                "select_across": request.POST.get("select_across") == "1",
            },
            header=delegation_headers(),
            rows=delegation_rows(delegations),
            user=request.user,
            file_format=file_format,
            layout={}
            if file_format == Format.CSV
            else {"columns": DELEGATION_COLUMNS, "sheet_name": _("Delegations")},
        )
        return audit.export_response(export)
