"""A personal invitation's page: the registration form, pre-filled, for one address."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from registrations import services
from registrations.models import Invitation
from registrations.portal.forms import InvitationForm


def invitation_for_token(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("event", "organisation", "registration")
        .filter(token=token)
        .exclude(state=Invitation.State.REVOKED)
        .first()
    )
    if invitation is None:
        raise Http404(_("This link is not valid."))
    return invitation


@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request, token):
    invitation = invitation_for_token(token)
    context = {"event": invitation.event, "invitation": invitation}
    if not services.invitation_is_usable(invitation):
        return render(request, "registrations/invitation_closed.html", context)
    form = InvitationForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(
                invitation=invitation,
                sessions=list(form.cleaned_data["sessions"]),
                language=get_language(),
                **form.delegate_details(),
            )
        except services.RegistrationError as error:
            form.add_error(None, error.message)
        else:
            return redirect("registrations:invitation", token=token)
    return render(request, "registrations/invitation.html", {**context, "form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_decline(request, token):
    invitation = invitation_for_token(token)
    context = {"event": invitation.event, "invitation": invitation}
    if request.method == "POST" and services.invitation_is_usable(invitation):
        try:
            services.invitation_decline(invitation=invitation)
        except services.RegistrationError as error:
            context["error"] = error.message
        return redirect("registrations:invitation", token=token)
    if not services.invitation_is_usable(invitation):
        return redirect("registrations:invitation", token=token)
    return render(request, "registrations/invitation_decline.html", context)
