"""Raise, answer, take further, and the sweep that passes an unanswered stage on."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from challenges.models import ChallengeState, StepEnd
from challenges.services import challenge_answer, challenge_raise, challenge_take_further
from challenges.sweep import challenges_sweep
from outbox.models import Channel, Notice
from referrals.access import OutOfScope
from referrals.models import ReferralEvent
from tests.factories.accounts import OrganisationFactory, ReferrerFactory
from tests.factories.referrals import referral_with

from .conftest import MONDAY

RAISED = MONDAY + timedelta(hours=1)
# 5 working days from Monday 2 November: 17:00 on Monday 9 November (GMT).
DUE_1 = datetime(2026, 11, 9, 17, 0, tzinfo=UTC)


def _notices(**filters):
    return Notice.objects.filter(**filters)


def test_raising_starts_the_first_stage_clock_and_tells_the_managers_and_referrer(
        decided, referrer, manager):
    challenge = challenge_raise(referral=decided, actor=referrer, reason="  She is not safe.  ",
                                now=RAISED)
    assert challenge.state == ChallengeState.AWAITING and challenge.level == 1
    assert challenge.due_at == DUE_1
    step = challenge.steps.get()
    assert (step.tier_name, step.due_at) == ("Team manager", DUE_1)
    event = ReferralEvent.objects.get(referral=decided, kind="challenge_raised")
    assert event.reason == "She is not safe." and event.visible_to_referrer
    assert AuditEvent.objects.filter(action="challenge.raised", referral_id=decided.pk).count() == 1
    staff_notices = _notices(kind="challenge_staff", recipient=manager)
    assert sorted(n.channel for n in staff_notices) == [Channel.EMAIL, Channel.PORTAL]
    mine = _notices(kind="challenge", recipient=referrer)
    assert sorted(n.channel for n in mine) == [Channel.EMAIL, Channel.PORTAL]
    # Emails carry general words only: never the referrer's reason.
    assert not Notice.objects.filter(body__contains="not safe").exists()
    assert "5pm on Monday 9 November 2026" in mine.first().body


def test_the_organisation_lead_may_challenge_and_both_are_told(decided, lead, referrer, manager):
    challenge_raise(referral=decided, actor=lead, reason="We disagree.", now=RAISED)
    assert {n.recipient for n in _notices(kind="challenge")} == {lead, referrer}


@pytest.mark.parametrize("case", ["undecided", "outsider", "twice", "blank"])
def test_refusals(case, referrer, decided, manager):
    referral, actor, reason = decided, referrer, "Why"
    if case == "undecided":
        referral = referral_with(referrer, received_at=MONDAY)
    elif case == "outsider":
        actor = ReferrerFactory(organisation=OrganisationFactory(name="Other", sector="health"))
    elif case == "twice":
        challenge_raise(referral=decided, actor=referrer, reason="First", now=RAISED)
    elif case == "blank":
        reason = "   "
    before = ReferralEvent.objects.filter(kind="challenge_raised").count()
    with pytest.raises(OutOfScope if case == "outsider" else ValidationError):
        challenge_raise(referral=referral, actor=actor, reason=reason, now=RAISED)
    assert ReferralEvent.objects.filter(kind="challenge_raised").count() == before


def test_a_manager_answers_and_the_referrer_may_take_it_further(decided, referrer, manager,
                                                                 worker):
    challenge = challenge_raise(referral=decided, actor=referrer, reason="Why", now=RAISED)
    with pytest.raises(OutOfScope):  # a triage worker does not answer for the manager
        challenge_answer(challenge=challenge, actor=worker, upheld=False, response="No",
                         now=RAISED)
    answered = RAISED + timedelta(days=1)
    step = challenge_answer(challenge=challenge, actor=manager, upheld=False,
                            response="We looked again: the decision stands.", now=answered)
    assert step.end == StepEnd.ANSWERED and step.responded_by == manager
    challenge.refresh_from_db()
    assert challenge.state == ChallengeState.ANSWERED and challenge.due_at is None
    told = _notices(kind="challenge", recipient=referrer, dedupe_key__contains=":answered:1")
    assert told.count() == 2 and not told.filter(body__contains="We looked again").exists()
    further = answered + timedelta(hours=2)
    step = challenge_take_further(challenge=challenge, actor=referrer, now=further)
    assert (step.level, step.tier_name) == (2, "Head of service")
    challenge.refresh_from_db()
    assert challenge.state == ChallengeState.AWAITING and challenge.level == 2
    assert challenge.due_at == datetime(2026, 11, 10, 17, 0, tzinfo=UTC)
    challenge_answer(challenge=challenge, actor=manager, upheld=True,
                     response="The head of service asked the team to look again.",
                     now=further + timedelta(days=1))
    challenge.refresh_from_db()
    assert challenge.state == ChallengeState.UPHELD and challenge.finished_at is not None
    with pytest.raises(ValidationError):
        challenge_take_further(challenge=challenge, actor=referrer, now=further)


def test_the_sweep_passes_an_unanswered_stage_on_once_and_stops_at_the_last(decided, referrer,
                                                                             manager):
    challenge = challenge_raise(referral=decided, actor=referrer, reason="Why", now=RAISED)
    assert challenges_sweep(now=DUE_1 - timedelta(minutes=1)) == {
        "passed_on": 0, "last_tier_overdue": 0}
    late = DUE_1 + timedelta(minutes=1)
    assert challenges_sweep(now=late)["passed_on"] == 1
    assert challenges_sweep(now=late)["passed_on"] == 0  # safe to run twice
    challenge.refresh_from_db()
    assert challenge.level == 2
    first = challenge.steps.get(level=1)
    assert first.end == StepEnd.UNANSWERED and first.ended_at == late
    escalated = ReferralEvent.objects.get(referral=decided, kind="challenge_escalated")
    assert escalated.visible_to_referrer and escalated.actor is None
    assert "did not answer" in escalated.reason and "head of service" in escalated.reason
    assert _notices(kind="challenge", recipient=referrer,
                    dedupe_key__contains=":level:2").count() == 2
    # Stage 3 (the board's route), then nothing further: the managers are told once.
    challenges_sweep(now=challenge.due_at + timedelta(minutes=1))
    challenge.refresh_from_db()
    assert challenge.level == 3 and "Safeguarding Adults Board" in challenge.steps.last().tier_name
    end = challenge.due_at + timedelta(minutes=1)
    assert challenges_sweep(now=end) == {"passed_on": 0, "last_tier_overdue": 1}
    assert challenges_sweep(now=end + timedelta(hours=1)) == {
        "passed_on": 0, "last_tier_overdue": 0}
    challenge.refresh_from_db()
    assert challenge.breached_at == end and challenge.state == ChallengeState.AWAITING
    assert _notices(kind="challenge_staff", recipient=manager,
                    dedupe_key__contains=":overdue").count() == 2


def test_a_childrens_challenge_ends_at_the_partnership(referrer, decided):
    child = referral_with(referrer, pathway="mash", status="mash_decided", received_at=MONDAY)
    challenge = challenge_raise(referral=child, actor=referrer, reason="Why", now=RAISED)
    for _ in range(2):
        challenges_sweep(now=challenge.due_at + timedelta(minutes=1))
        challenge.refresh_from_db()
    assert "Safeguarding Children Partnership" in challenge.steps.last().tier_name
