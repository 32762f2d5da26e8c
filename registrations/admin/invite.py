"""Invite organisations as delegations, in bulk, from the organisations' list.

One action: tick the organisations, choose the event and a quota, give each
focal point (name, email, language; what an earlier delegation of the same
organisation said is filled in), and the delegations are created and the
invitations sent, each focal point in their own language. Organisations that
already have a delegation for the event are reported and left alone.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from registrations import selectors, services, validators
from registrations.admin.review import names_listed
from registrations.models import Delegation, Event
from symposium.admin import action_page


class InviteForm(forms.Form):
    event = forms.ModelChoiceField(queryset=Event.objects.all(), label=_("Event"))
    seat_quota = forms.IntegerField(
        label=_("Seat quota"),
        min_value=1,
        max_value=500,
        initial=5,
        help_text=_("For every delegation whose own quota below is left empty."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].initial = Event.objects.current()


class FocalPointForm(forms.Form):
    organisation = forms.IntegerField(widget=forms.HiddenInput)
    seat_quota = forms.IntegerField(
        label=_("Seat quota"), min_value=1, max_value=500, required=False
    )
    focal_point_name = validators.SingleLineTextField(
        label=_("Focal point's name"), max_length=200
    )
    focal_point_email = validators.NormalisedEmailField(
        label=_("Focal point's email"), max_length=254
    )
    focal_point_phone = validators.SingleLineTextField(
        label=_("Focal point's phone"), max_length=40, required=False
    )
    focal_point_language = forms.ChoiceField(
        label=_("Focal point's language"), choices=settings.LANGUAGES
    )


FocalPointFormSet = forms.formset_factory(FocalPointForm, extra=0)


def earlier_focal_point(organisation) -> dict:
    """Return what the organisation's latest delegation said of its focal point."""
    latest = (
        Delegation.objects.filter(
            organisation=organisation, focal_point_is_placeholder=False
        )
        .order_by("-created_at")
        .first()
    )
    if latest is None:
        return {"focal_point_language": "en"}
    return {name: getattr(latest, name) for name in services.FOCAL_POINT_FIELDS}


class InviteDelegationsMixin:
    """The organisations' list action that invites them as delegations."""

    def has_invite_permission(self, request):
        return selectors.can_manage_delegations(request.user)

    @admin.action(
        description=_("Invite the selected organisations to send delegations"),
        permissions=["invite"],
    )
    def invite_delegations(self, request, queryset):
        if not self.has_invite_permission(request):
            raise PermissionDenied
        organisations = {o.pk: o for o in queryset}
        if "confirm" in request.POST:
            form = InviteForm(request.POST)
            formset = FocalPointFormSet(request.POST, prefix="fp")
            if form.is_valid() and formset.is_valid():
                self.send(request, form.cleaned_data, formset, organisations)
                return None
        else:
            form = InviteForm()
            formset = FocalPointFormSet(
                prefix="fp",
                initial=[
                    {"organisation": pk, **earlier_focal_point(o)}
                    for pk, o in organisations.items()
                ],
            )
        rows = [
            (organisations.get(row.initial.get("organisation") or _id(row)), row)
            for row in formset
        ]
        return action_page(
            self,
            request,
            "admin/registrations/organisation/invite_delegations.html",
            title=_("Invite organisations to send delegations"),
            form=form,
            formset=formset,
            rows=rows,
        )

    def send(self, request, data, formset, organisations):
        invites = []
        for row in formset.cleaned_data:
            organisation = organisations.get(row["organisation"])
            if organisation is None:
                continue  # not among those selected: a tampered form
            invites.append(
                services.DelegationInvite(
                    organisation=organisation,
                    seat_quota=row["seat_quota"] or data["seat_quota"],
                    focal_point_name=row["focal_point_name"],
                    focal_point_email=row["focal_point_email"],
                    focal_point_phone=row["focal_point_phone"],
                    focal_point_language=row["focal_point_language"],
                )
            )
        outcome = services.delegations_invite(
            event=data["event"], invites=invites, by=request.user
        )
        if outcome.done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d delegation invited; its focal point has been emailed.",
                    "%(count)d delegations invited; their focal points have been "
                    "emailed.",
                    len(outcome.done),
                )
                % {"count": len(outcome.done)},
                messages.SUCCESS,
            )
        if outcome.refused:
            self.message_user(
                request,
                _("Not invited: %(reasons)s")
                % {
                    "reasons": names_listed(
                        f"{name}: {reason}" for name, reason in outcome.refused
                    )
                },
                messages.ERROR,
            )


def _id(row) -> int | None:
    value = row["organisation"].value()
    return int(value) if str(value).isascii() and str(value).isdigit() else None
