from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("start/", views.start, name="start"),
    path("<int:pk>/resume/", views.resume, name="resume"),
    path("<int:pk>/check/", views.check, name="check"),
    path("<int:pk>/sent/", views.confirmation, name="confirmation"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
    path("<int:pk>/files/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("<int:pk>/<slug:key>/", views.step, name="step"),
]
