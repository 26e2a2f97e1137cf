from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("subject-access/<int:user_pk>.<str:fmt>", views.export, name="subject-access"),
]
