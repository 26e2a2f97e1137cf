"""The portal's URLs plus the benchmark's baseline views (routed only under BENCH_VIEWS in
production settings), so tests can count what a plain signed-in page costs."""

from django.urls import include, path

from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [*portal_urlpatterns, path("bench/", include("portal.bench_views"))]
