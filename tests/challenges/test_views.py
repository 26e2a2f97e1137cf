"""The challenge pages: who reaches them, errors that keep what was typed, audit rows."""

import pytest

from audit.models import AuditEvent
from challenges.models import Challenge
from challenges.services import challenge_raise
from tests.factories.accounts import OrganisationFactory, ReferrerFactory

from .conftest import MONDAY

pytestmark = pytest.mark.django_db


def test_the_status_page_offers_the_challenge_only_once_decided(client, referrer, decided):
    client.force_login(referrer)
    page = client.get(f"/feedback/referrals/{decided.pk}/").content.decode()
    assert "I disagree with this decision" in page and f"/challenges/referrals/{decided.pk}/disagree/" in page
    response = client.post(f"/challenges/referrals/{decided.pk}/disagree/", {"reason": ""})
    assert response.status_code == 200
    assert "Enter why you disagree with the decision." in response.content.decode()
    response = client.post(f"/challenges/referrals/{decided.pk}/disagree/",
                           {"reason": "x" * 5001})
    assert "5000 characters or fewer" in response.content.decode()
    assert "x" * 5001 in response.content.decode()  # what was typed is kept
    response = client.post(f"/challenges/referrals/{decided.pk}/disagree/",
                           {"reason": "Because"})
    assert response.status_code == 302 and Challenge.objects.filter(referral=decided).count() == 1
    page = client.get(f"/feedback/referrals/{decided.pk}/").content.decode()
    assert "I disagree with this decision</a>" not in page
    assert "Waiting for an answer" in page


def test_an_outsider_gets_not_found_and_an_audited_refusal(client, decided):
    outsider = ReferrerFactory(organisation=OrganisationFactory(name="Elsewhere", sector="health"))
    client.force_login(outsider)
    for url in (f"/challenges/referrals/{decided.pk}/disagree/",
                f"/challenges/referrals/{decided.pk}/answer/"):
        assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(action="challenge.viewed", allowed=False,
                                     referral_id=decided.pk).count() == 2
    assert client.post(f"/challenges/referrals/{decided.pk}/take-further/").status_code == 404


def test_staff_see_the_challenge_and_only_the_manager_answers(client, decided, referrer, manager,
                                                              worker):
    challenge_raise(referral=decided, actor=referrer, reason="Because", now=MONDAY)
    client.force_login(worker)
    assert client.get(f"/challenges/referrals/{decided.pk}/answer/").status_code == 404
    assert decided.reference in client.get("/challenges/").content.decode()
    client.force_login(manager)
    page = client.get(f"/triage/referral/{decided.pk}/").content.decode()
    assert "Answer the challenge" in page
    response = client.post(f"/challenges/referrals/{decided.pk}/answer/",
                           {"upheld": "no", "response": ""})
    assert "Enter the answer to give the referrer." in response.content.decode()
    response = client.post(f"/challenges/referrals/{decided.pk}/answer/",
                           {"upheld": "no", "response": "It stands."})
    assert response.status_code == 302
