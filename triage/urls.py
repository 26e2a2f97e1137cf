from django.urls import path

from . import views

app_name = "triage"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("workload/", views.workload, name="workload"),
    path("referral/<int:pk>/", views.referral_detail, name="referral"),
    path("referral/<int:pk>/claim/", views.claim, name="claim"),
    path("referral/<int:pk>/assign/", views.assign, name="assign"),
    path("referral/<int:pk>/note/", views.note, name="note"),
    path("referral/<int:pk>/duty/<int:duty_pk>/", views.duty_record, name="duty"),
    path("referral/<int:pk>/<slug:action>/", views.referral_action, name="action"),
]
