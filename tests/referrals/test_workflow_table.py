"""Every allowed and every forbidden transition, per role, generated from the workflow table.

For each action (each decision outcome separately), each status, each pathway and each role
(the referrer, a triage worker and a manager of the referral's team, and a worker of another
team), the service either makes exactly the change the table says, with its event, audit row,
feedback and clocks, or refuses and writes nothing.
"""

import itertools
from datetime import date, timedelta

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm

from accounts.models import Team
from audit.models import AuditEvent
from core.vocabulary import Outcome, Status
from feedback.models import FeedbackRecord
from outbox.models import Notice
from pathways import deadlines
from pathways.models import Deadline
from referrals import workflow
from referrals.models import Referral, ReferralEvent
from referrals.workflow import ADULT, CHILD, Action
from tests.factories.triage import CRITERIA_FOR, LEVEL_FOR
from triage import transitions
from triage.transitions import Feedback

_numbers = itertools.count(1)


def referral_make(*, referrer, pathway, status="submitted", person_name="Margaret Ellison"):
    """A referral planted in `status` directly, with the rows submission would leave (the
    team's group granted view and triage, the first decision clock). Kept on purpose, unlike
    the rest of the suite's builders (tests.factories): this test asks every transition of
    every status on every pathway, including shapes no service path reaches (a rated adult
    referral, a merged one with nothing merged into it), because the services must refuse
    those too; and it needs ~3,500 referrals, minutes through the submission service."""
    team = Team.objects.get(pathway=pathway)
    referral = Referral.objects.create(
        reference=f"WT{next(_numbers):08d}", pathway=pathway, team=team, status=status,
        referrer=referrer, organisation=referrer.membership.organisation,
        person_name=person_name, person_dob=date(1941, 3, 27), person_postcode="SE5 8AA",
        categories=["neglect"], received_at=timezone.now() - timedelta(hours=1),
        answers={"what_happened": "Neighbour reports unopened post and no heating."})
    for perm in ("referrals.view_referral", "referrals.triage_referral"):
        assign_perm(perm, team.group, referral)
    kind = "mash_decision" if pathway == "mash" else "concern_decision"
    deadlines.deadline_open(referral=referral, kind=kind, starts=referral.received_at)
    return referral

FEEDBACK = Feedback(outcome_text="Not a safeguarding concern.", reason="No abuse or neglect.",
                    signposting="Age UK Lewisham and Southwark advice line.")

VARIANTS = [(a, "") for a in Action if a != Action.DECIDE] + [
    (Action.DECIDE, o) for o in Outcome.values
]
STATUSES = list(Status.values)
PATHWAYS = list(workflow.ALL_PATHWAYS)
ROLES = [workflow.REFERRER, workflow.TRIAGE, workflow.MANAGER, "other_team"]


def _kwargs(action, outcome, referral, other):
    if action == Action.DECIDE:
        details = workflow.OUTCOME_DETAILS.get(outcome, ())
        # Issue 15 item 6: an adult decision records the three section 42 criteria, a MASH
        # decision the level of need (the service refuses either missing).
        return {"outcome": outcome, "detail": details[0] if details else "",
                "feedback": FEEDBACK,
                "criteria": CRITERIA_FOR.get(outcome) if referral.pathway in ADULT else None,
                "need_level": LEVEL_FOR.get(outcome) if referral.pathway in CHILD else None}
    return {
        Action.RAG_RATE: {"rating": "amber"},
        Action.INFO_REQUEST: {"question": "Does she live alone?"},
        Action.INFO_RECEIVE: {"information": "Yes, since 2019."},
        Action.REROUTE: {"pathway": "mash" if referral.pathway != "mash" else "oppd",
                         "reason": "Wrong front door."},
        Action.PLAN: {"reason": "Enquiry complete."},
        # Issue 15 item 7: an adult's closure says whether their desired outcomes were achieved.
        Action.CLOSE: {"reason": "Nothing more to do.", "feedback": FEEDBACK,
                       "msp_outcome": "partly" if referral.pathway in ADULT else ""},
        Action.WITHDRAW: {"reason": "Sent in error."},
        Action.LINK: {"other_id": other.pk},
        Action.MERGE: {"other_id": other.pk, "feedback": FEEDBACK},
    }[action]


@pytest.fixture
def people(staff_member):
    """people(role, pathway): made on first use (users are the slow part of each case)."""
    made = {}

    def get(role, pathway):
        if (role, pathway) not in made:
            made[role, pathway] = staff_member(
                pathway, role="manager" if role == workflow.MANAGER else "triage")
        return made[role, pathway]

    return get


def _actor(role, referral, people, referrer):
    if role == workflow.REFERRER:
        return referrer
    if role == "other_team":
        return people(workflow.TRIAGE, "oppd" if referral.pathway == "mash" else "mash")
    return people(role, referral.pathway)


def _expected_target(row, status):
    if row.target == workflow.PREVIOUS:
        return Status.SUBMITTED  # no earlier request on the timeline
    if row.target == workflow.SAME:
        return status
    return row.target


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("pathway", PATHWAYS)
@pytest.mark.parametrize("action,outcome", VARIANTS, ids=[f"{a}-{o}" if o else a
                                                          for a, o in VARIANTS])
def test_every_transition_per_role(action, outcome, pathway, role, people, referrer):
    other = referral_make(referrer=referrer, pathway=pathway, person_name="Other Person")
    rows = {}
    for status in STATUSES:
        rows[status] = referral_make(referrer=referrer, pathway=pathway, status=status)
    for status, referral in rows.items():
        actor = _actor(role, referral, people, referrer)
        table_role = role if role != "other_team" else None
        row = (workflow.transition_find(action=action, status=status, pathway=pathway,
                                        outcome=outcome, role=table_role)
               if table_role else None)
        events = ReferralEvent.objects.filter(referral=referral).count()
        audits = AuditEvent.objects.filter(referral_id=referral.pk).count()
        records = FeedbackRecord.objects.filter(referral=referral).count()
        service = transitions.SERVICES[action]
        kwargs = _kwargs(action, outcome, referral, other)
        if row is None:
            with pytest.raises(transitions.TransitionError):
                service(referral_id=referral.pk, actor=actor, **kwargs)
            referral.refresh_from_db()
            assert referral.status == status, (action, status, role)
            assert ReferralEvent.objects.filter(referral=referral).count() == events
            assert AuditEvent.objects.filter(referral_id=referral.pk).count() == audits
            assert FeedbackRecord.objects.filter(referral=referral).count() == records
            continue
        running = (list(Deadline.objects.open().filter(referral=referral, kind__in=row.ends)
                        .values_list("pk", flat=True)) if row else [])
        service(referral_id=referral.pk, actor=actor, **kwargs)
        referral.refresh_from_db()
        assert referral.status == _expected_target(row, status), (action, status, role)
        event = ReferralEvent.objects.filter(referral=referral).latest("id")
        assert (event.kind, event.from_status, event.to_status, event.actor_id) == (
            workflow.EVENT_KIND[action], status, referral.status, actor.pk)
        assert event.visible_to_referrer == row.visible_to_referrer
        # Exactly one audit row for the change, naming its timeline event (referrals.record).
        assert AuditEvent.objects.filter(referral_id=referral.pk, detail__event=event.pk).count() == 1
        assert AuditEvent.objects.filter(referral_id=referral.pk,
                                         action=workflow.audit_action(action),
                                         actor=actor, detail__event=event.pk).exists()
        if row.feedback_required:
            record = FeedbackRecord.objects.filter(referral=referral).latest("id")
            assert record.outcome_text == FEEDBACK.outcome_text
            assert Notice.objects.filter(referral=referral, kind__startswith="feedback:",
                                         recipient=referrer).exists()
        for kind in row.opens:
            assert Deadline.objects.open().filter(referral=referral, kind=kind).exists(), kind
        for kind in row.meets:
            assert not Deadline.objects.open().filter(referral=referral, kind=kind).exists(), kind
        # Ended, not met: a withdrawal, merge or closure is never a decision (issue 20).
        for clock in Deadline.objects.filter(pk__in=running):
            assert (clock.met_at, clock.cancelled_reason) == (clock.cancelled_at,
                                                              row.ended_because), clock.kind


def test_the_table_allows_and_forbids_something_for_every_role():
    """Guards the generated test against a table that allows nothing (or everything)."""
    cases = [(a, o, s, p, r) for a, o in VARIANTS for s in STATUSES for p in PATHWAYS
             for r in workflow.ROLES]
    allowed = [c for c in cases if workflow.transition_find(
        action=c[0], outcome=c[1], status=c[2], pathway=c[3], role=c[4])]
    assert 150 < len(allowed) < len(cases) / 4
    for role in workflow.ROLES:
        assert any(c[4] == role for c in allowed)


def test_table_is_consistent():
    """Each row names real statuses, roles and pathways; no two rows overlap for the same role
    (a lookup would otherwise depend on the order of the table)."""
    seen = set()
    for row in workflow.TRANSITIONS:
        assert set(row.sources) <= set(Status.values)
        assert row.target in (*Status.values, workflow.PREVIOUS, workflow.SAME)
        assert set(row.roles) <= set(workflow.ROLES)
        assert set(row.pathways) <= set(workflow.ALL_PATHWAYS)
        for key in ((row.action, s, p, row.outcome, r) for s in row.sources
                    for p in row.pathways for r in row.roles):
            assert key not in seen, key
            seen.add(key)


def test_every_decision_owes_feedback_and_finished_statuses_lead_nowhere():
    for row in workflow.TRANSITIONS:
        if row.action == Action.DECIDE:
            assert row.feedback_required and "feedback" in row.opens
        assert not set(row.sources) & set(Status.finished())
        assert Status.DRAFT not in row.sources
