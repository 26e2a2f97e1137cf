from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("referrals/", views.my_referrals, name="my-referrals"),
    path("referrals/<int:pk>/", views.status, name="status"),
    path("referrals/<int:pk>/add-information/", views.information_add, name="add-information"),
    path("referrals/<int:pk>/chase/", views.chase, name="chase"),
    path("referrals/<int:pk>/worse/", views.worse, name="worse"),
    path("referrals/<int:pk>/worse/done/", views.worse_done, name="worse-done"),
    path("referrals/<int:pk>/follow-up/", views.follow_up, name="follow-up"),
    path("referrals/<int:pk>/feedback-by-phone/", views.phone_feedback, name="give-by-phone"),
    path("organisation/", views.organisation, name="organisation"),
    path("notices/", views.notices, name="notices"),
    path("notices/failed/", views.notices_failed, name="notices-failed"),
]
