"""Requests for advice: ask, the call-back clock, the team's queue, advice, a draft referral,
the sweep, who may do what; and the dashboard figure against hand-computed requests."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Team, TeamRole
from audit.models import AuditEvent
from consultations.models import ConsultationState
from consultations.services import (
    consultation_advise,
    consultation_convert,
    consultation_request,
)
from consultations.sweep import consultations_sweep
from core.vocabulary import Role
from dashboard.figures import SLUGS, Context
from dashboard.scope import Scope
from outbox.models import Notice
from referrals.access import OutOfScope
from tests.factories.accounts import LeadFactory, OrganisationFactory, ReferrerFactory, staff

pytestmark = pytest.mark.django_db
# Monday 2 November 2026 at 11:00 and 18:00 (GMT): same day 17:00, and Tuesday 17:00.
MORNING = datetime(2026, 11, 2, 11, 0, tzinfo=UTC)
EVENING = datetime(2026, 11, 2, 18, 0, tzinfo=UTC)


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Camberwell Day Centre", sector="voluntary")


@pytest.fixture
def referrer(organisation):
    return ReferrerFactory(organisation=organisation)


@pytest.fixture
def people():
    return {"worker": staff("oppd", TeamRole.TRIAGE), "manager": staff("oppd", TeamRole.MANAGER),
            "mash": staff("mash", TeamRole.TRIAGE)}


def ask(referrer, pathway="oppd", at=MORNING, urgency="today"):
    return consultation_request(actor=referrer, team=Team.objects.get(pathway=pathway),
                                question="Her carer shouts at her. Is that abuse?",
                                urgency=urgency, contact_phone="020 7525 0000", best_time="",
                                now=at)


def test_asking_gives_a_reference_and_a_same_working_day_call_back(referrer, people):
    morning, evening = ask(referrer), ask(referrer, at=EVENING)
    assert morning.reference.startswith("AD-") and morning.reference != evening.reference
    assert morning.due_at == datetime(2026, 11, 2, 17, 0, tzinfo=UTC)
    assert evening.due_at == datetime(2026, 11, 3, 17, 0, tzinfo=UTC)
    assert Notice.objects.filter(kind="consultation_staff", recipient=people["manager"]).count() == 4
    told = Notice.objects.filter(kind="consultation", recipient=referrer)
    assert told.count() == 4 and not told.filter(body__contains="carer").exists()
    assert AuditEvent.objects.filter(action="consultation.requested").count() == 2


def test_staff_cannot_ask_and_blank_questions_are_refused(people, referrer):
    with pytest.raises(OutOfScope):
        ask(people["worker"])
    with pytest.raises(ValidationError):
        consultation_request(actor=referrer, team=Team.objects.get(pathway="oppd"), question=" ",
                             urgency="today", contact_phone="020 7525 0000", best_time="",
                             now=MORNING)


def test_the_team_advises_and_only_the_team(referrer, people):
    consultation = ask(referrer)
    with pytest.raises(OutOfScope):
        consultation_advise(consultation=consultation, actor=people["mash"], advice="x",
                            now=MORNING)
    consultation_advise(consultation=consultation, actor=people["worker"],
                        advice="Yes: psychological abuse. Please refer.", now=MORNING)
    consultation.refresh_from_db()
    assert consultation.state == ConsultationState.ADVISED and consultation.called_back_in_time
    with pytest.raises(ValidationError):  # answered once
        consultation_advise(consultation=consultation, actor=people["worker"], advice="x",
                            now=MORNING)
    assert Notice.objects.filter(kind="consultation", recipient=referrer,
                                 dedupe_key__contains="advised").count() == 2


def test_converting_starts_a_draft_for_the_referrer_prefilled_from_the_question(referrer,
                                                                                people):
    consultation = consultation_convert(consultation=ask(referrer), actor=people["worker"],
                                        advice="This needs a referral.", now=MORNING)
    draft = consultation.draft
    assert draft.status == "draft" and draft.referrer == referrer and draft.urgent
    assert draft.answers["what_happened"] == "Her carer shouts at her. Is that abuse?"
    assert AuditEvent.objects.filter(action="consultation.converted", referral_id=draft.pk,
                                     actor=people["worker"]).exists()


def test_the_sweep_tells_the_managers_once_when_nobody_called_back(referrer, people):
    consultation = ask(referrer)
    assert consultations_sweep(now=consultation.due_at - timedelta(minutes=1)) == 0
    assert consultations_sweep(now=consultation.due_at + timedelta(minutes=1)) == 1
    assert consultations_sweep(now=consultation.due_at + timedelta(hours=1)) == 0
    assert Notice.objects.filter(kind="consultation_staff", recipient=people["manager"],
                                 dedupe_key__contains="missed").count() == 2


def test_pages_queue_and_access(client, referrer, organisation, people):
    client.force_login(referrer)
    home = client.get("/home/").content.decode()
    assert "/advice/new/" in home
    response = client.post("/advice/new/", {"question": "Worried", "urgency": "soon",
                                            "contact_phone": "12", "team": ""})
    page = response.content.decode()
    assert "Select the team you want advice from" in page and "Enter a phone number" in page
    assert "Worried" in page  # kept
    oppd = Team.objects.get(pathway="oppd")
    response = client.post("/advice/new/", {"question": "Worried", "urgency": "soon",
                                            "contact_phone": "020 7525 0000", "team": oppd.pk})
    assert response.status_code == 302
    detail = response["Location"]
    assert "Your request has been sent" in client.get(detail).content.decode()
    lead = LeadFactory(organisation=organisation)
    client.force_login(lead)
    assert client.get(detail).status_code == 200
    assert "AD-" in client.get("/advice/").content.decode()
    client.force_login(people["mash"])
    assert client.get(detail).status_code == 404
    assert client.post(detail, {"advice": "x", "advise": ""}).status_code == 404
    client.force_login(people["worker"])
    assert "Requests for advice (1 waiting)" in client.get("/triage/").content.decode()
    response = client.post(detail, {"advice": "", "advise": ""})
    assert "Enter the advice you gave" in response.content.decode()
    assert client.post(detail, {"advice": "Call Age UK.", "advise": ""}).status_code == 302
    client.force_login(referrer)
    assert "Call Age UK." in client.get(detail).content.decode()
    assert AuditEvent.objects.filter(action="consultation.viewed", allowed=False).count() == 2


def test_dashboard_counts_by_pathway_against_hand_computed_requests(referrer, people):
    """OPPD: advised in time, converted late, waiting. MASH: advised in time. One OPPD request
    from 14 months before is outside the 12-month window."""
    a, b, _waiting = ask(referrer), ask(referrer), ask(referrer)
    consultation_advise(consultation=a, actor=people["worker"], advice="x", now=MORNING)
    consultation_convert(consultation=b, actor=people["worker"], advice="x",
                         now=MORNING + timedelta(days=1))
    m = ask(referrer, "mash")
    consultation_advise(consultation=m, actor=people["mash"], advice="x", now=MORNING)
    ask(referrer, at=MORNING - timedelta(days=430))
    filters = {"grain": "month", "months": 12, "pathway": None, "sector": None,
               "category": None, "urgency": None}
    rows = SLUGS["consultations"](Context(scope=Scope(role=Role.COUNCIL_ADMIN), filters=filters,
                                          now=MORNING + timedelta(days=2))).rows
    assert rows == [
        ["Older people and physical disabilities (OPPD)", 3, 1, 1, 1, 1, 50.0],
        ["Children (MASH)", 1, 1, 0, 0, 1, 100.0],
        ["All pathways", 4, 2, 1, 1, 2, 200 / 3],
    ]
    manager = Scope(role=Role.TEAM_MANAGER, pathway="mash", team_name="MASH")
    assert SLUGS["consultations"](Context(scope=manager, filters=filters,
                                          now=MORNING + timedelta(days=2))).rows[0][1] == 1
