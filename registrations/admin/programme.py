"""The programme in the admin: events, their sessions, speakers and organisations."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from registrations.admin.exports import SessionExportMixin
from registrations.models import (
    Event,
    Organisation,
    Session,
    SessionSpeaker,
    Speaker,
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
class SessionAdmin(SessionExportMixin, admin.ModelAdmin):
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
