"""Public pages: the event, the registration form and the delegate's own page.

Views stay thin: forms validate, ``services`` decides and records.
"""

from crispy_forms.utils import render_crispy_form
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.cache import caches
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from registrations import caching, selectors, services
from registrations.forms import LostLinkForm, RegistrationEditForm, RegistrationForm
from registrations.models import Event, Registration, VisaRequest
from registrations.portal.forms import NomineeDetailsForm
from registrations.validators import email_key
from symposium.cache import Counter, count_until_over
from symposium.security import client_network

# The done page reads what the form stored in this cookie, for an hour.
DONE_COOKIE = "registration_done"
DONE_COOKIE_SECONDS = 3600
# The lost-link page's answer reads the address asked for from here.
LOST_LINK_SESSION_KEY = "lost_link_sent"


def event_page_context(event: Event) -> dict:
    """Return what the event page shows, in a fixed number of queries."""
    now = timezone.now()
    return {
        "event": event,
        "sessions": selectors.event_programme(event),
        "invited": selectors.invited_organisations(),
        "registration_open": event.is_registration_open(at=now),
        "registration_not_yet_open": now < event.registration_opens_at,
    }


def event_page(request, find_event) -> HttpResponse:
    """Serve the event page from the cache, or build it and keep it there."""

    def build():
        event = find_event()
        if event is None:
            return render(request, "registrations/no_event.html", status=404), None
        context = event_page_context(event)
        return render(request, "registrations/event.html", context), event

    return caching.served_page(request, build)


def home(request):
    return event_page(request, Event.objects.current)


def event_detail(request, slug):
    return event_page(request, lambda: get_object_or_404(Event, slug=slug))


def blank_form_html(event: Event) -> str:
    """Return the empty registration form's fields, the same for every visitor."""
    return caching.cached_fragment(
        "registration-form",
        event.pk,
        build=lambda: render_crispy_form(
            RegistrationForm(event=event), context={"event": event}
        ),
    )


def submission_limit_reached(
    request, email: str, *, group: str = "registration-submit"
) -> str | None:
    """Count a valid submission; return why it is refused, if a limit is reached.

    Two limits: submissions from one network (``group``: the form's own
    count), against scripts, and emails to one address (a new registration,
    its link sent again, a new link asked for), so that the site cannot be
    used to flood somebody's inbox; every spelling of one address counts
    against the same limit, on every form. Neither says whether the address
    is registered.
    """
    over = count_until_over(
        caches[settings.RATELIMIT_USE_CACHE],
        [
            Counter.of(
                group, client_network(request), settings.REGISTRATION_RATE_LIMIT
            ),
            Counter.of(
                "registration-address",
                email_key(email),
                settings.REGISTRATION_ADDRESS_RATE_LIMIT,
            ),
        ],
    )
    if over == 0:
        return _(
            "Too many forms have been sent from your network in the last hour. "
            "Your answers are kept below: please send them again later, or write "
            "to the secretariat."
        )
    if over == 1:
        return _(
            "We have already sent several emails to this address in the last hour. "
            "Please look for them in your inbox and spam folder, or try again later."
        )
    return None


def registration_closed(request, event: Event) -> HttpResponse | None:
    """Return the page saying why the form is closed, or None while it is open."""
    if event.is_registration_open() and not event.open_form_closed_to_all:
        return None
    return render(
        request,
        "registrations/registration_closed.html",
        {
            "event": event,
            "not_yet_open": timezone.now() < event.registration_opens_at,
            "by_invitation": event.open_form_closed_to_all,
        },
        status=403 if request.method == "POST" else 200,
    )


def blank_form_page(request, slug) -> HttpResponse:
    """Serve the blank form from the cache, with the visitor's own CSRF token.

    The whole page is kept, as the event page is, until what it shows changes
    or registration opens or closes; only the token differs between visitors.
    """

    def build():
        event = get_object_or_404(Event, slug=slug)
        response = registration_closed(request, event) or render(
            request,
            "registrations/register.html",
            caching.form_page_context(
                {"event": event, "blank_form": blank_form_html(event)}
            ),
        )
        return response, event

    return caching.with_visitor_token(request, caching.served_page(request, build))


@require_http_methods(["GET", "POST"])
def register(request, slug):
    if request.method != "POST":
        return blank_form_page(request, slug)
    # The event and what its form offers, as the blank form showed them.
    choices = caching.form_choices(slug)
    event = choices.event
    closed = registration_closed(request, event)
    if closed is not None:
        return closed
    form = RegistrationForm(request.POST, choices=choices)
    if form.is_bot:
        # Answer as if all went well, so that the bot learns nothing.
        return redirect("registrations:registered", slug=event.slug)
    if not form.is_valid():
        return render(
            request, "registrations/register.html", {"event": event, "form": form}
        )
    refusal = submission_limit_reached(request, form.cleaned_data["email"])
    if refusal:
        form.add_error(None, refusal)
        return render(
            request,
            "registrations/register.html",
            {"event": event, "form": form},
            status=429,
        )
    try:
        result = services.registration_submit(
            event=event,
            email=form.cleaned_data["email"],
            sessions=list(form.cleaned_data["sessions"]),
            language=get_language(),
            visa_needed=form.cleaned_data["visa_needed"],
            **form.delegate_details(),
        )
    except services.RegistrationError as error:
        if error.code == "choice_gone":
            # What this process kept offers it still: read the form's choices
            # again, and show those that are left.
            caching.forget_local_copies()
            form.offer(caching.form_choices(slug))
        form.add_error(None, error.message)
        return render(
            request, "registrations/register.html", {"event": event, "form": form}
        )
    response = redirect("registrations:registered", slug=event.slug)
    done = {
        "event": event.slug,
        "email": form.cleaned_data["email"],
        "full_sessions": [session.pk for session in result.full_sessions],
    }
    # For the done page alone, signed, in the visitor's browser: a session
    # kept on the server for it would cost a write on every submission.
    response.set_cookie(
        DONE_COOKIE,
        signing.dumps(done, salt=DONE_COOKIE),
        max_age=DONE_COOKIE_SECONDS,
        path=response.url,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def registered(request, slug):
    """Tell the delegate what happens next, whether the address was new or not."""
    event = get_object_or_404(Event, slug=slug)
    try:
        done = signing.loads(
            request.COOKIES.get(DONE_COOKIE, ""),
            salt=DONE_COOKIE,
            max_age=DONE_COOKIE_SECONDS,
        )
    except signing.BadSignature:
        done = {}
    if not isinstance(done, dict) or done.get("event") != event.slug:
        done = {}
    full_sessions = event.sessions.filter(pk__in=done.get("full_sessions", []))
    return render(
        request,
        "registrations/registered.html",
        {"event": event, "email": done.get("email"), "full_sessions": full_sessions},
    )


def registration_for_token(token: str) -> Registration:
    """Return the registration a private link names, or raise 404.

    A link stops working some time after its event, when the data is due to
    be deleted anyway.
    """
    registration = (
        Registration.objects.select_related(
            "event", "organisation", "delegation__organisation"
        )
        .filter(token=token)
        .first()
    )
    if registration is None:
        raise Http404(_("This link is not valid."))
    if registration.event.ends_at < selectors.retention_cutoff():
        raise Http404(_("This link has expired."))
    return registration


def private_context(registration: Registration) -> dict:
    event = registration.event
    return {
        "event": event,
        "registration": registration,
        "sessions": selectors.chosen_sessions(registration),
        "waitlist_position": selectors.waitlist_position(registration),
        "can_edit": services.delegate_can_edit(registration=registration),
        "can_cancel": services.delegate_can_cancel(registration=registration),
        **visa_context(registration),
    }


def visa_context(registration: Registration) -> dict:
    """Return the visa request's part of the private page (no passport data)."""
    visa_request = VisaRequest.objects.filter(registration=registration).first()
    letter = None
    if visa_request is not None:
        letter = visa_request.letters.filter(withdrawn_at__isnull=True).first()
    return {
        "visa_request": visa_request,
        "visa_letter": letter,
        "can_request_visa": services.delegate_visa_refusal(registration=registration)
        is None,
    }


@never_cache
def private(request, token):
    registration = registration_for_token(token)
    return render(request, "registrations/private.html", private_context(registration))


@never_cache
@require_http_methods(["GET", "POST"])
def private_edit(request, token):
    registration = registration_for_token(token)
    event = registration.event
    refusal = services.delegate_edit_refusal(registration=registration)
    if refusal:
        messages.info(request, refusal)
        return redirect(registration.private_path())
    # A member nominated by a delegation: the organisation is the delegation's.
    form_class = (
        NomineeDetailsForm if registration.delegation_id else RegistrationEditForm
    )
    if request.method == "POST":
        form = form_class(request.POST, instance=registration, event=event)
        if form.is_valid():
            try:
                changed = services.registration_update(
                    registration=registration,
                    sessions=list(form.cleaned_data["sessions"]),
                    consent=bool(form.cleaned_data.get("consent")),
                    **form.delegate_details(),
                )
            except services.RegistrationError as error:
                form.add_error(None, error.message)
            else:
                if changed:
                    messages.success(request, _("Your changes have been saved."))
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect(registration.private_path())
    else:
        form = form_class(instance=registration, event=event)
    return render(
        request,
        "registrations/private_edit.html",
        {"event": event, "registration": registration, "form": form},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def private_cancel(request, token):
    registration = registration_for_token(token)
    context = private_context(registration)
    if request.method == "POST":
        try:
            services.registration_cancel(registration=registration)
        except services.RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your registration has been cancelled."))
        return redirect(registration.private_path())
    if not context["can_cancel"]:
        return redirect(registration.private_path())
    return render(request, "registrations/private_cancel.html", context)


@require_http_methods(["GET", "POST"])
def lost_link(request, slug):
    """Ask for a new private link by email; the answer never says if one exists."""
    event = get_object_or_404(Event, slug=slug)
    form = LostLinkForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        refusal = submission_limit_reached(request, email, group="lost-link")
        if refusal is None:
            services.registration_request_link(event=event, email=email)
            request.session[LOST_LINK_SESSION_KEY] = {"event": slug, "email": email}
            return redirect("registrations:lost_link_sent", slug=slug)
        form.add_error(None, refusal)
        status = 429
    return render(
        request,
        "registrations/lost_link.html",
        {"event": event, "form": form},
        status=status,
    )


def lost_link_sent(request, slug):
    """Say what happens next, the same whether the address is registered or not."""
    event = get_object_or_404(Event, slug=slug)
    sent = request.session.get(LOST_LINK_SESSION_KEY) or {}
    return render(
        request,
        "registrations/lost_link_sent.html",
        {
            "event": event,
            "email": sent.get("email") if sent.get("event") == slug else None,
        },
    )


def lost_link_current(request):
    """Lead to the "Lost your link?" page of the event to come (from the 404 page)."""
    event = Event.objects.current()
    if event is None:
        raise Http404(_("No event has been published yet"))
    return redirect("registrations:lost_link", slug=event.slug)
