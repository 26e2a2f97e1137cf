from django.urls import path

from . import views

app_name = "mfa"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("set-up/", views.setup, name="setup"),
    path("backup-codes/", views.backup_codes, name="backup-codes"),
    path("", views.account_security, name="settings"),
    path("keep-alive/", views.keep_alive, name="keep-alive"),
]
