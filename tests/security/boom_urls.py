"""The portal's URLs plus one view that fails, for the error-page canary test."""

from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def boom(request):
    request.POST.get("person_name")  # read the personal data, then fail
    raise RuntimeError("simulated failure (no personal data in the message)")


urlpatterns = [*portal_urlpatterns, path("boom/", boom)]
