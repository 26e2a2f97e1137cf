"""Probes and metrics: /healthz, /readyz, /metrics. No sign-in; ops.middleware.ProbeMiddleware
answers them before the session, authentication and second-factor middleware."""

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django_prometheus.exports import ExportToDjangoView
from health_check.views import HealthCheckView


def healthz(request):
    """Liveness: the process answers. No database or broker: a restart would not fix them."""
    response = HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


class ReadinessView(HealthCheckView):
    """Readiness: the database, the broker, a worker's heartbeat and beat's last sweep.
    503 when any fails (the library says 500, which a load balancer reads as a bug)."""

    checks = (
        "health_check.checks.Database",
        "ops.health.Broker",
        "ops.health.WorkerHeartbeat",
        "ops.health.SweepRecent",
    )

    async def get(self, request, *args, **kwargs):
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500:
            response.status_code = 503
        return response


readyz = ReadinessView.as_view()

FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_FORWARDED",
             "HTTP_X_REAL_IP")


def metrics_allowed(request) -> bool:
    """With METRICS_BEARER_TOKEN set: only with that token. Without it: only a direct request
    from this machine (loopback, and not forwarded by a proxy on this machine)."""
    token = settings.METRICS_BEARER_TOKEN
    if token:
        given = request.META.get("HTTP_AUTHORIZATION", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    try:
        loopback = ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False
    return loopback and not any(header in request.META for header in FORWARDED)


def metrics(request):
    if not metrics_allowed(request):
        return HttpResponseForbidden("Forbidden\n", content_type="text/plain")
    return ExportToDjangoView(request)
