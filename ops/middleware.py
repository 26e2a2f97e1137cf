"""Probes answered before sessions, authentication, the second factor, CSRF and the host
check: a load balancer's request has no session and may use the container's own address."""

from asgiref.sync import async_to_sync, iscoroutinefunction
from django.conf import settings
from django.urls import resolve

PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class ProbeMiddleware:
    """Placed just after SecurityMiddleware, CSP and WhiteNoise (so probes still get the
    security headers); the views are called directly, outside ATOMIC_REQUESTS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info not in PROBE_PATHS:
            return self.get_response(request)
        view = resolve(request.path_info).func
        response = async_to_sync(view)(request) if iscoroutinefunction(view) else view(request)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()  # a TemplateResponse: the handler we skip would render it
        # XFrameOptionsMiddleware comes later in the chain, so it never sees this response.
        response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        return response
