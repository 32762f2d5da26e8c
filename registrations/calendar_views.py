"""The programme as a calendar file: the event's, and each delegate's own."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from registrations import selectors
from registrations.documents import calendar
from registrations.models import Event
from registrations.views import registration_for_token


def calendar_response(content: bytes, filename: str, *, private: bool) -> HttpResponse:
    response = HttpResponse(content, content_type=calendar.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    if private:
        response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def programme_ics(request, slug):
    """Return the whole programme, for anyone to add to their calendar."""
    event = get_object_or_404(Event, slug=slug)
    content = calendar.programme_calendar(
        event, event.sessions.order_by("starts_at", "pk"), name=event.localized.title
    )
    return calendar_response(content, f"{event.slug}.ics", private=False)


@never_cache
@require_GET
def my_sessions_ics(request, token):
    """Return the sessions an approved delegate chose (behind their private link)."""
    registration = registration_for_token(token)
    if not registration.is_attending:
        raise Http404(
            _("The calendar of your sessions is ready once you are approved.")
        )
    content = calendar.programme_calendar(
        registration.event,
        selectors.chosen_sessions(registration),
        name=registration.event.localized.title,
    )
    return calendar_response(
        content, f"{registration.event.slug}-my-sessions.ics", private=True
    )
