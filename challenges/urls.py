from django.urls import path

from . import views

app_name = "challenges"

urlpatterns = [
    path("", views.team, name="team"),
    path("referrals/<int:pk>/disagree/", views.raise_, name="raise"),
    path("referrals/<int:pk>/take-further/", views.take_further, name="take-further"),
    path("referrals/<int:pk>/answer/", views.answer, name="answer"),
]
