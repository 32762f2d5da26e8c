"""The focal point's portal, reached by the delegation's secret link.

Every page finds the delegation by its link's token; a replaced (revoked)
link finds none and is a 404. The views stay thin: forms validate, the
services decide, count under locks and record.
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from registrations import selectors, services
from registrations.models import Delegation, Registration
from registrations.portal.forms import (
    DeclineForm,
    HeadForm,
    MemberForm,
    NoteVerbaleForm,
)
from symposium.uploads import accepts_upload, refused_upload


def portal_delegation(token: str) -> Delegation:
    """Return the delegation whose portal link ``token`` is, or raise 404."""
    delegation = selectors.delegation_for_portal(token)
    if delegation is None:
        raise Http404(_("This link is not valid."))
    if delegation.event.ends_at < selectors.retention_cutoff():
        raise Http404(_("This link has expired."))
    return delegation


def portal_member(delegation: Delegation, member_id: int) -> Registration:
    return get_object_or_404(delegation.members.nominated(), pk=member_id)


def portal_context(delegation: Delegation, **extra) -> dict:
    members = list(selectors.delegation_members(delegation))
    return {
        "event": delegation.event,
        "delegation": delegation,
        "members": members,
        "head": next(
            (
                m
                for m in members
                if m.delegation_role == Registration.DelegationRole.HEAD
            ),
            None,
        ),
        "seats_left": max(delegation.seat_quota - delegation.nominated_count, 0),
        "portal_open": services.portal_is_open(delegation),
        "can_submit": delegation.state
        in (Delegation.State.INVITED, Delegation.State.NOMINATIONS_OPEN),
        "max_mb": settings.NOTE_VERBALE_MAX_MB,
        **extra,
    }


def refuse_if_closed(request, delegation: Delegation):
    """Return a redirect to the portal, with a message, if changes are closed."""
    if services.portal_is_open(delegation):
        return None
    messages.info(
        request,
        _(
            "The delegation can no longer be changed here; please write to the "
            "secretariat."
        ),
    )
    return redirect(delegation.portal_path())


@never_cache
def portal(request, token):
    delegation = portal_delegation(token)
    context = portal_context(delegation)
    context["head_form"] = HeadForm(
        members=delegation.members.nominated(),
        initial={"head": context["head"]},
    )
    context["note_form"] = NoteVerbaleForm()
    return render(request, "registrations/portal/portal.html", context)


def member_form_page(request, delegation, form, *, mode, save, member=None):
    """Show a member's form; on a valid post, ``save()`` it and go back to the portal.

    ``save`` calls the service and returns the message for the focal point; a
    refusal is shown on the form, next to the field it is about.
    """
    if request.method == "POST" and form.is_valid():
        try:
            message = save()
        except services.RegistrationError as error:
            form.add_error(field_of(error), error.message)
        else:
            messages.success(request, message)
            return redirect(delegation.portal_path())
    return render(
        request,
        "registrations/portal/member_form.html",
        portal_context(delegation, form=form, member=member, mode=mode),
    )


def field_of(error: services.RegistrationError) -> str | None:
    """Return the form field a refusal is about, if any."""
    return {"head_exists": "delegation_role", "email_registered": "email"}.get(
        error.code
    )


@never_cache
@require_http_methods(["GET", "POST"])
def nominate(request, token):
    delegation = portal_delegation(token)
    if closed := refuse_if_closed(request, delegation):
        return closed
    form = MemberForm(request.POST or None, delegation=delegation)

    def save():
        member = services.member_nominate(
            delegation=delegation,
            email=form.cleaned_data["email"],
            language=form.cleaned_data["language"],
            **form.member_details(),
        )
        return _(
            "%(name)s has been nominated and will receive their own link by email."
        ) % {"name": member.full_name}

    return member_form_page(request, delegation, form, mode="nominate", save=save)


@never_cache
@require_http_methods(["GET", "POST"])
def member_edit(request, token, member_id):
    delegation = portal_delegation(token)
    member = portal_member(delegation, member_id)
    if closed := refuse_if_closed(request, delegation):
        return closed
    form = MemberForm(
        request.POST or None,
        instance=member,
        delegation=delegation,
        initial={"email": member.email},
    )

    def save():
        changed = services.member_correct(
            delegation=delegation,
            member=member,
            email=form.cleaned_data["email"],
            **form.member_details(),
        )
        if changed:
            return _("The member's details have been saved.")
        return _("Nothing was changed.")

    return member_form_page(
        request, delegation, form, mode="edit", save=save, member=member
    )


@never_cache
@require_http_methods(["GET", "POST"])
def member_replace(request, token, member_id):
    delegation = portal_delegation(token)
    member = portal_member(delegation, member_id)
    if closed := refuse_if_closed(request, delegation):
        return closed
    form = MemberForm(
        request.POST or None,
        delegation=delegation,
        initial={
            "delegation_role": member.delegation_role,
            "protocol_order": member.protocol_order,
        },
    )

    def save():
        replacement = services.member_replace(
            delegation=delegation,
            member=member,
            email=form.cleaned_data["email"],
            language=form.cleaned_data["language"],
            **form.member_details(),
        )
        return _("%(old)s has been replaced by %(new)s.") % {
            "old": member.full_name,
            "new": replacement.full_name,
        }

    return member_form_page(
        request, delegation, form, mode="replace", save=save, member=member
    )


@never_cache
@require_http_methods(["GET", "POST"])
def member_withdraw(request, token, member_id):
    delegation = portal_delegation(token)
    member = portal_member(delegation, member_id)
    if closed := refuse_if_closed(request, delegation):
        return closed
    if request.method == "POST":
        try:
            services.member_withdraw(delegation=delegation, member=member)
        except services.RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(name)s has been withdrawn from the delegation.")
                % {"name": member.full_name},
            )
        return redirect(delegation.portal_path())
    return render(
        request,
        "registrations/portal/confirm.html",
        portal_context(delegation, member=member, mode="withdraw"),
    )


@never_cache
@require_POST
def name_head(request, token):
    delegation = portal_delegation(token)
    form = HeadForm(request.POST, members=delegation.members.nominated())
    if not form.is_valid():
        messages.error(
            request, _("Please choose the head of delegation among the members.")
        )
    else:
        try:
            services.delegation_name_head(
                delegation=delegation, member=form.cleaned_data["head"]
            )
        except services.RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(name)s is the head of delegation.")
                % {"name": form.cleaned_data["head"].full_name},
            )
    return redirect(delegation.portal_path())


@never_cache
@require_POST
@accepts_upload(
    field="document", max_bytes=lambda: settings.NOTE_VERBALE_MAX_MB * 1024 * 1024
)
def upload_note_verbale(request, token):
    delegation = portal_delegation(token)
    form = NoteVerbaleForm(
        request.POST,
        request.FILES,
        too_large=refused_upload(request, "document") is not None,
    )
    if form.is_valid():
        document = form.cleaned_data["document"]
        try:
            services.delegation_upload_note_verbale(
                delegation=delegation, file=document, original_name=document.name
            )
        except services.RegistrationError as error:
            form.add_error("document", error.message)
        else:
            messages.success(
                request,
                _("The note verbale has been received. Thank you."),
            )
            return redirect(delegation.portal_path())
    context = portal_context(delegation, note_form=form)
    context["head_form"] = HeadForm(
        members=delegation.members.nominated(), initial={"head": context["head"]}
    )
    return render(request, "registrations/portal/portal.html", context, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def submit(request, token):
    delegation = portal_delegation(token)
    if request.method == "POST":
        try:
            services.delegation_submit(delegation=delegation)
        except services.RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _(
                    "The delegation has been submitted. The secretariat will review "
                    "it and write to each member."
                ),
            )
        return redirect(delegation.portal_path())
    return render(
        request,
        "registrations/portal/confirm.html",
        portal_context(delegation, mode="submit"),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def decline(request, token):
    delegation = portal_delegation(token)
    if closed := refuse_if_closed(request, delegation):
        return closed
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.delegation_decline(
                delegation=delegation, reason=form.cleaned_data["reason"]
            )
        except services.RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The invitation has been declined. Thank you for letting us know."),
            )
        return redirect(delegation.portal_path())
    return render(
        request,
        "registrations/portal/confirm.html",
        portal_context(delegation, form=form, mode="decline"),
    )
