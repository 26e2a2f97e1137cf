from django.urls import path

from . import clock_views as views

app_name = "clocks"
urlpatterns = [
    path("referral/<int:referral_id>/", views.referral_clocks, name="referral-clocks"),
    path("referral/<int:referral_id>/resume/", views.clock_resume, name="clock-resume"),
]
