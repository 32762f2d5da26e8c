"""The reviewer's decisions in the admin: confirm, apply through services, report."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from registrations import selectors, services
from registrations.models import Registration
from registrations.validators import MultiLineTextField
from symposium.admin import action_page

Status = Registration.Status

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


class ReviewMixin:
    """Approve, reject, waitlist and cancel: as list actions and from the change page.

    Also the replacement of private links, which staff never see.
    """

    def has_review_permission(self, request):
        return selectors.can_review(request.user)

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
        return action_page(
            self,
            request,
            "admin/registrations/registration/review_confirmation.html",
            title=title,
            verb=verb,
            decision=decision,
            form=form,
            registrations=queryset.select_related("organisation")[:CONFIRMATION_LISTED],
            total=total,
            more=max(total - CONFIRMATION_LISTED, 0),
            single=single,
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
            context["waitlist_position"] = selectors.waitlist_position(obj)
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)
