from django.urls import path

from . import views

app_name = "pathways"
urlpatterns = [
    path("referral/<int:referral_id>/", views.referral_clocks, name="referral-clocks"),
    path("referral/<int:referral_id>/resume/", views.clock_resume, name="clock-resume"),
]
