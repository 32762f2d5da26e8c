"""Attendee lists from the admin, and the read-only record of every export.

Which rows, which columns and the audit record live in ``registrations.documents``;
these mixins give the admin its download addresses and its export action.
"""

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from registrations import selectors
from registrations.documents import audit, selection
from registrations.models import ExportLog


def export_url(model_admin: admin.ModelAdmin, route: str) -> URLPattern:
    """Return the URL of ``model_admin.export_view``, named ``<app>_<model>_export``."""
    opts = model_admin.opts
    return path(
        route,
        model_admin.admin_site.admin_view(model_admin.export_view),
        name=f"{opts.app_label}_{opts.model_name}_export",
    )


class SessionExportMixin:
    """A session's attendee list, linked from its change page."""

    def get_urls(self):
        return [export_url(self, "<path:object_id>/export/"), *super().get_urls()]

    def export_view(self, request, object_id):
        """Download the session's attendee list (linked from its change page)."""
        if not selectors.can_export(request.user):
            raise PermissionDenied
        session = self.get_object(request, object_id)
        if session is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        export = selection.export_session(session=session, user=request.user)
        return audit.export_response(export)


class RegistrationExportMixin:
    """The export of the filtered list, and of the rows selected on it."""

    def get_urls(self):
        return [export_url(self, "export/"), *super().get_urls()]

    def has_export_permission(self, request):
        return selectors.can_export(request.user)

    @admin.action(
        description=_("Export selected registrations as CSV"), permissions=["export"]
    )
    def export_selected(self, request, queryset):
        across = request.POST.get("select_across") == "1"
        export = selection.export_changelist(
            registrations=queryset,
            query=request.GET,
            user=request.user,
            selected=None if across else request.POST.getlist(ACTION_CHECKBOX_NAME),
        )
        return audit.export_response(export)

    def export_view(self, request):
        """Download every registration the changelist shows with these filters."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            # The changelist itself explains what is wrong with the filters.
            changelist_url = reverse("admin:registrations_registration_changelist")
            return HttpResponseRedirect(f"{changelist_url}?{request.GET.urlencode()}")
        export = selection.export_changelist(
            registrations=changelist.queryset,
            query=request.GET,
            user=request.user,
        )
        return audit.export_response(export)


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    """The audit of exports: readable by those allowed to view it, never editable."""

    list_display = [
        "exported_at",
        "exported_by",
        "kind",
        "event",
        "row_count",
        "filename",
    ]
    list_filter = ["kind", "event"]
    list_select_related = ["exported_by", "event"]
    search_fields = ["filename", "exported_by__username"]
    date_hierarchy = "exported_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
