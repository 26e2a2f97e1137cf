"""Parallel duties on a referral (issue 16, part 4) and the Emergency Duty Team out of hours
(issue 15, item 4): the risk checklist step, the prompts the referrer reads, the staff
checklist opened at submission and recorded through the record writer, the access policy, and
the dashboard's counts. Every referral is made through the services (tests/factories)."""

import uuid
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import TeamRole
from audit.models import AuditEvent
from core.vocabulary import Role
from dashboard.figures.context import Context
from dashboard.figures.duties import duties_by_kind
from dashboard.scope import Scope
from outbox.models import Notice
from referrals import services, steps
from referrals.access import OutOfScope
from referrals.models import DutyState, ReferralDuty, ReferralEvent
from referrals.services.duties import referral_duty_record
from tests.factories.accounts import OrganisationFactory, ReferrerFactory, staff
from tests.factories.referrals import complete_draft, referral_submit, risk_answers

pytestmark = pytest.mark.django_db
TUESDAY_NOON = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
SATURDAY_NIGHT = datetime(2026, 11, 7, 22, 0, tzinfo=UTC)
CHRISTMAS_DAY = datetime(2026, 12, 25, 11, 0, tzinfo=UTC)

DOMESTIC = {"concern": {"categories": ["domestic", "physical"]}}


@pytest.fixture
def referrer():
    return ReferrerFactory(organisation=OrganisationFactory(name="Camberwell Day Centre",
                                                            sector="voluntary"))


def da(yes: int, judgement: str = "no") -> dict:
    return {**DOMESTIC, "risk-checklist": risk_answers(yes, judgement=judgement)}


def duty_keys(referral) -> list[str]:
    return list(referral.duties.values_list("duty__key", flat=True))


# --- The risk checklist step ------------------------------------------------------------------

def test_the_checklist_step_applies_only_when_domestic_abuse_is_selected(referrer):
    plain = complete_draft(referrer)
    assert "risk-checklist" not in [s.key for s in steps.steps_for(plain)]
    adult = complete_draft(referrer, overrides=da(0))
    child = complete_draft(referrer, child=True,
                           overrides={"concern": {"categories": ["domestic_abuse"]}})
    for draft in (adult, child):
        keys = [s.key for s in steps.steps_for(draft)]
        assert keys.index("risk-checklist") == keys.index("concern") + 1


def test_each_question_needs_an_answer_and_keeps_the_others(referrer):
    draft = complete_draft(referrer, overrides=da(0))
    form = steps.BY_KEY["risk-checklist"].form({"risk_1": "yes"}, referral=draft)
    assert not form.is_valid()
    assert form.errors["risk_2"] == ["Select yes, no or not known for question 2"]
    assert form.errors["risk_judgement"] == ["Select yes if you judge the person to be at high "
                                             "risk"]
    assert form["risk_1"].value() == "yes"


# --- The staff checklist opened at submission ---------------------------------------------------

@pytest.mark.parametrize("yes, judgement, marac", [
    (13, "no", False), (14, "no", True), (2, "yes", True)])
def test_marac_from_the_score_threshold_or_judgement(referrer, yes, judgement, marac):
    referral = referral_submit(referrer, now=TUESDAY_NOON, overrides=da(yes, judgement))
    assert ("marac" in duty_keys(referral)) is marac
    submitted = AuditEvent.objects.get(referral_id=referral.pk, action="referral.submitted")
    assert submitted.detail.get("duties", []) == (["marac"] if marac else [])


def test_a_routine_referral_triggers_nothing(referrer):
    assert duty_keys(referral_submit(referrer, now=TUESDAY_NOON)) == []


def test_prevent_nrm_and_private_fostering_for_a_child(referrer):
    referral = referral_submit(referrer, child=True, now=TUESDAY_NOON, overrides={
        "concern": {"categories": ["radicalisation", "criminal_exploitation"]},
        "child": {"private_fostering": "yes"}})
    assert duty_keys(referral) == ["prevent", "nrm", "private-fostering"]
    pending = referral.duties.get(duty__key="private-fostering")
    assert pending.state == DutyState.PENDING and "28 days" in pending.reason


def test_modern_slavery_for_an_adult(referrer):
    referral = referral_submit(referrer, now=TUESDAY_NOON,
                               overrides={"concern": {"categories": ["modern_slavery"]}})
    assert duty_keys(referral) == ["nrm"]


def test_prevent_for_an_adult(referrer):
    referral = referral_submit(referrer, now=TUESDAY_NOON,
                               overrides={"concern": {"categories": ["radicalisation"]}})
    assert duty_keys(referral) == ["prevent"]
    assert referral.duties.get().reason == "category selected: radicalisation"


# --- The Emergency Duty Team out of hours (issue 15, item 4) -------------------------------------

@pytest.mark.parametrize("now, edt", [
    (TUESDAY_NOON, False), (SATURDAY_NIGHT, True), (CHRISTMAS_DAY, True),
    (datetime(2026, 11, 3, 17, 0, tzinfo=UTC), True),      # 5pm: closed
    (datetime(2026, 11, 3, 16, 59, tzinfo=UTC), False),
])
def test_an_urgent_referral_out_of_hours_emails_the_edt(referrer, settings, now, edt):
    settings.EMERGENCY_DUTY_TEAM_EMAIL = "edt@council.example.gov.uk"
    referral = referral_submit(referrer, urgent=True, now=now,
                               person_name="Mary Example", what_happened="Money goes missing.")
    notices = Notice.objects.filter(referral=referral, kind="urgent_referral_edt")
    assert notices.exists() is edt
    assert ("edt" in duty_keys(referral)) is edt
    for notice in notices:
        assert notice.recipient_email == "edt@council.example.gov.uk"
        assert referral.reference in notice.body
        assert "Mary" not in notice.body + notice.subject
        assert "Money" not in notice.body


def test_a_routine_referral_out_of_hours_does_not(referrer, settings):
    settings.EMERGENCY_DUTY_TEAM_EMAIL = "edt@council.example.gov.uk"
    referral = referral_submit(referrer, now=SATURDAY_NIGHT)
    assert not Notice.objects.filter(referral=referral, kind="urgent_referral_edt").exists()
    assert duty_keys(referral) == []


def test_the_confirmation_says_honestly_who_was_told(client, referrer, settings):
    settings.EMERGENCY_DUTY_TEAM_EMAIL = "edt@council.example.gov.uk"
    staff("oppd", TeamRole.MANAGER)
    client.force_login(referrer)
    late = referral_submit(referrer, urgent=True, now=SATURDAY_NIGHT)
    page = client.get(f"/referrals/{late.pk}/sent/").content.decode()
    assert "the Emergency Duty Team has been emailed" in page
    assert "will see it at 9am on Monday 9 November 2026" in page
    assert "manager has been told" in page
    in_hours = referral_submit(referrer, urgent=True, now=TUESDAY_NOON)
    page = client.get(f"/referrals/{in_hours.pk}/sent/").content.decode()
    assert "Emergency Duty Team" not in page and "phone the team today" in page


def test_without_an_edt_address_or_a_manager_it_does_not_claim_them(client, referrer, settings):
    settings.EMERGENCY_DUTY_TEAM_EMAIL = ""
    client.force_login(referrer)
    late = referral_submit(referrer, urgent=True, now=SATURDAY_NIGHT)
    page = client.get(f"/referrals/{late.pk}/sent/").content.decode()
    assert "could not be emailed" in page and "has been emailed" not in page
    assert "manager has been told" not in page and "at the top of the" in page


@pytest.mark.parametrize("address", ["edt@council.example.gov.uk", ""])
def test_check_your_answers_says_the_edt_is_emailed_only_when_it_can_be(
        client, referrer, settings, monkeypatch, address):
    settings.EMERGENCY_DUTY_TEAM_EMAIL = address
    client.force_login(referrer)
    draft = complete_draft(referrer, urgent=True)
    with monkeypatch.context() as late:
        late.setattr(timezone, "now", lambda: SATURDAY_NIGHT)
        check = client.get(f"/referrals/{draft.pk}/check/").content.decode()
        after = client.get(f"/referrals/{draft.pk}/"
                           f"{steps.step_after(draft, 'urgency').key}/").content.decode()
    for page in (check, after):
        assert "Emergency Duty Team" in page
        if address:
            assert "Emergency Duty Team is emailed" in page and "could not" not in page
        else:
            assert "is emailed" not in page
            assert "cannot be emailed" in page and "phone them" in page


# --- What the referrer reads ------------------------------------------------------------------

def test_the_prompts_on_the_next_step_check_answers_and_confirmation(client, referrer):
    client.force_login(referrer)
    draft = complete_draft(referrer, overrides=da(15))
    after = client.get(f"/referrals/{draft.pk}/concern-details/").content.decode()
    assert "MARAC referral (high-risk domestic abuse)" in after
    assert "set by the council" in after  # no invented phone number
    elsewhere = client.get(f"/referrals/{draft.pk}/adult/").content.decode()
    assert "MARAC referral" not in elsewhere  # once, after the answer, not on every page
    check = client.get(f"/referrals/{draft.pk}/check/").content.decode()
    assert "When you send this referral" in check and "MARAC referral" in check
    assert "Number of ‘yes’ answers" in check and "15 of 24" in check
    referral = services.referral_submit(referral=draft, actor=referrer,
                                        submission_key=uuid.uuid4())
    sent = client.get(f"/referrals/{referral.pk}/sent/").content.decode()
    assert "What else you need to do" in sent and "MARAC referral" in sent


def test_no_prompt_without_a_trigger(client, referrer):
    client.force_login(referrer)
    draft = complete_draft(referrer, overrides=da(3))
    assert "What else you need to do" not in client.get(
        f"/referrals/{draft.pk}/concern-details/").content.decode()


# --- Staff record each duty ------------------------------------------------------------------

@pytest.fixture
def marac_referral(referrer):
    return referral_submit(referrer, now=TUESDAY_NOON, overrides=da(16))


def test_staff_record_done_through_the_record_writer(marac_referral):
    worker = staff("oppd")
    item = marac_referral.duties.get()
    referral_duty_record(referral=marac_referral, duty_id=item.pk, actor=worker,
                         state=DutyState.DONE, note="Referred by the IDVA service")
    item.refresh_from_db()
    assert (item.state, item.recorded_by, item.note) == (DutyState.DONE, worker,
                                                         "Referred by the IDVA service")
    event = ReferralEvent.objects.get(referral=marac_referral, kind="duty_recorded")
    assert not event.visible_to_referrer
    audit = AuditEvent.objects.get(referral_id=marac_referral.pk,
                                   action="referral.duty_recorded")
    assert audit.detail["duty"] == "marac" and audit.detail["state"] == "done"
    assert "IDVA" not in str(audit.detail)  # the note stays on the staff's record only


def test_not_needed_needs_a_reason_and_a_bad_state_is_refused(marac_referral):
    worker = staff("oppd")
    item = marac_referral.duties.get()
    for state, note in ((DutyState.NOT_NEEDED, "  "), ("pending", "x"), ("nonsense", "x"),
                        (DutyState.DONE, "x" * 501)):
        with pytest.raises(ValidationError):
            referral_duty_record(referral=marac_referral, duty_id=item.pk, actor=worker,
                                 state=state, note=note)
    item.refresh_from_db()
    assert item.state == DutyState.PENDING
    assert not ReferralEvent.objects.filter(kind="duty_recorded").exists()
    referral_duty_record(referral=marac_referral, duty_id=item.pk, actor=worker,
                         state=DutyState.NOT_NEEDED, note="Already at MARAC last month")
    item.refresh_from_db()
    assert item.state == DutyState.NOT_NEEDED


def test_out_of_scope_changes_nothing(marac_referral, referrer):
    item = marac_referral.duties.get()
    for outsider in (staff("mental-health"), staff("mash", TeamRole.MANAGER), referrer):
        with pytest.raises(OutOfScope):
            referral_duty_record(referral=marac_referral, duty_id=item.pk, actor=outsider,
                                 state=DutyState.DONE)
    other = referral_submit(referrer, now=TUESDAY_NOON, overrides=da(20))
    with pytest.raises(ReferralDuty.DoesNotExist):  # a duty of another referral
        referral_duty_record(referral=marac_referral, duty_id=other.duties.get().pk,
                             actor=staff("oppd"), state=DutyState.DONE)
    assert set(ReferralDuty.objects.values_list("state", flat=True)) == {DutyState.PENDING}
    assert not ReferralEvent.objects.filter(kind="duty_recorded").exists()


def test_the_staff_page_shows_and_records_the_checklist(client, marac_referral):
    worker = staff("oppd")
    client.force_login(worker)
    url = f"/triage/referral/{marac_referral.pk}/"
    page = client.get(url).content.decode()
    assert 'data-testid="duty-checklist"' in page and "MARAC referral" in page
    assert "risk checklist: 16 &#x27;yes&#x27; answers (threshold 14)" in page
    item = marac_referral.duties.get()
    response = client.post(f"{url}duty/{item.pk}/", {"state": "not_needed", "note": ""},
                           follow=True)
    assert "Enter why it is not needed" in response.content.decode()
    client.post(f"{url}duty/{item.pk}/", {"state": "done", "note": "Sent to MARAC"})
    item.refresh_from_db()
    assert item.state == DutyState.DONE


def test_a_refused_recording_shows_the_page_again_with_what_was_typed(client, marac_referral):
    client.force_login(staff("oppd"))
    item = marac_referral.duties.get()
    url = f"/triage/referral/{marac_referral.pk}/duty/{item.pk}/"
    response = client.post(url, {"state": "not_needed", "note": "   "})
    assert response.status_code == 200  # no redirect: the page again, never a 500
    page = response.content.decode()
    assert "<title>Error: " in page and 'data-testid="duty-errors"' in page
    assert f'<a href="#duty-{item.pk}-note">Enter why it is not needed</a>' in page
    assert f'id="duty-{item.pk}-note-error"' in page
    assert f'id="duty-{item.pk}-not_needed" name="state" type="radio" value="not_needed" checked' \
        in page
    response = client.post(url, {"state": "", "note": "Spoke to the IDVA"})
    page = response.content.decode()
    assert f'<a href="#duty-{item.pk}-done">Select done or not needed</a>' in page
    assert 'value="Spoke to the IDVA"' in page
    item.refresh_from_db()
    assert item.state == DutyState.PENDING and item.note == ""
    assert AuditEvent.objects.filter(referral_id=marac_referral.pk, action="referral.viewed",
                                     detail__page="duty").count() == 2


def test_another_teams_staff_get_a_404_and_the_refusal_is_audited(client, marac_referral):
    outsider = staff("mental-health")
    client.force_login(outsider)
    item = marac_referral.duties.get()
    response = client.post(f"/triage/referral/{marac_referral.pk}/duty/{item.pk}/",
                           {"state": "done"})
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.state == DutyState.PENDING
    assert AuditEvent.objects.filter(referral_id=marac_referral.pk, actor=outsider,
                                     allowed=False).exists()


# --- The dashboard ---------------------------------------------------------------------------

def test_the_dashboard_counts_duties_by_state(referrer):
    worker = staff("oppd")
    first = referral_submit(referrer, now=TUESDAY_NOON, overrides=da(14))
    second = referral_submit(referrer, now=TUESDAY_NOON, overrides={
        "concern": {"categories": ["domestic", "modern_slavery"]},
        "risk-checklist": risk_answers(0, judgement="yes")})
    referral_submit(referrer, now=TUESDAY_NOON, overrides=da(1))  # nothing triggered
    referral_duty_record(referral=first, duty_id=first.duties.get().pk, actor=worker,
                         state=DutyState.DONE)
    referral_duty_record(referral=second, duty_id=second.duties.get(duty__key="nrm").pk,
                         actor=worker, state=DutyState.NOT_NEEDED, note="Already notified")
    ctx = Context(scope=Scope(role=Role.COUNCIL_ADMIN), now=datetime(2026, 11, 10, tzinfo=UTC),
                  filters={"months": 12, "grain": "month"})
    table = duties_by_kind(ctx)
    # Hand-computed: MARAC twice (one done, one waiting); NRM once (not needed).
    assert table.rows == [
        ["MARAC referral (high-risk domestic abuse)", 2, 1, 0, 1],
        ["Modern slavery: duty to notify / National Referral Mechanism", 1, 0, 1, 0],
        ["All duties", 3, 1, 1, 1],
    ]
