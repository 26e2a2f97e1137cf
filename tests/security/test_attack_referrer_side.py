"""An outside review's attacks on the referrer-side features (issue 15) and the lists: each
person out of scope is refused and audited and changes nothing; odd input is a form error,
never a 500; every look at a page is one audit row, and a refusal is never recorded as a look."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from accounts.models import TeamRole
from audit.models import AuditEvent
from challenges.models import Challenge
from challenges.services import challenge_raise
from consultations.models import Consultation
from consultations.services import consultation_request
from core.vocabulary import Outcome
from referrals.models import Referral, ReferralEvent
from tests.factories import triage
from tests.factories.accounts import (
    LeadFactory,
    OrganisationFactory,
    ReferrerFactory,
    pending_person,
    staff,
)
from tests.factories.feedback import send_pending
from tests.factories.referrals import referral_with

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
ODD = ["\x00", "a\x00b", "x" * 100_000, "\u202e\u0000", "🙂" * 6000]  # a lone surrogate cannot be sent


@pytest.fixture
def world(db):
    organisation = OrganisationFactory(name="Camberwell Day Centre", sector="voluntary")
    referrer = ReferrerFactory(organisation=organisation)
    manager = staff("oppd", TeamRole.MANAGER)
    worker = staff("oppd", TeamRole.TRIAGE)
    decided = referral_with(referrer, status="concern_decided", received_at=MONDAY)
    other_org = OrganisationFactory(name="Elsewhere", sector="health")
    return {
        "referrer": referrer, "manager": manager, "worker": worker, "decided": decided,
        "organisation": organisation,
        "outsiders": {
            "other referrer": ReferrerFactory(organisation=other_org),
            "other lead": LeadFactory(organisation=other_org),
            "other team's manager": staff("mash", TeamRole.MANAGER),
            "pending member": pending_person(organisation=organisation),
        },
    }


def test_a_worker_refused_the_answer_page_leaves_no_allowed_row(client, world):
    """One row per read: a worker of the team (not its manager) is refused the answer page, and
    the audit says refused only; before the fix a 'challenge.viewed' allowed row was written
    first, recording a look that never happened."""
    decided = world["decided"]
    challenge_raise(referral=decided, actor=world["referrer"], reason="Because", now=MONDAY)
    client.force_login(world["worker"])
    assert client.get(f"/challenges/referrals/{decided.pk}/answer/").status_code == 404
    rows = AuditEvent.objects.filter(action="challenge.viewed", referral_id=decided.pk,
                                     actor=world["worker"])
    assert [row.allowed for row in rows] == [False]


def test_outsiders_reach_no_challenge_worse_or_advice_page_and_change_nothing(client, world):
    decided = world["decided"]
    consultation = consultation_request(
        actor=world["referrer"], team=decided.team, question="Is this a concern?",
        urgency="soon", contact_phone="020 7525 5000", best_time="", now=MONDAY)
    urgent_before = decided.urgent
    for who, person in world["outsiders"].items():
        client.force_login(person)
        for url, data in [
            (f"/challenges/referrals/{decided.pk}/disagree/", {"reason": "No"}),
            (f"/challenges/referrals/{decided.pk}/answer/", {"upheld": "yes", "response": "Y"}),
            (f"/challenges/referrals/{decided.pk}/take-further/", {}),
            (f"/feedback/referrals/{decided.pk}/worse/", {"what_changed": "Worse"}),
            (f"/feedback/referrals/{decided.pk}/worse/done/", {}),
            (f"/advice/{consultation.pk}/", {"advice": "Refer", "convert": "1"}),
            (f"/referrals/{decided.pk}/pdf/", {}),
            (f"/handover/{decided.pk}/bundle.zip", {}),
        ]:
            for method in ("get", "post"):
                response = getattr(client, method)(url, data)
                assert response.status_code in (302, 403, 404, 405), (who, method, url,
                                                                      response.status_code)
                assert b"Is this a concern?" not in response.content, (who, url)
    decided.refresh_from_db()
    assert decided.urgent == urgent_before
    assert not Challenge.objects.filter(referral=decided).exists()
    assert Consultation.objects.get(pk=consultation.pk).state == "waiting"
    assert not ReferralEvent.objects.filter(referral=decided, kind="worsened").exists()


@pytest.mark.parametrize("status", ["closed", "withdrawn"])
def test_worse_and_a_challenge_on_a_finished_referral_are_clear_refusals(client, world, status):
    referrer = world["referrer"]
    referral = referral_with(referrer, status="submitted", received_at=MONDAY)
    if status == "closed":
        triage.decide(referral, Outcome.NOT_SAFEGUARDING, triage.worker(referral))
        send_pending()  # the feedback email goes, so the referral may be closed
    referral = triage.to_status(referral, status)
    client.force_login(referrer)
    response = client.post(f"/feedback/referrals/{referral.pk}/worse/",
                           {"what_changed": "Worse now"})
    assert response.status_code == 200 and "This referral is closed" in response.content.decode()
    response = client.post(f"/challenges/referrals/{referral.pk}/disagree/", {"reason": "No"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert not referral.urgent
    assert not ReferralEvent.objects.filter(referral=referral, kind="worsened").exists()
    assert Challenge.objects.filter(referral=referral).count() == (1 if status == "closed" else 0)


def test_a_second_challenge_while_one_runs_is_refused(client, world):
    decided, referrer = world["decided"], world["referrer"]
    lead = LeadFactory(organisation=world["organisation"])
    client.force_login(referrer)
    assert client.post(f"/challenges/referrals/{decided.pk}/disagree/",
                       {"reason": "One"}).status_code == 302
    client.force_login(lead)  # the lead, at the same time, on the same referral
    client.post(f"/challenges/referrals/{decided.pk}/disagree/", {"reason": "Two"})
    assert Challenge.objects.filter(referral=decided).count() == 1


def test_odd_input_on_the_new_forms_is_a_form_error_never_a_500(client, world):
    decided, referrer = world["decided"], world["referrer"]
    client.force_login(referrer)
    for text in ODD:
        for url, data in [
            (f"/challenges/referrals/{decided.pk}/disagree/", {"reason": text}),
            (f"/feedback/referrals/{decided.pk}/worse/", {"what_changed": text}),
            ("/advice/new/", {"team": text, "question": text, "urgency": text,
                              "contact_phone": text, "best_time": text}),
            ("/feedback/referrals/", {"q": text, "status": text}),
        ]:
            response = client.post(url, data)
            assert response.status_code in (200, 302), (url, repr(text[:5]),
                                                        response.status_code)
        for url in ("/feedback/referrals/", "/advice/", f"/feedback/referrals/{decided.pk}/"):
            response = client.get(url, {"page": text, "status": text, "q": text})
            assert response.status_code in (200, 302, 400), (url, response.status_code)
    assert not Challenge.objects.filter(referral=decided).exists()
    decided.refresh_from_db()
    assert not decided.urgent
    assert Referral.objects.filter(pk=decided.pk, status="concern_decided").exists()
    assert timezone.now()


# ---- the signed-in cache (portal/signed_in.py) must end access at once -----------------------

@pytest.fixture
def cache_on(settings):
    from django.core.cache import caches

    settings.SIGNED_IN_CACHE_SECONDS = 60
    settings.SESSION_ENGINE = "portal.session_store"
    caches["signed_in"].clear()
    yield settings
    caches["signed_in"].clear()


@pytest.mark.usefixtures("mfa_enforced", "cache_on")
@pytest.mark.parametrize("change", ["suspended", "role", "password", "sign_out"])
def test_the_cached_lead_loses_access_on_the_next_request(client, world, change):
    from django.test import Client

    from accounts.models import Membership, MembershipRole, MembershipStatus
    from tests.conftest import otp_login

    lead = LeadFactory(organisation=world["organisation"])
    otp_login(client, lead)
    other = Client()  # the same person in a second browser
    otp_login(other, lead)
    for browser in (client, other):
        assert browser.get("/feedback/organisation/").status_code == 200  # cached now
        assert browser.get("/feedback/organisation/").status_code == 200
    membership = Membership.objects.get(user=lead)
    if change == "suspended":  # as the Django admin does: a save
        membership.status = MembershipStatus.REFUSED  # no "suspended" status exists
        membership.save()
    elif change == "role":
        membership.role = MembershipRole.REFERRER
        membership.save()
    elif change == "password":
        lead.set_password("a new long passphrase 42")
        lead.save()
    else:
        client.post("/account/sign-out/")
    response = other.get("/feedback/organisation/")
    if change == "sign_out":  # signing out in one browser leaves the other one signed in
        assert response.status_code == 200
        assert client.get("/feedback/organisation/").status_code == 302
    else:
        assert response.status_code in (302, 403), change
        assert world["decided"].reference.encode() not in response.content


def test_the_pdf_being_prepared_page_is_audited_too(client, world, monkeypatch):
    """Every look at a referral is a row: the page that says the copy is being prepared (the
    worker has not rendered it yet) names the referral, so it is a look, allowed, audited."""
    from django.core.cache import caches

    from referrals import tasks

    caches["pdfs"].clear()
    monkeypatch.setattr(tasks.referral_pdf_render, "delay", lambda *args, **kwargs: None)
    decided, referrer = world["decided"], world["referrer"]
    client.force_login(referrer)
    response = client.get(f"/referrals/{decided.pk}/pdf/")
    assert response.status_code == 200 and b"is being prepared" in response.content
    assert AuditEvent.objects.filter(referral_id=decided.pk, actor=referrer, allowed=True,
                                     path=f"/referrals/{decided.pk}/pdf/").count() == 1
