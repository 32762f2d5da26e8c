"""Registrations in the admin: the list reviewers work from, and the change page.

The decisions are in ``review``, the downloads in ``exports``, the status
counts above the list in ``changelist``; staff corrections are validated and
applied by ``forms.RegistrationCorrectionForm``.
"""

import functools

from django.conf import settings
from django.contrib import admin
from django.contrib.admin import helpers
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _

from registrations import selectors
from registrations.admin.badges import BadgeInline, BadgeMixin
from registrations.admin.changelist import StatusSummaryMixin
from registrations.admin.exports import RegistrationExportMixin
from registrations.admin.filters import (
    CountryFilter,
    RelatedInUseFilter,
    SessionFilter,
)
from registrations.admin.forms import RegistrationCorrectionForm
from registrations.admin.messages import MessageActionMixin
from registrations.admin.review import ReviewMixin
from registrations.countries import country_names_in
from registrations.mail.admin import OutgoingEmailInline, emails_url
from registrations.models import Registration
from registrations.selectors import visas as visa_selectors

Status = Registration.Status


# What each row of the list shows in the reader's language, read once a
# process rather than translated again for each of a page's 100 rows.
@functools.lru_cache(maxsize=len(settings.LANGUAGES))
def status_labels_in(language: str) -> dict[str, str]:
    with override(language):
        return {status: str(label) for status, label in Status.choices}


@functools.lru_cache(maxsize=len(settings.LANGUAGES))
def checkbox_label_in(language: str) -> str:
    with override(language):
        return str(_("Select this object for an action - {}"))


@admin.register(Registration)
class RegistrationAdmin(
    MessageActionMixin,
    ReviewMixin,
    RegistrationExportMixin,
    BadgeMixin,
    StatusSummaryMixin,
    admin.ModelAdmin,
):
    form = RegistrationCorrectionForm
    list_display = [
        "display_name",
        "status_badge",
        "organisation_display",
        "country_name",
        "category",
        "sessions_count",
        "submitted",
    ]
    list_display_links = ["display_name"]
    list_filter = [
        "status",
        "category",
        "event",
        ("organisation", RelatedInUseFilter),
        ("organisation__invited", admin.BooleanFieldListFilter),
        ("delegation", RelatedInUseFilter),
        "delegation_role",
        CountryFilter,
        SessionFilter,
    ]
    list_select_related = ["organisation", "delegation"]
    list_per_page = 100
    search_fields = selectors.REGISTRATION_SEARCH_FIELDS
    date_hierarchy = "submitted_at"
    ordering = ["-submitted_at", "-pk"]
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
        "delegation",
        "delegation_role",
        "protocol_rank",
        "protocol_order",
        "visa_letter",
    ]
    actions = [
        "approve",
        "reject",
        "waitlist",
        "cancel",
        "replace_link",
        "export_selected",
        "export_selected_xlsx",
        "print_badges",
        "reissue_badges",
        "write_message",
    ]
    inlines = [BadgeInline, OutgoingEmailInline]
    # The delegate's page is behind their private link, which no staff page
    # shows: staff read and change the registration here instead.
    view_on_site = False

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_fieldsets(self, request, obj=None):
        # Given here rather than as ``fieldsets``: the admin's checks refuse a
        # many-to-many field with a model of its own there, although the form
        # declares the sessions field itself and the services save it.
        delegate = [
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
            "listed_in_participants",
        ]
        needs = ["sessions", "dietary_needs", "accessibility_needs", "interpretation"]
        review = ["reviewed_by", "reviewed_at", "review_note", "consent_given_at"]
        return [
            (
                None,
                {"fields": ["event", "status", "submitted_at", "status_changed_at"]},
            ),
            (_("Delegate"), {"fields": delegate}),
            (
                _("Delegation"),
                {
                    "fields": [
                        "delegation",
                        "delegation_role",
                        "protocol_rank",
                        "protocol_order",
                    ]
                },
            ),
            (_("Sessions and needs"), {"fields": [*needs, "visa_letter"]}),
            (_("Review"), {"fields": review}),
        ]

    @admin.display(description=_("Visa support letter"))
    def visa_letter(self, obj):
        # Whether a letter was asked for and how far it got: never the
        # passport data, which the Protocol group reads on its own pages.
        return visa_selectors.visa_state_label(obj)

    # The list

    def get_queryset(self, request):
        return selectors.registrations_for_review(super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        return selectors.registrations_searched(queryset, search_term), False

    @admin.display(description=_("name"), ordering="family_name")
    def display_name(self, registration):
        return registration.display_name

    @admin.display(description=_("organisation"), ordering="organisation__name")
    def organisation_display(self, registration):
        return registration.organisation_name

    @admin.display(description=_("sessions"), ordering="sessions_total")
    def sessions_count(self, registration):
        return registration.sessions_total

    @admin.display(description=_("country"), ordering="country")
    def country_name(self, registration):
        # The names in the reader's language are read once a process.
        names = country_names_in(get_language())
        return names.get(registration.country.code) or registration.country.name

    @admin.display(description=_("submitted at"), ordering="submitted_at")
    def submitted(self, registration):
        # Short, on one line, with the weekday: 2027/01/20（水）9:30.
        return date_format(
            localtime(registration.submitted_at), "SHORT_DATETIME_FORMAT"
        )

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, registration):
        label = status_labels_in(get_language())[registration.status]
        if registration.status == Status.WAITLISTED:
            label = _("%(status)s (no. %(position)s)") % {
                "status": label,
                "position": registration.waitlist_place,
            }
        return format_html(
            '<span class="status status-{}">{}</span>', registration.status, label
        )

    def action_checkbox(self, obj):
        # The box Django's admin renders through a form widget's template, here
        # written out: once per row, the widget was a fifth of the list's time.
        label = format_html(checkbox_label_in(get_language()), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select"'
            ' aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            label,
        )

    # Permissions

    def has_add_permission(self, request):
        # Registrations come from delegates through the public form.
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting would free a seat unrecorded and take the history with it;
        # a registration is cancelled instead, and deleted only when its
        # retention period ends (delete_expired_registrations).
        return False

    # Editing: the form's validation applies the correction through services.

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"corrected_by": request.user})

    def save_model(self, request, obj, form, change):
        pass

    def save_related(self, request, form, formsets, change):
        pass

    def construct_change_message(self, request, form, formsets, add=False):
        """Name the fields the service changed, as Django's history records them."""
        with override(None):
            labels = [str(form[name].label) for name in form.changed_fields]
        return [{"changed": {"fields": labels}}] if labels else []

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None:
            context["history"] = selectors.registration_history(obj)
        if obj is not None and request.user.has_perm(
            "registrations.view_outgoingemail"
        ):
            context["emails_url"] = emails_url(obj)
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)
