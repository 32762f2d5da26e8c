"""Personal invitations in the admin: send one, follow it, withdraw it.

Sending is the add form: the service records the invitation and its email in
one transaction. An invitation is not edited afterwards (its email went out
as it was); it is withdrawn and another sent. No page shows its link.
"""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from registrations import services, validators
from registrations.admin.forms import SavedByServicesMixin
from registrations.admin.review import names_listed
from registrations.models import Invitation


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = [
            "event",
            "email",
            "given_name",
            "family_name",
            "organisation",
            "position",
            "category",
            "language",
            "message",
            "approve_on_submission",
        ]
        field_classes = {
            "email": validators.NormalisedEmailField,
            "given_name": validators.SingleLineTextField,
            "family_name": validators.SingleLineTextField,
            "position": validators.SingleLineTextField,
            "message": validators.MultiLineTextField,
        }

    # The staff member sending it; the admin sets it for each request.
    changed_by = None

    def clean_given_name(self):
        return validators.clean_personal_name(self.cleaned_data["given_name"])

    def clean_family_name(self):
        return validators.clean_personal_name(self.cleaned_data["family_name"])

    def _post_clean(self):
        if self.errors or self.changed_by is None:
            return
        try:
            self.instance = services.invitation_create(
                by=self.changed_by,
                **{name: self.cleaned_data[name] for name in self._meta.fields},
            )
        except services.RegistrationError as error:
            self.add_error(None, forms.ValidationError(error.message, code=error.code))


@admin.register(Invitation)
class InvitationAdmin(SavedByServicesMixin, admin.ModelAdmin):
    form = InvitationForm
    list_display = [
        "full_name",
        "email",
        "event",
        "state",
        "approve_on_submission",
        "created_at",
        "registration_link",
    ]
    list_filter = ["state", "event", "approve_on_submission"]
    list_select_related = ["event", "registration"]
    search_fields = ["email", "given_name", "family_name"]
    ordering = ["-created_at", "-pk"]
    actions = ["revoke"]
    view_on_site = False
    readonly_fields = [
        "state",
        "created_by",
        "created_at",
        "answered_at",
        "registration",
    ]

    def get_fields(self, request, obj=None):
        fields = list(InvitationForm._meta.fields)
        return fields if obj is None else [*fields, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [*InvitationForm._meta.fields, *self.readonly_fields]

    @admin.display(description=_("name"), ordering="family_name")
    def full_name(self, invitation):
        return invitation.full_name

    @admin.display(description=_("registration"))
    def registration_link(self, invitation):
        if invitation.registration_id is None:
            return "–"
        return format_html(
            '<a href="{}">{}</a>',
            reverse(
                "admin:registrations_registration_change",
                args=[invitation.registration_id],
            ),
            invitation.registration.get_status_display(),
        )

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(
        description=_("Withdraw the selected invitations"), permissions=["change"]
    )
    def revoke(self, request, queryset):
        done, refused = 0, []
        for invitation in queryset:
            try:
                services.invitation_revoke(invitation=invitation, by=request.user)
                done += 1
            except services.RegistrationError as error:
                refused.append(error.message)
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d invitation withdrawn; its link no longer works.",
                    "%(count)d invitations withdrawn; their links no longer work.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(request, names_listed(refused), messages.ERROR)
