from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import TemplateView

from . import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="sign-out"),
    path("signed-out/", TemplateView.as_view(template_name="accounts/signed_out.html"),
         name="signed-out"),
    path("sign-up/", views.sign_up, name="sign-up"),
    path("sign-up/check-email/", views.check_email, name="sign-up-done"),
    path("verify/resend/", views.verify_resend, name="verify-resend"),
    path("verify/<str:token>/", views.verify, name="verify-email"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:membership_pk>/", views.approval_decide, name="approval"),
    path("password-reset/", views.ResetRequestView.as_view(), name="password-reset"),
    path("password-reset/sent/",
         TemplateView.as_view(template_name="accounts/password_reset_sent.html"),
         name="password-reset-done"),
    path("password-reset/<uidb64>/<token>/", views.ResetConfirmView.as_view(),
         name="password-reset-confirm"),
    path("password-reset/done/",
         TemplateView.as_view(template_name="accounts/password_reset_done.html"),
         name="password-reset-complete"),
]
