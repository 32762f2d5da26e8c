"""The programme in the admin: events, their sessions, speakers and organisations."""

from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from registrations import services
from registrations.admin.exports import SessionExportMixin
from registrations.admin.forms import EventForm
from registrations.admin.invite import InviteDelegationsMixin
from registrations.admin.participants import PARTICIPANTS_ACTIONS, ParticipantsListMixin
from registrations.admin.venue import VenueDetailsMixin
from registrations.models import (
    Event,
    Organisation,
    Session,
    SessionSpeaker,
    Speaker,
)


class LabelledDateTimeMixin:
    """Name both halves of a date-and-time input, for screen readers.

    Django's widget puts the field's label on neither the date nor the time
    box, so each is named after the field: "Starts at: date".
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(db_field, models.DateTimeField) and isinstance(
            getattr(field, "widget", None), AdminSplitDateTime
        ):
            name = capfirst(db_field.verbose_name)
            date, time = field.widget.widgets
            date.attrs["aria-label"] = gettext("%(field)s: date") % {"field": name}
            time.attrs["aria-label"] = gettext("%(field)s: time") % {"field": name}
        return field


class LabelledColumnsMixin(LabelledDateTimeMixin):
    """Name each input of a table of inlines after its column, for screen readers.

    A tabular inline shows the field's label only as the column's heading.
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(field, "widget", None)
        if widget is not None and not isinstance(widget, AdminSplitDateTime):
            target = getattr(widget, "widget", widget)  # a related-field wrapper
            target.attrs.setdefault("aria-label", capfirst(db_field.verbose_name))
        return field


class LabelledFormSet(BaseInlineFormSet):
    """Name the "delete" box of each row, which has only its column's heading."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = gettext("Delete")


def capacity_before(form) -> int | None:
    """Return the capacity a saved form had before, if the form changed it."""
    if form.instance.pk is None or "capacity" not in form.changed_data:
        return None
    return form.initial.get("capacity")


class WaitlistOnRaisedCapacityMixin:
    """Offer the seats a raised capacity frees to the waiting list, and say so."""

    def fill_raised_capacity(self, request, event, *, hall_before, sessions_before):
        promoted = services.waitlist_fill_raised_capacity(
            event=event, hall_before=hall_before, sessions_before=sessions_before
        )
        if promoted:
            self.message_user(
                request,
                ngettext(
                    "%(count)d delegate on the waiting list was approved for the "
                    "seats freed, and told by email: %(names)s.",
                    "%(count)d delegates on the waiting list were approved for the "
                    "seats freed, and told by email: %(names)s.",
                    len(promoted),
                )
                % {
                    "count": len(promoted),
                    "names": "; ".join(r.display_name for r in promoted),
                },
                messages.SUCCESS,
            )


class SessionInline(LabelledColumnsMixin, admin.TabularInline):
    formset = LabelledFormSet
    model = Session
    fields = ["title", "starts_at", "ends_at", "room", "capacity"]
    extra = 0
    show_change_link = True


@admin.register(Event)
class EventAdmin(
    VenueDetailsMixin,
    ParticipantsListMixin,
    WaitlistOnRaisedCapacityMixin,
    LabelledDateTimeMixin,
    admin.ModelAdmin,
):
    form = EventForm
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
    readonly_fields = ["venue_details_sent_at"]
    actions = ["send_venue_details", *PARTICIPANTS_ACTIONS]
    # A map link typed without its scheme is taken as https://.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
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
            {
                "fields": [
                    "registration_opens_at",
                    "registration_closes_at",
                    "open_form",
                    "open_form_categories",
                    "hold_delegation_seats",
                    "waitlist_promotion",
                ]
            },
        ),
        (
            _("Venue details for approved delegates"),
            {
                "description": _(
                    "Not public: approved delegates see them on their page and "
                    "in their emails once you send them (the action “Send the "
                    "venue details” in the list of events). Until then they are "
                    "told the date below."
                ),
                "fields": [
                    "venue_hotel",
                    "venue_hotel_ja",
                    "venue_address",
                    "venue_address_ja",
                    "venue_directions",
                    "venue_directions_ja",
                    "venue_map_url",
                    "venue_details_due",
                    "venue_details_sent_at",
                ],
            },
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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            return
        sessions_before = {
            session_form.instance.pk: capacity_before(session_form)
            for formset in formsets
            if formset.model is Session
            for session_form in formset.forms
            if session_form not in formset.deleted_forms
            and capacity_before(session_form) is not None
        }
        self.fill_raised_capacity(
            request,
            form.instance,
            hall_before=capacity_before(form),
            sessions_before=sessions_before,
        )


@admin.register(Organisation)
class OrganisationAdmin(InviteDelegationsMixin, admin.ModelAdmin):
    list_display = ["name", "acronym", "kind", "country", "invited"]
    list_filter = ["invited", "kind"]
    search_fields = ["name", "name_ja", "acronym"]
    fields = ["name", "name_ja", "acronym", "kind", "country", "invited"]
    actions = ["invite_delegations"]


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "organisation"]
    list_select_related = ["organisation"]
    search_fields = ["name", "name_ja", "organisation__name"]
    autocomplete_fields = ["organisation"]


class SessionSpeakerInline(LabelledColumnsMixin, admin.TabularInline):
    formset = LabelledFormSet
    model = SessionSpeaker
    extra = 0
    autocomplete_fields = ["speaker"]


@admin.register(Session)
class SessionAdmin(
    WaitlistOnRaisedCapacityMixin,
    LabelledDateTimeMixin,
    SessionExportMixin,
    admin.ModelAdmin,
):
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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before = capacity_before(form) if change else None
        if before is not None:
            self.fill_raised_capacity(
                request,
                form.instance.event,
                hall_before=None,
                sessions_before={form.instance.pk: before},
            )

    @admin.display(description=_("approved"), ordering="approved_count")
    def approved(self, session):
        return session.approved_count
