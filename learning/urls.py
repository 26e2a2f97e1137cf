from django.urls import path

from . import views

app_name = "learning"

urlpatterns = [
    path("guidance/", views.guidance, name="guidance"),
    path("give-feedback/", views.give_feedback, name="give-feedback"),
    path("give-feedback/thanks/", views.thanks, name="thanks"),
    path("how-was-it/<int:referral_pk>/", views.rate, name="rate"),
    path("manage/organisations-to-contact/", views.organisations, name="organisations"),
]
