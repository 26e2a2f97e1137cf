"""A withdrawal, a merge or a closure before a decision ends the decision clock; it is not a
decision, so the dashboard never counts it as one made on time (issue 20). Everything here is
made by the real services: submitted through the forms, then withdrawn, merged, closed or
decided by the transition services, then read by the dashboard live and from its summaries."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.vocabulary import ClockEnd, Outcome, Role
from dashboard.figures import SLUGS, Context
from dashboard.refresh import summaries_rebuild
from dashboard.scope import Scope
from outbox.models import Notice
from outbox.send import notices_send_now
from pathways.models import Deadline
from referrals.services import referral_submit
from referrals.sweep import deadlines_sweep
from tests.factories.triage import CRITERIA_FOR
from tests.referrals.factories import complete_draft
from triage import transitions
from triage.transitions import Feedback

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
RECEIVED = datetime(2026, 4, 20, 10, 0, tzinfo=LONDON)  # Monday, a working day
ACTED = datetime(2026, 4, 20, 11, 0, tzinfo=LONDON)  # long before the 17:00 due time
NOW = datetime(2026, 4, 28, 12, 0, tzinfo=LONDON)  # every clock's due time has passed
TOLD = Feedback(outcome_text="Your referral was joined with another.", reason="Same person.")


def _submitted(referrer):
    draft = complete_draft(referrer, now=RECEIVED)
    return referral_submit(referral=draft, actor=referrer, submission_key=uuid.uuid4(),
                           now=RECEIVED)


def _figure(slug, *, summary):
    if summary:
        refresh = summaries_rebuild(now=NOW)
        # Incremental when the summaries were built before the referrals changed (PostgreSQL's
        # triggers record which changed); the ended clocks' facts must go then too.
        assert refresh.mode == ("incremental" if summary == "incremental" else "full")
    filters = {"grain": "month", "months": 3, "pathway": None, "sector": None,
               "category": None, "urgency": None}
    return SLUGS[slug](Context(scope=Scope(role=Role.COUNCIL_ADMIN), filters=filters, now=NOW,
                               use_summary=summary))


@pytest.fixture
def worker(staff_member):
    return staff_member("oppd")


@pytest.mark.parametrize("summary", [False, "full", "incremental"])
def test_withdrawn_merged_and_closed_referrals_are_not_decisions(referrer, worker, summary):
    withdrawn, merged, closed, decided = (_submitted(referrer) for _ in range(4))
    if summary == "incremental":  # summarised while every clock was still running
        summaries_rebuild(now=RECEIVED + timedelta(minutes=30))
    transitions.referral_withdraw(referral_id=withdrawn.pk, actor=referrer,
                                  reason="Sent for the wrong person.", now=ACTED)
    transitions.referral_merge(referral_id=merged.pk, actor=worker, other_id=decided.pk,
                               feedback=TOLD, reason="Same person.", now=ACTED)
    transitions.referral_close(referral_id=closed.pk, actor=worker, reason="Sent in error.",
                               feedback=Feedback(outcome_text="Closed.", reason="In error."),
                               told_by_phone=True, msp_outcome="not_asked", now=ACTED)
    transitions.referral_decide(referral_id=decided.pk, actor=worker,
                                outcome=Outcome.NOT_SAFEGUARDING, detail="signposted",
                                feedback=Feedback(outcome_text="Not a safeguarding concern.",
                                                  reason="No abuse or neglect.",
                                                  signposting="Age UK: 020 8690 3320."),
                                criteria=CRITERIA_FOR[Outcome.NOT_SAFEGUARDING], now=ACTED)

    # The worker sends the feedback notices that afternoon: the feedback clocks are met.
    notices_send_now(Notice.objects.values_list("pk", flat=True), now=ACTED)

    clocks = {d.referral_id: d for d in Deadline.objects.filter(kind="concern_decision")}
    for referral, why in ((withdrawn, ClockEnd.WITHDRAWN), (merged, ClockEnd.MERGED),
                          (closed, ClockEnd.CLOSED)):
        clock = clocks[referral.pk]
        assert (clock.cancelled_at, clock.cancelled_reason) == (ACTED, why.value)
    assert clocks[decided.pk].cancelled_at is None
    assert clocks[decided.pk].met_at == ACTED

    # Only the one real decision is counted: made, and on time.
    assert _figure("concern-decisions", summary=summary).rows[-1] == ["All periods", 1, 1, 100.0]
    # Ended clocks never breach: the sweep leaves them alone and no breach is open.
    deadlines_sweep(now=NOW)
    assert not Deadline.objects.filter(breached_at__isnull=False)
    assert _figure("open-breaches", summary=False).rows[-1][1] == 0  # always counted live


def test_a_referral_withdrawn_after_its_due_time_is_not_a_late_decision(referrer):
    """Withdrawn the next morning, after the 17:00 due time: not counted made, nor overdue."""
    referral = _submitted(referrer)
    transitions.referral_withdraw(referral_id=referral.pk, actor=referrer, reason="Not needed.",
                                  now=datetime(2026, 4, 21, 9, 30, tzinfo=LONDON))
    assert _figure("concern-decisions", summary=False).rows[-1] == ["All periods", 0, 0, None]
