"""/api/v1/: the API, its token endpoint, its schema (public: it holds no data) and the
browsable documentation (signed-in council administrators only)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView
from oauth2_provider.views import TokenView

from . import docs, views

app_name = "api"

urlpatterns = [
    path("oauth/token/", TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.SwaggerDocs.as_view(url_name="api:schema"), name="docs"),
    path("referrals/", views.ReferralList.as_view(), name="referrals"),
    path("referrals/<int:pk>/", views.ReferralDetail.as_view(), name="referral"),
    path("referrals/<int:pk>/attachments/<int:attachment_pk>/",
         views.AttachmentDownload.as_view(), name="attachment"),
    path("referrals/<int:pk>/handover/", views.HandoverAcknowledge.as_view(), name="handover"),
    path("events/", views.EventFeed.as_view(), name="events"),
    re_path(r"^.*$", views.not_found),  # a problem, not the portal's HTML 404
]
