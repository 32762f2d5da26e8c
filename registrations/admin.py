from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from registrations import exports
from registrations.models import (
    Event,
    ExportLog,
    Organisation,
    Registration,
    RegistrationChange,
    Session,
    SessionSpeaker,
    Speaker,
)


def export_url(model_admin: admin.ModelAdmin, route: str) -> URLPattern:
    """Return the URL of ``model_admin.export_view``, named ``<app>_<model>_export``."""
    opts = model_admin.opts
    return path(
        route,
        model_admin.admin_site.admin_view(model_admin.export_view),
        name=f"{opts.app_label}_{opts.model_name}_export",
    )


class SessionInline(admin.TabularInline):
    model = Session
    fields = ["title", "starts_at", "ends_at", "room", "capacity"]
    extra = 0
    show_change_link = True


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "starts_at",
        "venue",
        "capacity",
        "registration_opens_at",
        "registration_closes_at",
    ]
    search_fields = ["title", "title_ja", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "starts_at"
    inlines = [SessionInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "title_ja",
                    "slug",
                    "host",
                    "host_ja",
                    "contact_email",
                ]
            },
        ),
        (
            _("When and where"),
            {"fields": ["starts_at", "ends_at", "venue", "venue_ja", "capacity"]},
        ),
        (
            _("Registration"),
            {"fields": ["registration_opens_at", "registration_closes_at"]},
        ),
        (
            _("Texts for the home page"),
            {
                "fields": [
                    "description",
                    "description_ja",
                    "aims",
                    "aims_ja",
                    "background",
                    "background_ja",
                ]
            },
        ),
    ]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "kind", "country", "invited"]
    list_filter = ["invited", "kind"]
    search_fields = ["name", "name_ja", "acronym"]
    fields = ["name", "name_ja", "acronym", "kind", "country", "invited"]


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "organisation"]
    list_select_related = ["organisation"]
    search_fields = ["name", "name_ja", "organisation__name"]
    autocomplete_fields = ["organisation"]


class SessionSpeakerInline(admin.TabularInline):
    model = SessionSpeaker
    extra = 0
    autocomplete_fields = ["speaker"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "event",
        "starts_at",
        "ends_at",
        "room",
        "capacity",
        "approved",
    ]
    list_filter = ["event"]
    list_select_related = ["event"]
    search_fields = ["title", "title_ja"]
    inlines = [SessionSpeakerInline]
    fields = [
        "event",
        "title",
        "title_ja",
        "description",
        "description_ja",
        "starts_at",
        "ends_at",
        "room",
        "room_ja",
        "capacity",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_approved_count()

    @admin.display(description=_("approved"), ordering="approved_count")
    def approved(self, session):
        return session.approved_count

    def get_urls(self):
        return [export_url(self, "<path:object_id>/export/"), *super().get_urls()]

    def export_view(self, request, object_id):
        """Download the session's attendee list (linked from its change page)."""
        if not exports.can_export(request.user):
            raise PermissionDenied
        session = self.get_object(request, object_id)
        if session is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        export = exports.export_session(session=session, user=request.user)
        return exports.export_response(export)


class RegistrationChangeInline(admin.TabularInline):
    model = RegistrationChange
    fields = [
        "changed_at",
        "actor",
        "changed_by",
        "from_status",
        "to_status",
        "fields",
        "note",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("history")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = [
        "display_name",
        "organisation_display",
        "country",
        "category",
        "sessions_count",
        "status",
        "submitted_at",
    ]
    list_filter = ["status", "category", "event"]
    list_select_related = ["organisation"]
    search_fields = [
        "family_name",
        "given_name",
        "name_ja",
        "email",
        "organisation__name",
        "organisation_other",
    ]
    date_hierarchy = "submitted_at"
    autocomplete_fields = ["organisation"]
    filter_horizontal = ["sessions"]
    readonly_fields = [
        "status",
        "submitted_at",
        "status_changed_at",
        "reviewed_by",
        "reviewed_at",
        "consent_given_at",
        "language",
    ]
    inlines = [RegistrationChangeInline]
    actions = ["export_selected"]
    fieldsets = [
        (None, {"fields": ["event", "status", "submitted_at", "status_changed_at"]}),
        (
            _("Delegate"),
            {
                "fields": [
                    "honorific",
                    "given_name",
                    "family_name",
                    "name_ja",
                    "email",
                    "organisation",
                    "organisation_other",
                    "position",
                    "country",
                    "category",
                    "language",
                ]
            },
        ),
        (
            _("Sessions and needs"),
            {
                "fields": [
                    "sessions",
                    "dietary_needs",
                    "accessibility_needs",
                    "interpretation",
                ]
            },
        ),
        (
            _("Review"),
            {
                "fields": [
                    "reviewed_by",
                    "reviewed_at",
                    "review_note",
                    "consent_given_at",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(sessions_total=Count("sessions", distinct=True))
        )

    @admin.display(description=_("name"), ordering="family_name")
    def display_name(self, registration):
        return registration.display_name

    @admin.display(description=_("organisation"), ordering="organisation__name")
    def organisation_display(self, registration):
        return registration.organisation_name

    @admin.display(description=_("sessions"), ordering="sessions_total")
    def sessions_count(self, registration):
        return registration.sessions_total

    # Exports: which rows, which columns and the audit record live in exports.py.

    def has_export_permission(self, request):
        return exports.can_export(request.user)

    @admin.action(
        description=_("Export selected registrations as CSV"), permissions=["export"]
    )
    def export_selected(self, request, queryset):
        across = request.POST.get("select_across") == "1"
        export = exports.export_changelist(
            registrations=queryset,
            query=request.GET,
            user=request.user,
            selected=None if across else request.POST.getlist(ACTION_CHECKBOX_NAME),
        )
        return exports.export_response(export)

    def get_urls(self):
        return [export_url(self, "export/"), *super().get_urls()]

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
        export = exports.export_changelist(
            registrations=changelist.get_queryset(request),
            query=request.GET,
            user=request.user,
        )
        return exports.export_response(export)


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
