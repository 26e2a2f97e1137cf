from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("referrals/<int:referral_pk>/", views.referral_audit, name="referral"),
]
