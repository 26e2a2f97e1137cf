"""Refused access (403/404) on a referral's URL is an audit row, even when the view's own
transaction rolled back."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import include, path

from audit.models import AuditEvent
from audit.services import audit_record
from core.vocabulary import AuditAction


def refuse(request, pk):
    audit_record(action=AuditAction.REFERRAL_VIEWED, request=request, referral_id=pk,
                 allowed=False)
    raise PermissionDenied


def missing(request, referral_pk):
    raise Http404


def fine(request, pk):
    return HttpResponse("ok")


referral_patterns = (
    [path("<int:pk>/", refuse, name="refuse"), path("<int:pk>/ok/", fine, name="fine")],
    "referrals",
)
other_patterns = ([path("<int:referral_pk>/x/", missing, name="missing")], "other")
urlpatterns = [
    path("r/", include(referral_patterns)),
    path("o/", include(other_patterns)),
    path("n/<int:pk>/", refuse, name="not-a-referral"),
    # The service's own pages, so the branded 403 and 404 pages (issue 18) can link home.
    path("", include("portal.urls")),
]


@pytest.fixture
def test_urls(settings):
    settings.ROOT_URLCONF = __name__


@pytest.mark.django_db(transaction=True)
def test_a_403_on_a_referral_url_is_audited_after_the_rollback(client, test_urls, make_user):
    user = make_user()
    client.force_login(user)
    assert client.get("/r/77/").status_code == 403
    rows = list(AuditEvent.objects.values_list("action", "referral_id", "allowed", "actor_id"))
    # The view's own row was rolled back with its transaction (ATOMIC_REQUESTS); the
    # middleware's survives.
    assert rows == [("access.refused", 77, False, user.pk)]
    assert AuditEvent.objects.get().detail == {"status": 403, "url_name": "referrals:refuse"}


def test_a_404_with_a_referral_pk_is_audited(client, test_urls, db):
    assert client.get("/o/5/x/").status_code == 404
    event = AuditEvent.objects.get()
    assert (event.action, event.referral_id, event.allowed, event.actor) == (
        "access.refused", 5, False, None)


def test_allowed_pages_and_non_referral_urls_are_not_refusals(client, test_urls, db):
    assert client.get("/r/5/ok/").status_code == 200
    assert client.get("/n/5/").status_code == 403
    assert not AuditEvent.objects.filter(action="access.refused").exists()
