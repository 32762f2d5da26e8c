"""Registrations in the admin: the list reviewers work from, and the change page.

The decisions are in ``review``, the downloads in ``exports``; this module
shows the rows and lets staff correct a registration through the services.
"""

import copy

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import PAGE_VAR
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from registrations import selectors, services
from registrations.admin.exports import RegistrationExportMixin
from registrations.admin.filters import CountryFilter, SessionFilter
from registrations.admin.review import ReviewMixin
from registrations.models import Registration, RegistrationChange

Status = Registration.Status


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

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


class RegistrationAdminForm(forms.ModelForm):
    """Staff corrections; an approved delegate's new sessions must have seats."""

    class Meta:
        model = Registration
        fields = [*Registration.DELEGATE_FIELDS, "sessions"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "sessions" in self.fields and self.instance.pk:
            # Only the registration's own event's programme can be chosen.
            self.fields["sessions"].queryset = self.instance.event.sessions.all()

    def clean(self):
        cleaned = super().clean()
        sessions = cleaned.get("sessions")
        if sessions is not None and self.instance.pk:
            try:
                services.check_seats_for_sessions(
                    registration=self.instance, sessions=list(sessions)
                )
            except services.RegistrationError as error:
                self.add_error("sessions", error.message)
        return cleaned


@admin.register(Registration)
class RegistrationAdmin(ReviewMixin, RegistrationExportMixin, admin.ModelAdmin):
    form = RegistrationAdminForm
    list_display = [
        "display_name",
        "organisation_display",
        "country",
        "category",
        "sessions_count",
        "status_badge",
        "submitted_at",
    ]
    list_filter = [
        "status",
        "category",
        "event",
        ("organisation", admin.RelatedOnlyFieldListFilter),
        ("organisation__invited", admin.BooleanFieldListFilter),
        CountryFilter,
        SessionFilter,
    ]
    list_select_related = ["organisation"]
    list_per_page = 100
    search_fields = [
        "family_name",
        "given_name",
        "name_ja",
        "email",
        "organisation__name",
        "organisation__acronym",
        "organisation_other",
    ]
    date_hierarchy = "submitted_at"
    ordering = ["-submitted_at", "-pk"]
    filter_horizontal = ["sessions"]
    readonly_fields = [
        "event",
        "email",
        "status",
        "submitted_at",
        "status_changed_at",
        "reviewed_by",
        "reviewed_at",
        "review_note",
        "consent_given_at",
        "language",
    ]
    inlines = [RegistrationChangeInline]
    actions = ["approve", "reject", "waitlist", "resend_link", "export_selected"]
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

    class Media:
        css = {"all": ["css/admin.css"]}

    # The list

    def get_queryset(self, request):
        sessions_chosen = (
            Registration.sessions.through.objects.filter(registration=OuterRef("pk"))
            .order_by()
            .values("registration")
            .annotate(total=Count("*"))
            .values("total")
        )
        # Correlated subqueries: the database evaluates them for the rows of
        # the page only, not for the whole filtered list.
        return (
            super()
            .get_queryset(request)
            .annotate(
                sessions_total=Coalesce(Subquery(sessions_chosen), 0),
            )
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

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, registration):
        label = registration.get_status_display()
        if registration.status == Status.WAITLISTED:
            label = _("%(status)s (no. %(position)s)") % {
                "status": label,
                "position": getattr(registration, "waitlist_place", "?"),
            }
        return format_html(
            '<span class="status status-{}">{}</span>', registration.status, label
        )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            changelist = context["cl"]
            context.update(self.status_summary(request, changelist))
            # Read by status_badge while the page renders: one query for the
            # page's waitlisted rows instead of one per row.
            places = selectors.waitlist_positions(changelist.result_list)
            for registration in changelist.result_list:
                registration.waitlist_place = places.get(registration.pk)
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

    # Permissions

    def has_add_permission(self, request):
        # Registrations come from delegates through the public form.
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting would free a seat unrecorded and take the history with it;
        # a registration is cancelled instead, and deleted only when its
        # retention period ends (delete_expired_registrations).
        return False

    # Editing

    def save_model(self, request, obj, form, change):
        # The services module saves, with the sessions, in save_related.
        pass

    def save_related(self, request, form, formsets, change):
        details = {
            name: form.cleaned_data[name]
            for name in Registration.DELEGATE_FIELDS
            if name in form.cleaned_data
        }
        try:
            services.registration_correct(
                registration=form.instance,
                by=request.user,
                sessions=list(form.cleaned_data["sessions"]),
                **details,
            )
        except services.RegistrationError as error:
            # The form checked the seats, but another reviewer may have taken
            # the last one since; nothing was saved.
            self.message_user(request, error.message, messages.ERROR)
            request.correction_refused = True
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def response_change(self, request, obj):
        if getattr(request, "correction_refused", False):
            return HttpResponseRedirect(request.get_full_path())
        return super().response_change(request, obj)
