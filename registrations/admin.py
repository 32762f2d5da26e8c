"""The Django admin: where ministry staff review registrations all day.

Every decision goes through ``registrations.services``; this module only shows
the data, asks for confirmation and reports what the services did.
"""

import copy

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import PAGE_VAR
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries

from registrations import exports, services
from registrations.forms import FREE_TEXT_FIELD_CLASSES
from registrations.mail.admin import OutgoingEmailInline, ReadOnly, emails_url
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
from registrations.validators import MultiLineTextField

Status = Registration.Status

admin.site.site_header = _("Symposium registration")
admin.site.site_title = _("Symposium registration")
admin.site.index_title = _("Registrations and programme")
# How many refused registrations a result message names before summing up.
REFUSALS_LISTED = 10
# How many registrations a confirmation page lists before summing up.
CONFIRMATION_LISTED = 50


def names_listed(names) -> str:
    """Join the first REFUSALS_LISTED of ``names``, saying how many more there are."""
    names = list(names)
    listed = "; ".join(names[:REFUSALS_LISTED])
    more = len(names) - REFUSALS_LISTED
    if more > 0:
        listed += " " + str(
            ngettext("(and %(count)d more)", "(and %(count)d more)", more)
            % {"count": more}
        )
    return listed


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


class RegistrationChangeInline(ReadOnly, admin.TabularInline):
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

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


class ChoiceListFilter(admin.SimpleListFilter):
    """A list filter that accepts only the values it offers.

    Anything else in the address (typed by hand, a stale bookmark) is reported
    by the changelist as an invalid filter rather than reaching the database.
    """

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if self.value() not in {str(value) for value, _label in self.lookup_choices}:
            raise IncorrectLookupParameters(self.value())
        return self.filter(queryset, self.value())

    def filter(self, queryset, value: str):
        raise NotImplementedError


class CountryFilter(ChoiceListFilter):
    """Offer only the countries that registrations name, by their names."""

    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        codes = (
            model_admin.get_queryset(request)
            .order_by()
            .values_list("country", flat=True)
            .distinct()
        )
        return sorted(
            ((code, countries.name(code)) for code in codes if code),
            key=lambda choice: choice[1],
        )

    def filter(self, queryset, value):
        return queryset.filter(country=value)


class SessionFilter(ChoiceListFilter):
    """Registrations that chose a session.

    Written out rather than a plain ``"sessions"`` filter, which would make the
    admin add DISTINCT to the whole list for the many-to-many join.
    """

    title = _("session")
    parameter_name = "session"

    def lookups(self, request, model_admin):
        sessions = Session.objects.select_related("event").order_by(
            "event__starts_at", "starts_at", "title"
        )
        return [(str(session.pk), session.localized.title) for session in sessions]

    def filter(self, queryset, value):
        chosen = Registration.sessions.through.objects.filter(
            registration=OuterRef("pk"), session_id=int(value)
        )
        return queryset.filter(Exists(chosen))


class ReviewForm(forms.Form):
    """What a reviewer adds to a decision: a note, and for approvals a fallback."""

    note = MultiLineTextField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_(
            "Kept in the history. A note on a rejection or on the waiting list is "
            "also sent to the delegate."
        ),
    )
    waitlist_if_full = forms.BooleanField(
        label=_("Put on the waiting list those for whom no seat is left"),
        required=False,
        help_text=_("Otherwise they are left as they are and listed as refused."),
    )


# The title of each review, and the verb that review_confirmation.html puts
# into "You are about to ... this registration" and "Yes, ...".
REVIEW_ACTIONS = {
    Status.APPROVED: (
        _("Approve"),
        # Translators: fills "You are about to … this registration" and "Yes, …".
        _("approve"),
    ),
    Status.REJECTED: (
        _("Reject"),
        # Translators: fills "You are about to … this registration" and "Yes, …".
        _("reject"),
    ),
    Status.WAITLISTED: (
        _("Put on the waiting list"),
        # Translators: fills "You are about to … this registration" and "Yes, …".
        _("put on the waiting list"),
    ),
    Status.CANCELLED: (
        _("Cancel"),
        # Translators: fills "You are about to … this registration" and "Yes, …".
        _("cancel"),
    ),
}


class RegistrationAdminForm(forms.ModelForm):
    """Staff corrections; an approved delegate's new sessions must have seats."""

    class Meta:
        model = Registration
        fields = [*Registration.DELEGATE_FIELDS, "sessions"]
        field_classes = FREE_TEXT_FIELD_CLASSES

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
class RegistrationAdmin(admin.ModelAdmin):
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
    inlines = [RegistrationChangeInline, OutgoingEmailInline]
    actions = [
        "approve",
        "reject",
        "waitlist",
        "cancel",
        "replace_link",
        "export_selected",
    ]
    # The delegate's page is behind their private link, which no staff page
    # shows: staff read and change the registration here instead.
    view_on_site = False
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
            places = services.waitlist_positions(changelist.result_list)
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
        counts = services.status_counts(queryset)
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

    def has_review_permission(self, request):
        return request.user.has_perm("registrations.review_registration")

    def response_action(self, request, queryset):
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if not all(pk.isascii() and pk.isdigit() for pk in selected):
            self.message_user(
                request,
                _("The selection was not understood; nothing was changed."),
                messages.ERROR,
            )
            return None
        return super().response_action(request, queryset)

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

    # Reviewing

    @admin.action(
        description=_("Approve selected registrations"), permissions=["review"]
    )
    def approve(self, request, queryset):
        return self.review(request, queryset, Status.APPROVED)

    @admin.action(
        description=_("Reject selected registrations"), permissions=["review"]
    )
    def reject(self, request, queryset):
        return self.review(request, queryset, Status.REJECTED)

    @admin.action(
        description=_("Put selected registrations on the waiting list"),
        permissions=["review"],
    )
    def waitlist(self, request, queryset):
        return self.review(request, queryset, Status.WAITLISTED)

    @admin.action(
        description=_("Cancel selected registrations"), permissions=["review"]
    )
    def cancel(self, request, queryset):
        return self.review(request, queryset, Status.CANCELLED)

    @admin.action(
        description=_(
            "Revoke the private links of the selected delegates and email new ones"
        ),
        permissions=["change"],
    )
    def replace_link(self, request, queryset):
        registrations = list(queryset)
        for registration in registrations:
            services.registration_replace_link(
                registration=registration, by=request.user
            )
        self.message_user(
            request,
            ngettext(
                "%(count)d delegate's private link was revoked and a new one sent.",
                "%(count)d delegates' private links were revoked and new ones sent.",
                len(registrations),
            )
            % {"count": len(registrations)},
            messages.SUCCESS,
        )

    def review(self, request, queryset, decision, *, single=None):
        """Ask for confirmation and a note, then apply ``decision`` through services."""
        if "confirm" in request.POST:
            form = ReviewForm(request.POST)
            if form.is_valid():
                outcome = services.registrations_review(
                    registrations=queryset.select_related("event"),
                    decision=decision,
                    by=request.user,
                    note=form.cleaned_data["note"],
                    waitlist_if_full=form.cleaned_data["waitlist_if_full"],
                    time_limit=settings.REVIEW_TIME_LIMIT_SECONDS,
                )
                self.report(request, outcome, decision)
                return None
        else:
            form = ReviewForm()
        if decision != Status.APPROVED:
            del form.fields["waitlist_if_full"]
        total = queryset.count()
        title, verb = REVIEW_ACTIONS[decision]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "verb": verb,
            "decision": decision,
            "form": form,
            "registrations": queryset.select_related("organisation")[
                :CONFIRMATION_LISTED
            ],
            "total": total,
            "more": max(total - CONFIRMATION_LISTED, 0),
            "select_across": request.POST.get("select_across") == "1",
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "action": request.POST.get("action", ""),
            "single": single,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request,
            "admin/registrations/registration/review_confirmation.html",
            context,
        )

    def report(self, request, outcome, decision):
        changed = outcome.changed
        waitlisted_instead = [r for r in changed if r.status != decision]
        done = len(changed) - len(waitlisted_instead)
        if done:
            message = {
                Status.APPROVED: ngettext(
                    "%(count)d registration approved.",
                    "%(count)d registrations approved.",
                    done,
                ),
                Status.REJECTED: ngettext(
                    "%(count)d registration rejected.",
                    "%(count)d registrations rejected.",
                    done,
                ),
                Status.WAITLISTED: ngettext(
                    "%(count)d registration put on the waiting list.",
                    "%(count)d registrations put on the waiting list.",
                    done,
                ),
                Status.CANCELLED: ngettext(
                    "%(count)d registration cancelled.",
                    "%(count)d registrations cancelled.",
                    done,
                ),
            }[decision]
            self.message_user(request, message % {"count": done}, messages.SUCCESS)
        if waitlisted_instead:
            self.message_user(
                request,
                ngettext(
                    "%(count)d registration put on the waiting list: no seat left.",
                    "%(count)d registrations put on the waiting list: no seat left.",
                    len(waitlisted_instead),
                )
                % {"count": len(waitlisted_instead)},
                messages.WARNING,
            )
        if outcome.refused:
            listed = names_listed(
                f"{registration.display_name}: {reason}"
                for registration, reason in outcome.refused
            )
            self.message_user(
                request,
                ngettext(
                    "%(count)d registration refused: %(reasons)s",
                    "%(count)d registrations refused: %(reasons)s",
                    len(outcome.refused),
                )
                % {"count": len(outcome.refused), "reasons": listed},
                messages.ERROR,
            )
        if outcome.not_reached:
            self.message_user(
                request,
                ngettext(
                    "Stopped at the time limit of %(seconds)d seconds. Changed: "
                    "%(changed)s. Not reviewed, left as it was: %(count)d "
                    "registration (%(names)s); select it and review it again.",
                    "Stopped at the time limit of %(seconds)d seconds. Changed: "
                    "%(changed)s. Not reviewed, left as they were: %(count)d "
                    "registrations (%(names)s); select them and review them again.",
                    len(outcome.not_reached),
                )
                % {
                    "seconds": settings.REVIEW_TIME_LIMIT_SECONDS,
                    "changed": names_listed(r.display_name for r in changed) or "–",
                    "count": len(outcome.not_reached),
                    "names": names_listed(r.display_name for r in outcome.not_reached),
                },
                messages.ERROR,
            )

    def get_urls(self):
        review = self.admin_site.admin_view(self.review_one_view)
        return [
            export_url(self, "export/"),
            path(
                "<path:object_id>/review/<str:decision>/",
                review,
                name="registrations_registration_review",
            ),
            *super().get_urls(),
        ]

    def review_one_view(self, request, object_id, decision):
        """Review one registration from its change page."""
        if decision not in REVIEW_ACTIONS:
            raise PermissionDenied
        if not self.has_review_permission(request):
            raise PermissionDenied
        registration = self.get_object(request, unquote(object_id))
        if registration is None:
            raise Http404
        queryset = self.get_queryset(request).filter(pk=registration.pk)
        response = self.review(request, queryset, decision, single=registration)
        if response is None:
            return redirect(
                reverse("admin:registrations_registration_change", args=[object_id])
            )
        return response

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None and self.has_review_permission(request):
            context["review_links"] = [
                {
                    "label": REVIEW_ACTIONS[decision][0],
                    "url": reverse(
                        "admin:registrations_registration_review",
                        args=[obj.pk, decision],
                    ),
                }
                for decision in REVIEW_ACTIONS
                if services.can_transition(registration=obj, to_status=decision)
            ]
            context["waitlist_position"] = services.waitlist_position(obj)
        if obj is not None and request.user.has_perm(
            "registrations.view_outgoingemail"
        ):
            context["emails_url"] = emails_url(obj)
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

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
            registrations=changelist.queryset,
            query=request.GET,
            user=request.user,
        )
        return exports.export_response(export)


@admin.register(ExportLog)
class ExportLogAdmin(ReadOnly, admin.ModelAdmin):
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
