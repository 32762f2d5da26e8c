"""Hooks for django-axes, which guards the admin sign-in against password guessing."""

import math

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _


def client_ip(request: HttpRequest) -> str | None:
    """Return the client's address, read where the registration rate limit reads it.

    Behind a proxy RATELIMIT_IP_META_KEY names the header that carries it;
    otherwise it is the direct peer.
    """
    header = settings.RATELIMIT_IP_META_KEY or "REMOTE_ADDR"
    return request.META.get(header) or request.META.get("REMOTE_ADDR")


def lockout_response(
    request: HttpRequest, original_response: HttpResponse, credentials: dict | None
) -> HttpResponse:
    """Refuse a locked-out sign-in with a page saying when to try again.

    Every attempt during a lock-out starts the cool-off again
    (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so it ends one cool-off
    after this request.
    """
    cool_off = settings.AXES_COOLOFF_TIME
    context = {
        **admin.site.each_context(request),
        "title": _("Too many failed sign-ins"),
        "retry_at": timezone.now() + cool_off,
        "minutes": math.ceil(cool_off.total_seconds() / 60),
    }
    response = render(
        request,
        "admin/locked_out.html",
        context,
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(math.ceil(cool_off.total_seconds()))
    return response


def reject_null_characters(get_response):
    """Answer 400 to an address whose path or query holds a NUL character.

    No page of the site takes one, and PostgreSQL refuses it in any text it is
    given, so it would otherwise end as a server error wherever it reached the
    database (an admin filter, an export's record). Form fields are left to
    the forms, which explain the problem next to the field.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            return HttpResponseBadRequest(
                "Bad request: the address holds a NUL character.",
                content_type="text/plain; charset=utf-8",
            )
        return get_response(request)

    return middleware
