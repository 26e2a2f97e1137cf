from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from ops import views as ops_views

from . import views

urlpatterns = [
    path("", views.start, name="start"),
    path("home/", views.home, name="home"),
    path("display/", views.display, name="display"),
    path("brand.css", views.brand_css, name="brand-css"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("cookies/", views.cookies, name="cookies"),
    path("privacy/", views.privacy, name="privacy"),
    path("account/", include("accounts.urls")),
    path("referrals/", include("referrals.urls")),
    path("triage/", include("triage.urls")),
    path("clocks/", include("triage.clock_urls")),
    path("feedback/", include("feedback.urls")),
    path("challenges/", include("challenges.urls")),
    path("advice/", include("consultations.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("", include("learning.urls")),
    path("account/security/", include("mfa.urls")),
    path("audit/", include("audit.urls")),
    path("privacy-office/", include("privacy.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("handover/", include("api.export_urls")),
    # Probes and metrics, answered before sign-in and sessions (ops.middleware.ProbeMiddleware).
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("metrics", ops_views.metrics, name="metrics"),
]

# The service's own 400 and 500 (rendered without the request context: portal.errors).
handler400 = "portal.errors.bad_request"
handler500 = "portal.errors.server_error"

if settings.BENCH_VIEWS:  # baseline views for bench/ only (docs/performance.md)
    urlpatterns += [path("bench/", include("portal.bench_views"))]
