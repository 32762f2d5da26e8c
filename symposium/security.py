"""Guards of the site: sign-in lockouts, client addresses, requests refused early."""

import datetime
import functools
import ipaddress
import logging
import math

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.dispatch import receiver
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    UnreadablePostError,
)
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)


# Used when neither the configured header nor the peer gives an address (a
# proxy on a Unix socket, without the header): every such request then shares
# one count, so the limits still hold, and each one is logged.
UNKNOWN_CLIENT = "0.0.0.0"


def parse_address(value: str) -> str | None:
    """Return the IP address in a header's value, or None if it holds none.

    A list (X-Forwarded-For) gives its last entry: the address that the one
    trusted proxy saw and appended; whatever a client wrote before it is not
    believed. A port after the address, or brackets around IPv6, are dropped.
    """
    candidate = value.split(",")[-1].strip()
    if candidate.startswith("[") and "]" in candidate:
        candidate = candidate[1 : candidate.index("]")]
    elif candidate.count(":") == 1:
        candidate = candidate.split(":")[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """Return the client's address, for the rate limits and the sign-in lockout.

    Behind a proxy, ``CLIENT_IP_HEADER`` names the header it sets (read from
    the RATELIMIT_IP_META_KEY variable); otherwise it is the direct peer. A
    header that is missing or malformed is logged and the peer used instead:
    the request is served, never refused with a server error.
    """
    header = settings.CLIENT_IP_HEADER
    if header != "REMOTE_ADDR":
        raw = request.META.get(header)
        address = parse_address(raw) if raw else None
        if address:
            return address
        logger.warning(
            "Client address header %s is %s; using the peer address instead",
            header,
            "missing" if not raw else f"malformed ({raw[:60]!r})",
        )
    peer = parse_address(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        logger.warning("No client address in the request; counting it as unknown")
        return UNKNOWN_CLIENT
    return peer


def client_network(request: HttpRequest) -> str:
    """Return the network a limit counts the client in, as django-ratelimit does.

    An IPv6 client's /64 (``RATELIMIT_IPV6_MASK``): one host is given a whole
    /64 and could otherwise take a new address for every submission; an IPv4
    client's own address (``RATELIMIT_IPV4_MASK``, 32).
    """
    address = client_ip(request)
    if ":" in address:
        mask = getattr(settings, "RATELIMIT_IPV6_MASK", 64)
    else:
        mask = getattr(settings, "RATELIMIT_IPV4_MASK", 32)
    return str(ipaddress.ip_network(f"{address}/{mask}", strict=False).network_address)


def lockout_page(request: HttpRequest, *, seconds: float) -> HttpResponse:
    """Refuse a sign-in with a page saying when to try again, ``seconds`` from now."""
    minutes = max(math.ceil(seconds / 60), 1)
    context = {
        **admin.site.each_context(request),
        "title": _("Too many failed sign-ins"),
        "retry_at": timezone.now() + datetime.timedelta(seconds=seconds),
        "minutes": minutes,
    }
    response = render(
        request,
        "admin/locked_out.html",
        context,
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(math.ceil(seconds))
    return response


def lockout_response(
    request: HttpRequest, original_response: HttpResponse, credentials: dict | None
) -> HttpResponse:
    """Refuse a sign-in for a locked-out user name (django-axes calls this).

    Every attempt during a lock-out starts the cool-off again
    (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so it ends one cool-off
    after this request.
    """
    return lockout_page(request, seconds=settings.AXES_COOLOFF_TIME.total_seconds())


# An address that fails to sign in as many user names: django-axes counts
# failures per user name; this counts them per address, with a limit of its
# own, so that one person's typing mistakes lock only their own name while a
# script that tries a password against every name is stopped.

ADDRESS_GROUP = "staff-sign-in-address"


def _address_usage(request: HttpRequest, *, increment: bool) -> dict | None:
    return get_usage(
        request,
        group=ADDRESS_GROUP,
        key=lambda group, request: client_ip(request),
        rate=f"{settings.SIGN_IN_ADDRESS_FAILURE_LIMIT}/{settings.AXES_COOLOFF_MINUTES}m",
        increment=increment,
    )


@receiver(user_login_failed)
def count_failure_from_address(sender, credentials, request=None, **kwargs):
    if request is not None:
        _address_usage(request, increment=True)


def address_lockout_seconds(request: HttpRequest) -> int:
    """Return for how long the client's address may not sign in (0: it may)."""
    usage = _address_usage(request, increment=False)
    if usage is None or usage["count"] < settings.SIGN_IN_ADDRESS_FAILURE_LIMIT:
        return 0
    return max(usage["time_left"], 1)


@receiver(user_logged_in)
def end_the_session_after_a_working_day(sender, request, user, **kwargs):
    """Let a sign-in last STAFF_SESSION_HOURS from now, however busy the day."""
    if request is not None and hasattr(request, "session"):
        hours = datetime.timedelta(hours=settings.STAFF_SESSION_HOURS)
        request.session.set_expiry(timezone.now() + hours)


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


# Whatever reading a form's body can raise: a charset other than UTF-8, a
# broken multipart body, too many fields or files, a body too large, a client
# that went away halfway.
UNREADABLE_BODY = (
    BadRequest,
    SuspiciousOperation,
    MultiPartParserError,
    UnreadablePostError,
    UnicodeError,
    LookupError,
    ValueError,
)


def refuse_unreadable_forms(get_response):
    """Answer 400, with one short log line, to a form body that cannot be read.

    The body is read here, before the CSRF check reads it: otherwise the check
    fails on it, and so do the error pages, which run the same check, and the
    request ends as a server error with a traceback per attempt. Django keeps
    what was read, so the views see the same form.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            try:
                request.POST  # noqa: B018 (reading it parses the body)
            except UNREADABLE_BODY as error:
                logger.warning(
                    "Bad request: %s %s: unreadable form body (%s: %s)",
                    request.method,
                    request.path,
                    type(error).__name__,
                    str(error)[:120],
                )
                response = HttpResponseBadRequest(
                    "Bad request: the form could not be read. Please send it again "
                    "from the site's own page.\n"
                    "フォームを読み取れませんでした。サイトのページから再度送信してください。\n",
                    content_type="text/plain; charset=utf-8",
                )
                # The line above says why; Django would add a second one.
                response._has_been_logged = True
                return response
        return get_response(request)

    return middleware


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the site's policy written once per process.

    django-csp builds its header from the settings on every response: a
    fifth of the instructions of a page served from memory. The policy of
    a response that no view changed (none of django-csp's decorators, no
    nonce asked for) depends on the settings alone, and is built once; any
    other response is django-csp's to write, as is every response of a debug
    error page.
    """

    # What django-csp's decorators set on a response.
    CHANGED_BY_VIEW = tuple(
        f"_csp_{change}{mode}"
        for change in ("config", "update", "replace", "exempt")
        for mode in ("", "_ro")
    )

    @functools.cached_property
    def policies(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """Return each header the settings give: its name, value, excluded paths."""
        headers = []
        for name, setting, report_only in (
            (HEADER, "CONTENT_SECURITY_POLICY", False),
            (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", True),
        ):
            value = build_policy(report_only=report_only)
            if value:
                policy = getattr(settings, setting, None) or {}
                excluded = tuple(policy.get("EXCLUDE_URL_PREFIXES", None) or ())
                headers.append((name, value, excluded))
        return headers

    def process_response(self, request, response):
        if (
            getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in self.CHANGED_BY_VIEW)
            or settings.DEBUG
        ):
            return super().process_response(request, response)
        for name, value, excluded in self.policies:
            if name not in response and not request.path_info.startswith(excluded):
                response[name] = value
        # As django-csp does: a nonce asked for from now on would be in no header.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
