"""Views of the project itself, outside the registration app: the health checks."""

from django.core.cache import caches
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from symposium.cache import ResilientRedisCache

OK, DEGRADED, DOWN = "ok", "degraded", "down"


def plain_text(text: str, status: int = 200) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


@never_cache
@require_safe
def alive(request):
    """Answer that the process serves requests, asking nothing of anything else.

    The load benchmark's baseline: the cost of a request through the
    middleware and nothing more.
    """
    return plain_text("ok\n")


def check_database() -> tuple[str, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return DOWN, f"does not answer ({type(error).__name__}: {error})".strip()
    return OK, "answers"


def check_cache() -> tuple[str, str]:
    redis_caches = {
        alias: caches[alias]
        for alias in caches.settings
        if isinstance(caches[alias], ResilientRedisCache)
    }
    if not redis_caches:
        return OK, "in each process's memory (no REDIS_URL)"
    cache = next(iter(redis_caches.values()))
    problem = cache.ping()
    if problem:
        return DEGRADED, (
            f"Redis at {cache.outage.name} does not answer ({problem}); serving "
            "without it: no cached pages, sessions from the database, rate limits "
            "and sign-in lockouts counted in each process"
        )
    return OK, f"Redis at {cache.outage.name} answers"


def check_mail() -> tuple[str, str]:
    from registrations.mail.recovery import mail_health

    try:
        health = mail_health()
    except DatabaseError as error:
        return DOWN, f"not known: the database does not answer ({error})"
    counts = (
        f"{health.waiting} queued, {health.retrying} waiting to retry, "
        f"{health.failed} failed"
    )
    if health.overdue:
        minutes = (timezone.now() - health.oldest_overdue).total_seconds() // 60
        return DEGRADED, (
            f"{health.overdue} overdue, the oldest by {minutes:.0f} min: is the "
            f"mail worker running? ({counts})"
        )
    if health.retrying:
        return DEGRADED, f"the mail server refused or did not answer ({counts})"
    return OK, counts


@never_cache
@require_safe
def healthz(request):
    """Tell a load balancer, and whoever watches, which dependency is down.

    The first line is ``ok``, ``degraded`` (serving, with Redis or the mail
    away) or ``down``; one line follows per dependency. The status is 200
    while the site can serve, degraded included, so that a lost cache or mail
    server does not take every server out of the balancer at once; 503 when
    the database does not answer, which no page can do without. Each check is
    bounded (Redis by its socket timeout), and none raises.
    """
    database = check_database()
    checks = {"database": database, "cache": check_cache()}
    if database[0] == DOWN:
        checks["mail"] = (DOWN, "not known: the database does not answer")
    else:
        checks["mail"] = check_mail()
    states = {state for state, _detail in checks.values()}
    overall = DOWN if database[0] == DOWN else DEGRADED if DEGRADED in states else OK
    lines = [overall] + [
        f"{name}: {state}: {detail}" for name, (state, detail) in checks.items()
    ]
    return plain_text("\n".join(lines) + "\n", status=503 if overall == DOWN else 200)


def favicon(request):
    """Lead to the site's icon, which pages name; the admin's pages do not."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
