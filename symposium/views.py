"""Views of the project itself, outside the registration app."""

from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request):
    """Answer a load balancer's health check: the process serves requests.

    No database query, no template: it is also the load benchmark's baseline,
    the cost of a request through the middleware and nothing else.
    """
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
