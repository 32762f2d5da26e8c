"""The delegations' list actions: invite, remind, record, verify, revoke, confirm.

Each calls a service for every delegation ticked, in a transaction of its own,
and reports what it did and what it refused, and why.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from registrations import selectors, services
from registrations.admin.review import ReviewForm, names_listed
from registrations.models import Registration
from symposium.admin import action_page


class DelegationActionsMixin:
    def has_manage_permission(self, request):
        return selectors.can_manage_delegations(request.user)

    # Actions

    def step(self, request, queryset, step, done):
        """Apply the service ``step`` to each delegation ticked; report the outcome.

        ``done`` says what was done: a plural message counting ``count``.
        """
        outcome = services.for_each(queryset, step, by=request.user)
        if outcome.done:
            self.message_user(
                request, done % {"count": len(outcome.done)}, messages.SUCCESS
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
        self.step(
            request,
            queryset,
            services.delegation_send_invitation,
            ngettext_lazy(
                "%(count)d invitation sent.", "%(count)d invitations sent.", "count"
            ),
        )

    @admin.action(
        description=_("Remind the focal points who have not submitted"),
        permissions=["manage"],
    )
    def remind(self, request, queryset):
        self.step(
            request,
            queryset,
            services.delegation_remind,
            ngettext_lazy(
                "%(count)d focal point reminded.",
                "%(count)d focal points reminded.",
                "count",
            ),
        )

    @admin.action(
        description=_("Record the notes verbales as received on paper"),
        permissions=["manage"],
    )
    def mark_note_received(self, request, queryset):
        self.step(
            request,
            queryset,
            services.delegation_mark_note_received,
            ngettext_lazy(
                "%(count)d note verbale recorded as received.",
                "%(count)d notes verbales recorded as received.",
                "count",
            ),
        )

    @admin.action(
        description=_("Mark the notes verbales as verified"), permissions=["manage"]
    )
    def verify_note_verbale(self, request, queryset):
        self.step(
            request,
            queryset,
            services.delegation_verify_note_verbale,
            ngettext_lazy(
                "%(count)d note verbale verified.",
                "%(count)d notes verbales verified.",
                "count",
            ),
        )

    @admin.action(
        description=_("Revoke the portal links and email the focal points new ones"),
        permissions=["manage"],
    )
    def replace_portal_link(self, request, queryset):
        self.step(
            request,
            queryset,
            services.delegation_replace_portal_link,
            ngettext_lazy(
                "%(count)d portal link replaced.",
                "%(count)d portal links replaced.",
                "count",
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
        return action_page(
            self,
            request,
            "admin/registrations/delegation/confirm.html",
            title=_("Approve the members and confirm the delegations"),
            delegations=delegations,
            form=form,
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
