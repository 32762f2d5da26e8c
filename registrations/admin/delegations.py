"""Delegations in the admin: the list the secretariat follows them in, and their page.

Per delegation: its quota and the members nominated, approved and waiting,
the note verbale received and verified, the invitation and the last reminder.
Actions send invitations, remind focal points who have not submitted, revoke
portal links, record and verify notes verbales, and approve a delegation's
members together. No page shows a portal link: staff act in the admin, and
revoking a link emails the focal point a new one. Every step goes through
``services``; a refused one is reported, never half-done.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from registrations import selectors
from registrations.admin.delegation_actions import DelegationActionsMixin
from registrations.admin.delegation_exports import DelegationExportMixin
from registrations.admin.forms import DelegationForm, SavedByServicesMixin
from registrations.mail.admin import OutgoingEmailInline
from registrations.models import Delegation, Registration

State = Delegation.State


class NoteVerbaleFilter(admin.SimpleListFilter):
    title = _("note verbale")
    parameter_name = "note_verbale"

    def lookups(self, request, model_admin):
        return [
            ("missing", _("Not received")),
            ("unverified", _("Received, not verified")),
            ("verified", _("Verified")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "missing":
            return queryset.filter(note_verbale_received_at__isnull=True)
        if value == "unverified":
            return queryset.filter(
                note_verbale_received_at__isnull=False,
                note_verbale_verified_at__isnull=True,
            )
        if value == "verified":
            return queryset.filter(note_verbale_verified_at__isnull=False)
        return queryset


class InvitationSentFilter(admin.SimpleListFilter):
    title = _("invitation")
    parameter_name = "invitation"

    def lookups(self, request, model_admin):
        return [("sent", _("Sent")), ("not_sent", _("Not sent yet"))]

    def queryset(self, request, queryset):
        if self.value() == "sent":
            return queryset.filter(invited_at__isnull=False)
        if self.value() == "not_sent":
            return queryset.filter(invited_at__isnull=True)
        return queryset


def moment(value) -> str:
    return date_format(localtime(value), "Y-m-d H:i") if value else "–"


class MemberInline(admin.TabularInline):
    """The delegation's members, read-only; each opens its registration."""

    model = Registration
    fk_name = "delegation"
    fields = ["display_name", "delegation_role", "protocol_rank", "status", "email"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = _("member")
    verbose_name_plural = _("members")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("name"))
    def display_name(self, member):
        return member.display_name

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("status", "delegation_role", "pk")


# What staff give; on an existing delegation the event and organisation stay.
EDITABLE = list(DelegationForm.Meta.fields)
# What the services record, shown on the delegation's page.
SHOWN = [
    "focal_point_is_placeholder",
    "state",
    "invited_at",
    "reminded_at",
    "submitted_at",
    "confirmed_at",
    "declined_at",
    "decline_reason",
    "note_verbale_file",
    "note_verbale_received_at",
    "note_verbale_verified_at",
    "note_verbale_verified_by",
]


@admin.register(Delegation)
class DelegationAdmin(
    SavedByServicesMixin,
    DelegationActionsMixin,
    DelegationExportMixin,
    admin.ModelAdmin,
):
    form = DelegationForm
    list_display = [
        "organisation_name",
        "state_badge",
        "seat_quota",
        "nominated",
        "approved",
        "pending",
        "note_received",
        "note_verified",
        "invited",
        "reminded",
    ]
    list_display_links = ["organisation_name"]
    list_filter = [
        "state",
        "event",
        NoteVerbaleFilter,
        InvitationSentFilter,
        "organisation__kind",
    ]
    list_select_related = ["organisation", "event"]
    search_fields = [
        "organisation__name",
        "organisation__name_ja",
        "organisation__acronym",
        "focal_point_name",
        "focal_point_email",
    ]
    ordering = ["organisation__name"]
    actions = [
        "send_invitations",
        "remind",
        "confirm",
        "mark_note_received",
        "verify_note_verbale",
        "replace_portal_link",
        "export_delegations",
        "export_delegations_xlsx",
    ]
    inlines = [MemberInline, OutgoingEmailInline]
    view_on_site = False

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_queryset(self, request):
        return selectors.with_member_counts(super().get_queryset(request))

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*EDITABLE, "send_invitation"]
        return [*EDITABLE, *SHOWN]

    def get_readonly_fields(self, request, obj=None):
        # The event and organisation are the delegation's for good.
        return [] if obj is None else ["event", "organisation", *SHOWN]

    # Columns

    @admin.display(description=_("organisation"), ordering="organisation__name")
    def organisation_name(self, delegation):
        return str(delegation.organisation)

    @admin.display(description=pgettext_lazy("delegation", "state"), ordering="state")
    def state_badge(self, delegation):
        label = delegation.get_state_display()
        if delegation.invited_at is None and delegation.state == State.INVITED:
            label = _("Invitation not sent yet")
        return format_html(
            '<span class="status delegation-{}">{}</span>', delegation.state, label
        )

    @admin.display(description=_("nominated"), ordering="nominated_count")
    def nominated(self, delegation):
        return delegation.nominated_count

    @admin.display(description=_("approved"), ordering="approved_count")
    def approved(self, delegation):
        return delegation.approved_count

    @admin.display(description=_("awaiting review"), ordering="pending_count")
    def pending(self, delegation):
        return delegation.pending_count

    @admin.display(
        description=_("note verbale received"),
        boolean=True,
        ordering="note_verbale_received_at",
    )
    def note_received(self, delegation):
        return delegation.note_verbale_received_at is not None

    @admin.display(
        description=_("note verbale verified"),
        boolean=True,
        ordering="note_verbale_verified_at",
    )
    def note_verified(self, delegation):
        return delegation.note_verbale_verified_at is not None

    @admin.display(description=_("invitation sent"), ordering="invited_at")
    def invited(self, delegation):
        return moment(delegation.invited_at)

    @admin.display(description=_("last reminded"), ordering="reminded_at")
    def reminded(self, delegation):
        return moment(delegation.reminded_at)

    @admin.display(description=_("note verbale"))
    def note_verbale_file(self, delegation):
        if not delegation.note_verbale:
            return "–"
        if not self.can_read_note:
            return _("%(name)s (you may not open notes verbales)") % {
                "name": delegation.note_verbale_name
            }
        return format_html(
            '<a href="{}">{}</a>',
            reverse(
                "admin:registrations_delegation_note_verbale", args=[delegation.pk]
            ),
            delegation.note_verbale_name or _("Download"),
        )

    # Permissions

    can_read_note = False

    def has_delete_permission(self, request, obj=None):
        # Members' registrations point at it; a delegation declines instead.
        return False

    def changeform_view(self, request, *args, **kwargs):
        self.can_read_note = selectors.can_read_notes_verbales(request.user)
        return super().changeform_view(request, *args, **kwargs)

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None:
            context["history"] = obj.changes.select_related("changed_by")
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    # The note verbale, to staff with the permission only

    def get_urls(self):
        return [
            path(
                "<int:object_id>/note-verbale/",
                self.admin_site.admin_view(self.note_verbale_view),
                name="registrations_delegation_note_verbale",
            ),
            *super().get_urls(),
        ]

    def note_verbale_view(self, request, object_id):
        if not selectors.can_read_notes_verbales(request.user):
            raise PermissionDenied
        delegation = self.get_object(request, str(object_id))
        if delegation is None or not delegation.note_verbale:
            raise Http404
        extension = delegation.note_verbale.name.rsplit(".", 1)[-1]
        short_name = delegation.organisation.acronym or str(delegation.pk)
        name = f"note-verbale_{delegation.event.slug}_{short_name}.{extension}"
        response = FileResponse(
            delegation.note_verbale.open("rb"),
            content_type=delegation.note_verbale_type,
        )
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=name
        )
        response["Cache-Control"] = "private, no-store"
        return response
