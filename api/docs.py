"""The browsable documentation (Swagger UI, served from our own static files by
drf-spectacular-sidecar) for signed-in council administrators; the split view keeps its
script out of the page, so the Content-Security-Policy needs no exception."""

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseForbidden
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from referrals.access import is_administrator


class SwaggerDocs(SpectacularSwaggerSplitView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_administrator(request.user):
            return HttpResponseForbidden("Only council administrators can read the API docs.")
        return super().dispatch(request, *args, **kwargs)
