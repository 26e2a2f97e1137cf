from django.urls import path

from . import export

app_name = "handover"

urlpatterns = [
    path("<int:referral_pk>/bundle.zip", export.bundle, name="bundle"),
]
