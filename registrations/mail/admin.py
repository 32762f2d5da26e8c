"""The emails to delegates in the admin: what left, what waits, what failed.

The list is read-only: emails are written by the services and moved along by
the worker. Staff filter it by state, kind and registration, and send failed
emails again; each registration's page shows its own.
"""

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks_db.models import DBTaskResult

from registrations.mail import outbox
from registrations.mail.models import OutgoingEmail
from registrations.models import Delegation, Registration
from symposium.admin import ReadOnly

# Staff follow emails in the outbox's list; the task queue's own records hold
# no more than an email's number, and only in English.
admin.site.unregister(DBTaskResult)

# How much of the last error the list shows; the email's page shows it all.
ERROR_SHOWN = 50


def emails_url(registration: Registration) -> str:
    """Return the address of the list of ``registration``'s emails."""
    changelist = reverse("admin:registrations_outgoingemail_changelist")
    return f"{changelist}?registration={registration.pk}"


@admin.display(description=_("state"), ordering="state")
def state_badge(email: OutgoingEmail) -> str:
    return format_html(
        '<span class="status mail-{}">{}</span>', email.state, email.get_state_display()
    )


def short(moment) -> str:
    """Return a date and time in the short form of the active language."""
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


@admin.display(description=_("sent, or next attempt"))
def progress(email: OutgoingEmail) -> str:
    """Return when the email left, or when it is tried next."""
    if email.sent_at:
        return short(email.sent_at)
    if email.next_attempt_at and email.state in OutgoingEmail.UNDELIVERED:
        return _("next: %(when)s") % {"when": short(email.next_attempt_at)}
    return "–"


class OwnerEmailsFilter(admin.SimpleListFilter):
    """The emails of one owner, reached from the owner's page.

    A list of every registration or delegation would be too long to offer;
    the filter shows the one chosen, so that it can be taken off again.
    """

    model = None

    def lookups(self, request, model_admin):
        value = self.value()
        if not (value and value.isascii() and value.isdigit()):
            return []
        owner = self.model.objects.filter(pk=int(value)).first()
        return [(value, self.label(owner))] if owner else []

    def label(self, owner) -> str:
        return str(owner)

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not (value.isascii() and value.isdigit()):
            raise IncorrectLookupParameters(value)
        return queryset.filter(**{f"{self.parameter_name}_id": int(value)})


class RegistrationEmailsFilter(OwnerEmailsFilter):
    title = _("registration")
    parameter_name = "registration"
    model = Registration

    def label(self, owner) -> str:
        return owner.display_name


class DelegationEmailsFilter(OwnerEmailsFilter):
    """The emails to one delegation's focal point."""

    title = _("delegation")
    parameter_name = "delegation"
    model = Delegation


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnly, admin.ModelAdmin):
    # The state first: on a phone it is what shows without scrolling.
    list_display = [
        state_badge,
        "kind",
        "owner",
        "recipient",
        "recorded",
        "attempts",
        progress,
        "error",
    ]
    list_display_links = ["kind"]
    list_filter = [
        "state",
        "kind",
        RegistrationEmailsFilter,
        DelegationEmailsFilter,
        "language",
    ]
    list_select_related = ["registration", "delegation__organisation", "invitation"]
    list_per_page = 100
    search_fields = [
        "recipient",
        "registration__family_name",
        "registration__given_name",
        "registration__name_ja",
    ]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]
    actions = ["send_again"]
    fields = [
        "registration",
        "delegation",
        "invitation",
        "recipient",
        "kind",
        "language",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "queued_at",
        "last_attempt_at",
        "next_attempt_at",
        "sent_at",
        "delivery_task",
    ]
    readonly_fields = fields

    class Media:
        css = {"all": ["css/admin.css"]}

    @admin.display(description=_("to"), ordering="recipient")
    def owner(self, email):
        """Link to whom the email is for: a delegate, a delegation, an invitee."""
        if email.registration_id:
            target, label = "registration", email.registration.display_name
            pk = email.registration_id
        elif email.delegation_id:
            target, pk = "delegation", email.delegation_id
            label = _("Focal point of %(delegation)s") % {
                "delegation": email.delegation
            }
        else:
            target, pk = "invitation", email.invitation_id
            label = email.invitation.full_name
        return format_html(
            '<a href="{}">{}</a>',
            reverse(f"admin:registrations_{target}_change", args=[pk]),
            label,
        )

    @admin.display(description=_("recorded at"), ordering="created_at")
    def recorded(self, email):
        return short(email.created_at)

    @admin.display(description=_("last error"))
    def error(self, email):
        return Truncator(email.last_error).chars(ERROR_SHOWN)

    def has_send_again_permission(self, request):
        return request.user.has_perm("registrations.send_again_outgoingemail")

    @admin.action(
        description=_("Send the selected failed emails again"),
        permissions=["send_again"],
    )
    def send_again(self, request, queryset):
        outcome = outbox.emails_send_again(emails=queryset, by=request.user)
        if outcome.queued:
            self.message_user(
                request,
                ngettext(
                    "%(count)d email will be sent again in a moment.",
                    "%(count)d emails will be sent again in a moment.",
                    len(outcome.queued),
                )
                % {"count": len(outcome.queued)},
                messages.SUCCESS,
            )
        if outcome.skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d email was left as it is: only failed emails, and "
                    "those waiting to retry, are sent again.",
                    "%(count)d emails were left as they are: only failed emails, "
                    "and those waiting to retry, are sent again.",
                    len(outcome.skipped),
                )
                % {"count": len(outcome.skipped)},
                messages.WARNING,
            )


class OutgoingEmailInline(ReadOnly, admin.TabularInline):
    """A registration's emails, on its page."""

    model = OutgoingEmail
    fields = [
        "created_at",
        "kind",
        "recipient",
        state_badge,
        "attempts",
        progress,
        "last_error",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["created_at", "pk"]
