"""Delegations in the admin: the list the secretariat follows them in, and their page.

Per delegation: its quota and the members nominated, approved and waiting,
the note verbale received and verified, the invitation and the last reminder.
Actions send invitations, remind focal points who have not submitted, revoke
portal links, record and verify notes verbales, and approve a delegation's
members together. No page shows a portal link: staff act in the admin, and
revoking a link emails the focal point a new one. Every step goes through
``services``; a refused one is reported, never half-done.
"""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from registrations import selectors, services
from registrations.admin.delegation_exports import DelegationExportMixin
from registrations.admin.forms import DelegationForm
from registrations.admin.review import ReviewForm, names_listed
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


@admin.register(Delegation)
class DelegationAdmin(DelegationExportMixin, admin.ModelAdmin):
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
        fields = [
            "event",
            "organisation",
            "seat_quota",
            "focal_point_name",
            "focal_point_email",
            "focal_point_phone",
            "focal_point_language",
        ]
        if obj is None:
            return [*fields, "send_invitation"]
        return [
            *fields,
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

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "event",
            "organisation",
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

    # Columns

    @admin.display(description=_("organisation"), ordering="organisation__name")
    def organisation_name(self, delegation):
        return str(delegation.organisation)

    @admin.display(description=_("state"), ordering="state")
    def state_badge(self, delegation):
        return format_html(
            '<span class="status delegation-{}">{}</span>',
            delegation.state,
            delegation.get_state_display(),
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

    def has_manage_permission(self, request):
        return selectors.can_manage_delegations(request.user)

    def changeform_view(self, request, *args, **kwargs):
        self.can_read_note = selectors.can_read_notes_verbales(request.user)
        return super().changeform_view(request, *args, **kwargs)

    # Saving: the form's validation applies the change through services.

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"changed_by": request.user})

    def save_model(self, request, obj, form, change):
        pass

    def save_related(self, request, form, formsets, change):
        pass

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

    # Actions

    def report(self, request, outcome, done_message):
        if outcome.done:
            self.message_user(
                request, done_message % {"count": len(outcome.done)}, messages.SUCCESS
            )
        if outcome.refused:
            self.message_user(
                request,
                ngettext(
                    "%(count)d delegation left as it was: %(reasons)s",
                    "%(count)d delegations left as they were: %(reasons)s",
                    len(outcome.refused),
                )
                % {
                    "count": len(outcome.refused),
                    "reasons": names_listed(
                        f"{name}: {reason}" for name, reason in outcome.refused
                    ),
                },
                messages.ERROR,
            )

    @admin.action(
        description=_("Send the invitations not sent yet"), permissions=["manage"]
    )
    def send_invitations(self, request, queryset):
        outcome = services.for_each(
            queryset, services.delegation_send_invitation, by=request.user
        )
        self.report(
            request,
            outcome,
            ngettext(
                "%(count)d invitation sent.",
                "%(count)d invitations sent.",
                len(outcome.done),
            ),
        )

    @admin.action(
        description=_("Remind the focal points who have not submitted"),
        permissions=["manage"],
    )
    def remind(self, request, queryset):
        outcome = services.for_each(
            queryset, services.delegation_remind, by=request.user
        )
        self.report(
            request,
            outcome,
            ngettext(
                "%(count)d focal point reminded.",
                "%(count)d focal points reminded.",
                len(outcome.done),
            ),
        )

    @admin.action(
        description=_("Record the notes verbales as received on paper"),
        permissions=["manage"],
    )
    def mark_note_received(self, request, queryset):
        outcome = services.for_each(
            queryset, services.delegation_mark_note_received, by=request.user
        )
        self.report(
            request,
            outcome,
            ngettext(
                "%(count)d note verbale recorded as received.",
                "%(count)d notes verbales recorded as received.",
                len(outcome.done),
            ),
        )

    @admin.action(
        description=_("Mark the notes verbales as verified"), permissions=["manage"]
    )
    def verify_note_verbale(self, request, queryset):
        outcome = services.for_each(
            queryset, services.delegation_verify_note_verbale, by=request.user
        )
        self.report(
            request,
            outcome,
            ngettext(
                "%(count)d note verbale verified.",
                "%(count)d notes verbales verified.",
                len(outcome.done),
            ),
        )

    @admin.action(
        description=_("Revoke the portal links and email the focal points new ones"),
        permissions=["manage"],
    )
    def replace_portal_link(self, request, queryset):
        outcome = services.for_each(
            queryset, services.delegation_replace_portal_link, by=request.user
        )
        self.report(
            request,
            outcome,
            ngettext(
                "%(count)d portal link replaced.",
                "%(count)d portal links replaced.",
                len(outcome.done),
            ),
        )

    @admin.action(
        description=_("Approve the members and confirm the selected delegations"),
        permissions=["manage"],
    )
    def confirm(self, request, queryset):
        if not selectors.can_review(request.user):
            raise PermissionDenied
        if "confirm" in request.POST:
            form = ReviewForm(request.POST)
            del form.fields["waitlist_if_full"]
            if form.is_valid():
                self.apply_confirmation(request, queryset, form.cleaned_data["note"])
                return None
        else:
            form = ReviewForm()
            del form.fields["waitlist_if_full"]
        delegations = list(queryset.select_related("organisation"))
        for delegation in delegations:
            delegation.waiting = list(
                delegation.members.filter(
                    status__in=[
                        Registration.Status.PENDING,
                        Registration.Status.WAITLISTED,
                    ]
                )
            )
        return TemplateResponse(
            request,
            "admin/registrations/delegation/confirm.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Approve the members and confirm the delegations"),
                "delegations": delegations,
                "form": form,
                "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
                "select_across": request.POST.get("select_across") == "1",
                "action": request.POST.get("action", ""),
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )

    def apply_confirmation(self, request, queryset, note):
        approved = confirmed = 0
        refused = []
        for delegation in queryset:
            try:
                outcome = services.delegation_confirm(
                    delegation=delegation, by=request.user, note=note
                )
            except services.RegistrationError as error:
                refused.append(f"{delegation}: {error.message}")
                continue
            approved += len(outcome.review.changed)
            confirmed += outcome.confirmed
            refused += [
                f"{member.display_name}: {reason}"
                for member, reason in outcome.review.refused
            ]
        self.message_user(
            request,
            ngettext(
                "%(count)d member approved.", "%(count)d members approved.", approved
            )
            % {"count": approved}
            + " "
            + ngettext(
                "%(count)d delegation confirmed.",
                "%(count)d delegations confirmed.",
                confirmed,
            )
            % {"count": confirmed},
            messages.SUCCESS,
        )
        if refused:
            self.message_user(
                request,
                _("Not done: %(reasons)s") % {"reasons": names_listed(refused)},
                messages.ERROR,
            )
