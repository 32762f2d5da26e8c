"""The door: the scanning page for a phone or tablet, its data, its redeem API.

The page is signed in to as for the admin (staff, second factor) and needs
the "check in delegates" permission. It downloads what it needs for the day
(``door_data``), checks badges on the device when the network is gone, and
sends its scans to ``door_redeem``, which answers each by its nonce. The
service worker (``door_worker``) keeps the page and its files for offline
use; it is served from under the page's address so that its scope covers it.
"""

import datetime
import json

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from registrations import services
from registrations.models import BadgeCheck, Event
from registrations.models.checkins import DOOR_MAX_LENGTH, NONCE_MAX_LENGTH
from registrations.selectors import checkins as door

# The page uses the camera, plays its beep at once and keeps the screen on;
# every other page of the site denies all three (settings.PERMISSIONS_POLICY).
DOOR_PERMISSIONS_POLICY = "camera=(self), autoplay=(self), screen-wake-lock=(self)"
# Scans sent in one request at most: a queue longer than this is sent in parts.
MAX_SCANS_PER_REQUEST = 200


def door_event(request) -> Event:
    """Return the event the door serves: ``?event=<slug>``, else the next one."""
    slug = request.GET.get("event", "")
    if slug:
        return get_object_or_404(Event, slug=slug)
    event = Event.objects.current()
    if event is None:
        raise Http404(_("There is no event."))
    return event


def _refuse_unless_allowed(request) -> JsonResponse | None:
    """Answer 403 in JSON (the page keeps its queue) unless the user may check in."""
    if not admin.site.has_permission(request):
        return JsonResponse(
            {"error": "signed_out", "message": _("Sign in again to send the scans.")},
            status=403,
        )
    if not door.can_check_in(request.user):
        return JsonResponse(
            {"error": "forbidden", "message": _("You may not check delegates in.")},
            status=403,
        )
    return None


def door_config(request, event: Event) -> dict:
    """Return what the page's script needs: its addresses and its sentences."""
    query = f"?event={event.slug}"
    return {
        "event": event.pk,
        "csrf": get_token(request),
        "time_zone": settings.TIME_ZONE,
        "data": reverse("registrations:door_data") + query,
        "redeem": reverse("registrations:door_redeem") + query,
        "worker": reverse("registrations:door_worker"),
        "scope": reverse("registrations:door"),
        "reasons": {
            **{check.value: str(check.label) for check in BadgeCheck},
            services.NOT_IN_SESSION: _("Not registered for this session"),
        },
        "text": {
            "already_in": _("Already in at %(time)s through %(door)s"),
            "admit": _("Let in"),
            "admit_button": pgettext("button", "Let in"),
            "refuse": _("Do not let in"),
            "online": _("Online"),
            "offline": _("Offline"),
            "queued": _("Scans waiting to be sent: %(count)s"),
            "all_sent": _("All scans sent"),
            "data": _("%(count)s delegates on this device, as of %(time)s"),
            "no_data": _(
                "No list of delegates on this device yet: connect it to the "
                "network once."
            ),
            "checked_here": _(
                "Checked on this device; it will be sent when the network returns."
            ),
            "camera_on": _("Camera on: hold a badge's QR code in front of it."),
            "camera_failed": _(
                "The camera could not be started (%(error)s). Use the search below."
            ),
            "camera_missing": _(
                "This browser gives no camera here (it needs HTTPS). Use the search."
            ),
            "too_short": _("Type at least two letters."),
            "none_found": _("No approved delegate found."),
            "found": _("Found: %(count)s"),
            "code_offline": _(
                "A typed code is checked by the server, and the network is down. "
                "Search by name instead."
            ),
            "set_up_first": _("Set up this door first: give it a name."),
            "not_set_up": _("not set up"),
            "venue": _("The venue (entrance)"),
            "server_error": _("The server did not answer; the scan is kept."),
        },
    }


@never_cache
@require_GET
def door_page_view(request):
    if not door.can_check_in(request.user):
        raise PermissionDenied
    event = door_event(request)
    context = {
        "event": event,
        "events": door.door_events(),
        "door_config": door_config(request, event),
    }
    response = render(request, "registrations/staff/door.html", context)
    response._permissions_policy_override = DOOR_PERMISSIONS_POLICY
    return response


door_page = admin.site.admin_view(door_page_view)


@never_cache
@require_GET
def door_data(request):
    """What the door's device keeps for the day (``selectors.checkins``)."""
    if refused := _refuse_unless_allowed(request):
        return refused
    return JsonResponse(door.door_manifest(door_event(request)))


def scan_time(value) -> datetime.datetime | None:
    """Return an ISO 8601 time with its offset, or None for anything else."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:  # well formed, but no such day or hour
        return None
    if moment is None or timezone.is_naive(moment):
        return None
    return moment


def parse_scan(raw) -> services.Scan | None:
    """Return the scan a device sent, or None if it is not one."""
    if not isinstance(raw, dict):
        return None
    text = {
        key: raw.get(key) if isinstance(raw.get(key), str) else ""
        for key in ("nonce", "door", "device", "badge_hash", "short_code")
    }
    scanned_at = scan_time(raw.get("scanned_at"))
    numbers = {}
    for key in ("registration", "session"):
        value = raw.get(key)
        if value is not None and (type(value) is not int or value < 1):
            return None
        numbers[key] = value
    chosen = [text["badge_hash"], text["short_code"], numbers["registration"]]
    if (
        not 8 <= len(text["nonce"]) <= NONCE_MAX_LENGTH
        or not text["door"].strip()
        or len(text["door"]) > DOOR_MAX_LENGTH
        or len(text["device"]) > NONCE_MAX_LENGTH
        or scanned_at is None
        or len(text["badge_hash"]) not in (0, 64)
        or len(text["short_code"]) > 20
        or sum(bool(value) for value in chosen) != 1
    ):
        return None
    return services.Scan(
        nonce=text["nonce"],
        door=text["door"].strip(),
        device=text["device"],
        scanned_at=scanned_at.astimezone(datetime.UTC),
        offline=raw.get("offline") is True,
        forced=raw.get("forced") is True,
        badge_hash=text["badge_hash"],
        short_code=text["short_code"],
        registration_id=numbers["registration"],
        session_id=numbers["session"],
    )


def answer_json(nonce: str, answer: services.DoorAnswer) -> dict:
    registration = answer.registration
    earlier = answer.earlier
    return {
        "nonce": nonce,
        "admitted": answer.admitted,
        "check": answer.check,
        "reason": "" if answer.admitted else answer.reason,
        "repeated": answer.repeated,
        "flagged": bool(answer.check_in and answer.check_in.flag),
        "registration": registration.pk if registration else None,
        "person": door.door_person(registration) if registration else None,
        "entered": door.entry_at_venue(earlier) if earlier else None,
    }


@never_cache
@require_POST
def door_redeem(request):
    """Redeem a list of scans: ``{"scans": [...]}``, answered in the same order."""
    if refused := _refuse_unless_allowed(request):
        return refused
    event = door_event(request)
    try:
        scans = json.loads(request.body)["scans"]
    except (ValueError, KeyError, TypeError):
        scans = None
    if not isinstance(scans, list) or not 1 <= len(scans) <= MAX_SCANS_PER_REQUEST:
        return JsonResponse({"error": "bad_request"}, status=400)
    answers = []
    for raw in scans:
        scan = parse_scan(raw)
        if scan is None:
            nonce = raw.get("nonce") if isinstance(raw, dict) else None
            answers.append({"nonce": nonce, "error": "bad_scan"})
            continue
        answer = services.checkin_redeem(event=event, scan=scan, by=request.user)
        answers.append(answer_json(scan.nonce, answer))
    return JsonResponse({"answers": answers})


@require_GET
def door_worker(request):
    """The door's service worker, from under the page's address (its scope)."""
    script = render_to_string("registrations/staff/door-worker.js", request=request)
    return HttpResponse(
        script,
        content_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "no-cache"},
    )


@never_cache
@require_GET
def attendance_page_view(request):
    if not door.can_view_attendance(request.user):
        raise PermissionDenied
    event = door_event(request)
    counts = door.attendance(event)
    context = {
        **admin.site.each_context(request),
        "title": _("Attendance"),
        "event": event,
        "counts": counts,
        "time_zone": settings.TIME_ZONE,
        "tables": [
            ("by-category", _("By category"), counts["by_category"]),
            ("by-delegation", _("By delegation"), counts["by_delegation"]),
            ("by-session", _("By session"), counts["by_session"]),
        ],
    }
    return render(request, "registrations/staff/attendance.html", context)


attendance_page = admin.site.admin_view(attendance_page_view)


@never_cache
@require_GET
def attendance_data(request):
    if not admin.site.has_permission(request) or not door.can_view_attendance(
        request.user
    ):
        return JsonResponse({"error": "forbidden"}, status=403)
    return JsonResponse(door.attendance(door_event(request)))
