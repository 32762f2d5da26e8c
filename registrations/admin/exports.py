"""Attendee lists from the admin, and the read-only record of every export.

Which rows, which columns, which format and the audit record live in
``registrations.documents``; these mixins give the admin its download
addresses and its export actions, as CSV and as XLSX.
"""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from registrations import selectors
from registrations.admin.badges import BadgePrintInline
from registrations.admin.changelist import ExportChangeList
from registrations.documents import audit, selection
from registrations.models import ExportLog
from symposium.admin import ReadOnly

Format = ExportLog.Format


def export_urls(model_admin: admin.ModelAdmin, route: str) -> list[URLPattern]:
    """Return ``<route>`` (CSV) and ``<route>xlsx/`` for ``model_admin.export_view``.

    Named ``<app>_<model>_export`` and ``<app>_<model>_export_xlsx``.
    """
    view = model_admin.admin_site.admin_view(model_admin.export_view)
    csv_name, xlsx_name = export_url_names(model_admin)
    return [
        path(route, view, {"file_format": Format.CSV}, name=csv_name),
        path(f"{route}xlsx/", view, {"file_format": Format.XLSX}, name=xlsx_name),
    ]


def export_url_names(model_admin: admin.ModelAdmin) -> tuple[str, str]:
    """Return the names of ``model_admin``'s CSV and XLSX export addresses."""
    opts = model_admin.opts
    name = f"{opts.app_label}_{opts.model_name}_export"
    return name, f"{name}_xlsx"


class SessionExportMixin:
    """A session's attendee list, linked from its change page."""

    def get_urls(self):
        return [*export_urls(self, "<path:object_id>/export/"), *super().get_urls()]

    def export_view(self, request, object_id, file_format):
        """Download the session's attendee list (linked from its change page)."""
        if not selectors.can_export(request.user):
            raise PermissionDenied
        session = self.get_object(request, object_id)
        if session is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        export = audit.export_start(
            selection=selection.for_session(session),
            user=request.user,
            file_format=file_format,
        )
        return audit.export_response(export)

    def render_change_form(self, request, context, *args, **kwargs):
        context["can_export"] = selectors.can_export(request.user)
        return super().render_change_form(request, context, *args, **kwargs)


class RegistrationExportMixin:
    """The export of the filtered list, and of the rows selected on it."""

    def get_urls(self):
        return [*export_urls(self, "export/"), *super().get_urls()]

    def get_changelist(self, request, **kwargs):
        match = request.resolver_match
        if match and match.url_name in export_url_names(self):
            return ExportChangeList
        return super().get_changelist(request, **kwargs)

    def has_export_permission(self, request):
        return selectors.can_export(request.user)

    @admin.action(
        description=_("Export selected registrations as CSV"), permissions=["export"]
    )
    def export_selected(self, request, queryset):
        return self.export_ticked(request, queryset, Format.CSV)

    @admin.action(
        description=_("Export selected registrations as XLSX"), permissions=["export"]
    )
    def export_selected_xlsx(self, request, queryset):
        return self.export_ticked(request, queryset, Format.XLSX)

    def export_ticked(self, request, queryset, file_format):
        across = request.POST.get("select_across") == "1"
        try:
            chosen = selection.from_changelist(
                request.GET,
                ordering=queryset.query.order_by,
                selected=None if across else request.POST.getlist(ACTION_CHECKBOX_NAME),
            )
        except selection.SelectionError:
            self.message_user(
                request,
                _("The list's filters were not understood; nothing was exported."),
                messages.ERROR,
            )
            return None
        export = audit.export_start(
            selection=chosen, user=request.user, file_format=file_format
        )
        return audit.export_response(export)

    def export_view(self, request, file_format):
        """Download every registration the changelist shows with these filters."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        try:
            # The changelist checks the filters and resolves the order of its
            # columns; the selection translates the filters into selectors.
            changelist = self.get_changelist_instance(request)
            chosen = selection.from_changelist(
                request.GET, ordering=changelist.queryset.query.order_by
            )
        except (IncorrectLookupParameters, selection.SelectionError):
            # The changelist itself explains what is wrong with the filters.
            changelist_url = reverse("admin:registrations_registration_changelist")
            return HttpResponseRedirect(f"{changelist_url}?{request.GET.urlencode()}")
        export = audit.export_start(
            selection=chosen, user=request.user, file_format=file_format
        )
        return audit.export_response(export)


@admin.register(ExportLog)
class ExportLogAdmin(ReadOnly, admin.ModelAdmin):
    """The audit of exports: readable by those allowed to view it, never editable."""

    list_display = [
        "exported_at",
        "exported_by",
        "document",
        "kind",
        "file_format",
        "event",
        "row_count",
        "filename",
        "reason",
    ]
    list_filter = ["document", "kind", "file_format", "event"]
    inlines = [BadgePrintInline]
    list_select_related = ["exported_by", "event"]
    search_fields = ["filename", "exported_by__username"]
    date_hierarchy = "exported_at"
