from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("subject-access/<int:user_pk>.<str:fmt>", views.export, name="subject-access"),
    # A person named in referrals: the name and date of birth travel in POST bodies only.
    path("subject-access/people/", views.person_search, name="person-search"),
    path("subject-access/people/export/", views.person_export, name="person-export"),
]
