"""The promise as a state machine (issue 13, part 6): "no referral goes into the void".

Hypothesis drives random sequences of real actions through the services the pages call
(submit adult, child, urgent or linked referrals; claim; decide with and without consent or
with detail withheld; request, add and record information; re-route; link and merge; pause and
resume clocks; RAG rate and re-rate; feedback by phone; plan; close; withdraw; internal notes;
the deadline sweep at random times; the outbox worker sending) by random people, in and out of
scope, and after every step checks:

1. no referral is closed while feedback owed to any of its referrers is neither sent nor
   recorded;
2. a referrer's pages, emails and notices (and at the end of each example their PDFs and the
   lead's CSVs) never contain text from an internal field, nor staff's words when consent was
   refused or detail withheld (every internal field holds its own marker);
3. an action by someone outside scope is refused and changes nothing;
4. every staff read of a referral and every change writes exactly one audit row for it, with
   an enumerated action;
5. every warning and breach is notified exactly once (and each email sent once);
6. every status reached is reachable in referrals/workflow.py, by the edge the action names.

Time is a parameter: the machine keeps its own clock, passes `now` to every service, and moves
it on by random amounts when the sweep runs. The examples are derandomized (a fixed seed) so
CI runs the same 200 sequences every time; PROMISE_EXAMPLES=2000 runs more (see
docs/testing.md).
"""

from __future__ import annotations

import os
import re
import uuid
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, Phase, settings
from hypothesis import event as note_event
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from audit.models import AuditEvent
from challenges.models import Challenge, ChallengeState
from challenges.services import challenge_answer, challenge_raise
from core.vocabulary import AuditAction as A
from feedback.followup import referral_follow_up_pass
from feedback.models import FeedbackRecord
from feedback.services import feedback_give_by_phone
from feedback.updates import referral_information_add
from feedback.worse import referral_worsen
from outbox.models import Channel, Notice, NoticeStatus
from outbox.send import notices_send_now
from pathways.deadlines import ClockError, deadline_pause, deadline_resume
from pathways.models import Deadline
from referrals import services, workflow
from referrals.consent import named_contact_allowed
from referrals.models import Referral
from referrals.sweep import PICKUP_ALERT, deadlines_sweep
from referrals.workflow import CHILD, PREVIOUS, SAME, Action, Status
from tests.factories.triage import CRITERIA_FOR, LEVEL_FOR
from triage import transitions
from triage.services import note_add, referral_claim
from triage.transitions import Feedback, TransitionError, TransitionForbidden

from . import audit_actions
from .world import (
    EDGES,
    KINDS,
    REACHABLE,
    World,
    audit_since,
    body_text,
    markers_in,
    snapshot,
    world_build,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
NAMED_CONTACT = re.compile(r'<div id="named-contact">.*?</div>', re.S)

EXAMPLES = int(os.environ.get("PROMISE_EXAMPLES", "200"))
STEPS = int(os.environ.get("PROMISE_STEPS", "12"))
LONDON = ZoneInfo("Europe/London")
# A Monday morning with no bank holiday near it; the machine's clock starts here.
START = datetime(2027, 3, 1, 9, 30, tzinfo=LONDON)

REFUSED = (TransitionError, PermissionDenied, ValidationError, ClockError)
# Consequences of a change on the referral's clocks: their own audit rows (pathways.deadlines),
# not a second row for the change.
CLOCK_ROWS = {A.DEADLINE_MET, A.DEADLINE_OPENED, A.DEADLINE_CANCELLED, A.DEADLINE_REROUTED}
MAX_REFERRALS = 4
AWAITING = workflow.AWAITING_CHILD
DECIDED = (Status.CONCERN_DECIDED, Status.ENQUIRY, Status.PLAN_REVIEW, Status.MASH_DECIDED,
           Status.MERGED)
STATS: Counter = Counter()  # what the examples did; printed at the end (pytest -s)
PHASES = (Phase.explicit, Phase.reuse, Phase.generate) + (
    (Phase.shrink,) if os.environ.get("PROMISE_SHRINK", "1") != "0" else ())
# Every EVERY-th example also renders a PDF and fetches the lead's CSVs.
EVERY = int(os.environ.get("PROMISE_PDF_EVERY", "10"))


class Broken(AssertionError):
    """An invariant of the promise does not hold."""


class PromiseMachine(RuleBasedStateMachine):
    world: World  # set by the test (people made once, in the test's transaction)

    referrals = Bundle("referrals")
    examples = 0  # how many examples have ended (for the occasional thorough check)

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        mail.outbox.clear()
        self.now = START
        self.counter = 0
        self.model: dict[int, dict] = {}  # referral id -> what the table says it is
        self.internal: set[str] = set()  # markers no referrer may read, anywhere
        self.no_consent: dict[str, int] = {}  # marker -> the referral whose adult refused
        self.visible: dict[str, set[int]] = {}  # marker -> referrals whose referrer may read it
        self.mail_seen = 0
        self.last_audit = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() \
            or 0

    def teardown(self):
        try:
            if self.model:
                self._check_documents()
        finally:
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

    # --- helpers -------------------------------------------------------------------------------

    def marker(self, kind: str, word: str, *, owner: int | None = None) -> str:
        self.counter += 1
        text = f"{kind}{self.counter:04d}{word}"
        if kind == "INT":
            self.internal.add(text)
        elif kind == "VIS":
            self.visible[text] = self._entitled(owner)
        return text

    def _entitled(self, referral_id: int | None) -> set[int]:
        """The referrals whose referrer is told about this one: itself and those merged in."""
        if referral_id is None:
            return set()
        return {referral_id} | {pk for pk, m in self.model.items()
                                if m["merged_into"] == referral_id}

    def person(self, key):
        return self.world.people[key]

    def follows(self, key, state) -> bool:
        """May this person follow the referral (referrals.access.may_follow): its referrer, the
        colleague its follow-up was handed to, or the day centre's lead on the day centre's."""
        return (key in (state["referrer"], state["follower"])
                or (key == "lead" and state["referrer"] in ("ra1", "ra2")))

    def mine(self, reader) -> set[int]:
        """The referrals whose words this person may read: made by them, or followed by them
        at any time (what they were told while following stays in their notices)."""
        return {pk for pk, m in self.model.items()
                if m["referrer"] == reader or reader in m["followed_by"]}

    def focused(self, ref, focus: bool, statuses) -> int:
        """With `focus`, a referral in one of these statuses (if any) instead of `ref`: rules
        that need a referral in a certain state find one more often than chance would."""
        candidates = sorted(pk for pk, m in self.model.items() if m["status"] in statuses)
        return candidates[ref % len(candidates)] if focus and candidates else ref

    def partner(self, ref, other, same: bool) -> int:
        """For link and merge: with `same`, another referral of the same team if there is one;
        else another referral of any team if the drawn one is itself (sometimes kept, to
        try a referral against itself)."""
        others = sorted(pk for pk in self.model if pk != ref)
        pool = [pk for pk in others if self.model[pk]["pathway"] == self.model[ref]["pathway"]] \
            if same else (others if other == ref and other % 3 else [])
        return pool[other % len(pool)] if pool else other

    def who(self, key, ref) -> str:
        """'team-w' / 'team-m': the worker or manager of the referral's team now; 'next-w' /
        'next-m': of the next team along (someone on staff, outside this referral's scope)."""
        if not key.startswith(("team-", "next-")):
            return key
        teams = ["oppd", "mash", "mh", "ld"]
        here = teams.index({"oppd": "oppd", "mash": "mash", "mental-health": "mh",
                            "learning-disabilities": "ld"}[self.model[ref]["pathway"]])
        if key.startswith("next-"):
            here = (here + 1) % len(teams)
        return f"{key[-1]}-{teams[here]}"

    def tick(self, minutes=7):
        self.now += timedelta(minutes=minutes)

    def staff_scope(self, key, *referral_ids) -> bool:
        """May this person act as staff on these referrals: a member of each one's team
        (the table then says which actions their role allows)."""
        person = self.person(key)
        return person.is_staff and all(
            self.model[pk]["pathway"] == person.pathway for pk in referral_ids)

    def role(self, key) -> str:
        person = self.person(key)
        return workflow.MANAGER if person.role == "manager" else workflow.TRIAGE

    def attempt(self, *, key, referral_ids, in_scope, call, expected_audit, table=False,
                row=None, may_refuse=False):
        """Run one action by `key`. Outside scope: refused, nothing changed. Inside: what the
        table allows is done (unless `may_refuse` names a rule that may refuse it), with
        exactly the expected audit rows; what it does not allow is refused, nothing changed."""
        before = snapshot(self.model)
        self.tick()
        try:
            call()
        except REFUSED as error:
            refused = error
        else:
            refused = None
        if refused is None:
            if not in_scope:
                raise Broken(f"{key} is outside the scope of {referral_ids} but was allowed")
            if table and row is None:
                raise Broken(f"{expected_audit[0][1]} by {key} was allowed from "
                             f"{self.model[referral_ids[0]]['status']}: the table has no row")
            self._audit_check(expected=expected_audit)
            note_event(f"{expected_audit[0][1]}: done")
            STATS[f"{expected_audit[0][1]}: done"] += 1
            return True
        after = snapshot(self.model)
        if after != before:
            raise Broken(f"a refused action by {key} changed something: {_diff(before, after)}")
        if in_scope and row is not None and not may_refuse:
            raise Broken(f"the table allows {row.action} from "
                         f"{self.model[referral_ids[0]]['status']} but it was refused: "
                         f"{refused!r}")
        if in_scope and not table and not may_refuse and \
                isinstance(refused, TransitionForbidden | PermissionDenied):
            raise Broken(f"{key} is in scope of {referral_ids} but was refused: {refused}")
        self._audit_check(expected=[], refusal=True)
        note_event(f"{expected_audit[0][1]}: refused{'' if in_scope else ' (outside scope)'}")
        STATS[f"{expected_audit[0][1]}: refused" + (f" ({refused})"[:90] if in_scope
                                                    else " (outside scope)")] += 1
        return False

    def _audit_check(self, *, expected, refusal=False):
        """Exactly the expected audit rows (clock consequences aside), each enumerated. A
        refusal writes nothing but, from a page, the audited refusal itself."""
        rows = audit_since(self.last_audit)
        if rows:
            self.last_audit = rows[-1].pk
        for row in rows:
            if row.action not in audit_actions.ENUMERATED:
                raise Broken(f"audit action {row.action!r} is not enumerated")
        got = sorted((r.referral_id, r.action) for r in rows
                     if r.action not in CLOCK_ROWS and not (refusal and not r.allowed))
        if got != sorted(expected):
            raise Broken(f"audit rows {got}, expected exactly {sorted(expected)}")

    def move(self, referral_id, row, *, info_from=None):
        """The model follows the table's row."""
        state = self.model[referral_id]
        if row.target == PREVIOUS:
            state["status"] = state.pop("asked_from", Status.SUBMITTED)
        elif row.target != SAME:
            if row.action == Action.INFO_REQUEST:
                state["asked_from"] = state["status"]
            state["status"] = row.target

    def find(self, action, referral_id, key, outcome=""):
        state = self.model[referral_id]
        role = workflow.REFERRER if self.person(key).role in ("referrer", "lead") \
            else self.role(key)
        return workflow.transition_find(action=action, status=state["status"],
                                        pathway=state["pathway"], outcome=outcome, role=role)

    def feedback(self, referral_id, *, withheld, outcome=""):
        state = self.model[referral_id]
        consent_refused = state["consent"] == "no" and state["pathway"] not in CHILD
        if withheld:
            return Feedback(outcome_text=self.marker("INT", "Withheldoutcome"),
                            reason=self.marker("INT", "Withheldreason"), withheld=True,
                            withheld_reason="police_investigation")
        if consent_refused:
            text, reason = self.marker("NOC", "Outcome"), self.marker("NOC", "Reason")
            self.no_consent[text] = self.no_consent[reason] = referral_id
        else:
            text = self.marker("VIS", "Outcome", owner=referral_id)
            reason = self.marker("VIS", "Reason", owner=referral_id)
        signposting = ""
        if outcome in workflow.SIGNPOSTING_REQUIRED or not outcome:
            signposting = self.marker("VIS", "Signpost", owner=referral_id)
        return Feedback(outcome_text=text, reason=reason, signposting=signposting)

    # --- rules: referrers ------------------------------------------------------------------------

    @initialize(target=referrals, key=st.sampled_from(["ra1", "rb"]),
                kind=st.sampled_from(sorted(KINDS)))
    def first_referral(self, key, kind):
        return self._submit(key, kind)

    @rule(target=referrals, key=st.sampled_from(["ra1", "ra2", "rb"]),
          kind=st.sampled_from(sorted(KINDS)))
    def submit(self, key, kind):
        if len(self.model) >= MAX_REFERRALS:
            return multiple()
        return self._submit(key, kind)

    def _submit(self, key, kind):
        """The referrer sends one of their drafts (filled in through the forms; see world)."""
        self.tick()
        referrer = self.person(key).user
        drafts = [pk for pk in self.world.drafts[(key, kind)] if pk not in self.model]
        if not drafts:
            return multiple()
        referral = services.referral_submit(referral=Referral.objects.get(pk=drafts[0]),
                                            actor=referrer, submission_key=uuid.uuid4(),
                                            now=self.now)
        made = [referral, *Referral.objects.filter(linked_to=referral,
                                                   answers__linked_from_adult_referral=True)]
        made = [r for r in made if r.pk not in self.model]
        for item in made:
            self.model[item.pk] = {"status": Status.SUBMITTED, "pathway": item.pathway,
                                   "referrer": key, "consent": item.consent or "",
                                   "merged_into": None, "readers": {item.pathway},
                                   "follower": None, "followed_by": set(),
                                   "preference": item.feedback_preference}
            if item.status != Status.SUBMITTED:
                raise Broken(f"submission left {item.pk} {item.status}")
        rows = audit_since(self.last_audit)
        self.last_audit = rows[-1].pk if rows else self.last_audit
        for row in rows:
            if row.action not in audit_actions.ENUMERATED:
                raise Broken(f"audit action {row.action!r} is not enumerated")
        submitted = sorted(r.referral_id for r in rows if r.action == A.REFERRAL_SUBMITTED)
        if submitted != sorted(r.pk for r in made):
            raise Broken(f"submission audited {submitted} for {[r.pk for r in made]}")
        return multiple(*(r.pk for r in made))

    @rule(ref=referrals, focus=st.booleans(), key=st.sampled_from(["ra1", "ra2", "rb", "lead", "w-oppd"]))
    def add_information(self, ref, focus, key):
        ref = self.focused(ref, focus, (Status.INFO_REQUESTED,))
        state = self.model[ref]
        person = self.person(key)
        in_scope = self.follows(key, state)
        text = self.marker("VIS", "Added", owner=ref)
        # The referrer's reply to "more information requested" moves it on (table: the
        # referrer may record information received).
        row = None
        if in_scope and state["status"] == Status.INFO_REQUESTED:
            row = workflow.transition_find(action=Action.INFO_RECEIVE, status=state["status"],
                                           pathway=state["pathway"], role=workflow.REFERRER)
        done = self.attempt(
            key=key, referral_ids=[ref], in_scope=in_scope,
            call=lambda: referral_information_add(referral=Referral(pk=ref), actor=person.user,
                                                  text=text, now=self.now),
            # A reply that moves the referral on is two changes on the timeline, each with its
            # own audit row: the information added, and the table's info_received.
            expected_audit=[(ref, A.REFERRAL_INFORMATION_ADDED)] + (
                [(ref, A.REFERRAL_INFO_RECEIVED)] if row is not None else []),
            may_refuse=state["status"] not in Status.open())
        if done and row is not None:
            self.move(ref, row)

    @rule(ref=referrals, key=st.sampled_from(["ra1", "ra2", "rb", "w-oppd"]))
    def withdraw(self, ref, key):
        row = self.find(Action.WITHDRAW, ref, key)
        in_scope = self.model[ref]["referrer"] == key
        done = self.attempt(
            key=key, referral_ids=[ref], in_scope=in_scope, row=row, table=True,
            call=lambda: transitions.referral_withdraw(
                referral_id=ref, actor=self.person(key).user, reason="Sent it twice by mistake.",
                now=self.now),
            expected_audit=[(ref, A.REFERRAL_WITHDRAWN)])
        if done:
            self.move(ref, row)

    # Issue 15: the referrer's challenge to a decision and "things have got worse". Their own
    # words and the answer written for them are visible text (VIS): they may reach only the
    # referrers entitled to the referral; who answered never reaches them.
    DECIDED = (Status.CONCERN_DECIDED, Status.ENQUIRY, Status.PLAN_REVIEW, Status.MASH_DECIDED,
               Status.CLOSED)

    @rule(ref=referrals, focus=st.booleans(), key=st.sampled_from(["ra1", "ra2", "rb", "lead", "w-oppd"]))
    def challenge(self, ref, focus, key):
        ref = self.focused(ref, focus, self.DECIDED)
        state = self.model[ref]
        in_scope = self.follows(key, state)
        reason = self.marker("VIS", "Disagree", owner=ref)
        self.attempt(
            key=key, referral_ids=[ref], in_scope=in_scope,
            call=lambda: challenge_raise(referral=Referral.objects.get(pk=ref),
                                         actor=self.person(key).user, reason=reason,
                                         now=self.now),
            expected_audit=[(ref, A.CHALLENGE_RAISED)],
            # Refused in scope when there is no decision yet, or a challenge is running.
            may_refuse=True)

    @rule(ref=referrals, key=st.sampled_from(["team-w", "team-m", "team-m", "next-w", "next-m"]),
          upheld=st.booleans())
    def answer_challenge(self, ref, key, upheld):
        challenge = Challenge.objects.filter(referral_id=ref, state=ChallengeState.AWAITING).first()
        if challenge is None:
            return
        key = self.who(key, ref)
        # A team manager of the referral's team records each stage's answer; its worker may not.
        in_scope = self.staff_scope(key, ref) and self.person(key).role == "manager"
        response = self.marker("VIS", "Answer", owner=ref)
        self.attempt(
            key=key, referral_ids=[ref], in_scope=in_scope,
            call=lambda: challenge_answer(challenge=challenge, actor=self.person(key).user,
                                          upheld=upheld, response=response, now=self.now),
            expected_audit=[(ref, A.CHALLENGE_ANSWERED)])

    @rule(ref=referrals, key=st.sampled_from(["ra1", "ra2", "rb", "lead", "w-oppd"]))
    def things_got_worse(self, ref, key):
        state = self.model[ref]
        in_scope = self.follows(key, state)
        words = self.marker("VIS", "Worse", owner=ref)
        self.attempt(
            key=key, referral_ids=[ref], in_scope=in_scope,
            call=lambda: referral_worsen(referral=Referral(pk=ref), actor=self.person(key).user,
                                         what_changed=words, now=self.now),
            expected_audit=[(ref, A.REFERRAL_WORSENED)],
            may_refuse=state["status"] not in Status.open())

    # Issue 15, a named contact: the day centre's lead hands a referral's follow-up to a
    # colleague in the organisation (or back to its referrer). Anyone else (a referrer, the
    # colleague, staff, on any referral; the lead on another organisation's) is refused and
    # nothing changes. From the lead, a colleague outside the organisation or the person
    # following it now is a form error that changes nothing; any other choice is done.
    @rule(target=referrals, ref=referrals, focus=st.booleans(),
          # The lead most often; the day centre's referrers (who follow its referrals but may
          # not hand them on) next; the other organisation's referrer and staff.
          key=st.sampled_from(["lead", "lead", "lead", "ra1", "ra2", "ra1", "ra2", "rb",
                               "w-oppd", "m-oppd"]),
          target_kind=st.sampled_from(["colleague", "colleague", "lead", "back", "outsider"]))
    def hand_follow_up(self, ref, focus, key, target_kind):
        # With `focus`, one of the day centre's referrals, the lead's own scope; when there is
        # none yet (and room), its referrer ra1 sends one first, as the site would.
        made = multiple()
        ours = sorted(pk for pk, m in self.model.items() if m["referrer"] in ("ra1", "ra2"))
        if focus and not ours and len(self.model) < MAX_REFERRALS:
            made = self._submit("ra1", "adult")
            ours = sorted(pk for pk, m in self.model.items() if m["referrer"] in ("ra1", "ra2"))
        ref = ours[ref % len(ours)] if focus and ours else ref
        state = self.model[ref]
        in_scope = key == "lead" and state["referrer"] in ("ra1", "ra2")
        following = state["follower"] or state["referrer"]
        # Whom to: a colleague of the referrer's organisation other than whoever follows it now,
        # its lead, back to its referrer, or someone of another organisation.
        to = {"colleague": next((k for k in ("ra1", "ra2", "rb")
                                 if k != following and (k == "rb") == (state["referrer"] == "rb")),
                                "ra2"),
              "lead": "lead", "back": state["referrer"],
              "outsider": "rb" if state["referrer"] != "rb" else "ra1"}[target_kind]
        valid = in_scope and to in ("ra1", "ra2", "lead") and to != following
        done = self.attempt(
            key=key, referral_ids=[ref], in_scope=in_scope,
            call=lambda: referral_follow_up_pass(
                referral=Referral(pk=ref), actor=self.person(key).user,
                colleague_id=str(self.person(to).user.pk), now=self.now),
            expected_audit=[(ref, A.REFERRAL_FOLLOW_UP_PASSED)], may_refuse=not valid)
        if done != valid and in_scope:
            raise Broken(f"handing {ref}'s follow-up from {following} to {to} was "
                         f"{'done' if done else 'refused'}")
        if done:
            state["follower"] = None if to == state["referrer"] else to
            state["followed_by"].add(to)
            follower = Referral.objects.filter(pk=ref).values_list("follower_id", flat=True)[0]
            expected = self.person(state["follower"]).user.pk if state["follower"] else None
            if follower != expected:
                raise Broken(f"referral {ref} is followed by user {follower}, not {expected}")
        return made

    # --- rules: staff --------------------------------------------------------------------------

    # Two times in three the referral's own team (its worker or manager), else the worker or
    # manager of the next team along (outside scope).
    STAFF = st.sampled_from(["team-w", "team-m", "team-w", "team-m", "next-w", "next-m"])

    @rule(ref=referrals, key=STAFF)
    def claim(self, ref, key):
        key = self.who(key, ref)
        state = self.model[ref]
        self.attempt(
            key=key, referral_ids=[ref], in_scope=self.staff_scope(key, ref),
            call=lambda: referral_claim(referral_id=ref, actor=self.person(key).user,
                                        now=self.now),
            expected_audit=[(ref, A.REFERRAL_CLAIMED)], may_refuse=True)
        del state  # claiming changes no status

    @rule(ref=referrals, focus=st.booleans(), key=STAFF, pick=st.integers(0, 4), withheld=st.booleans())
    def decide(self, ref, focus, key, pick, withheld):
        ref = self.focused(ref, focus, AWAITING)
        key = self.who(key, ref)
        outcomes = workflow.outcomes_for(self.model[ref]["pathway"])
        outcome = outcomes[pick % len(outcomes)]
        row = self.find(Action.DECIDE, ref, key, outcome)
        detail = (workflow.OUTCOME_DETAILS.get(outcome) or ("",))[0]
        feedback = self.feedback(ref, withheld=withheld, outcome=outcome)
        rationale = self.marker("INT", "Rationale")
        done = self.attempt(
            key=key, referral_ids=[ref], in_scope=self.staff_scope(key, ref), row=row, table=True,
            call=lambda: transitions.referral_decide(
                referral_id=ref, actor=self.person(key).user, outcome=outcome, detail=detail,
                rationale=rationale, feedback=feedback, now=self.now,
                criteria=CRITERIA_FOR.get(outcome), need_level=LEVEL_FOR.get(outcome)),
            expected_audit=[(ref, A.REFERRAL_DECIDED)])
        if done:
            self.move(ref, row)

    @rule(ref=referrals, focus=st.booleans(), key=STAFF, rating=st.sampled_from(["red", "amber", "green"]))
    def rag_rate(self, ref, focus, key, rating):
        ref = self.focused(ref, focus, AWAITING)
        key = self.who(key, ref)
        row = self.find(Action.RAG_RATE, ref, key)
        reason = self.marker("INT", "Ragreason")
        done = self.attempt(
            key=key, referral_ids=[ref], in_scope=self.staff_scope(key, ref), row=row, table=True,
            call=lambda: transitions.referral_rag_rate(
                referral_id=ref, actor=self.person(key).user, rating=rating, reason=reason,
                now=self.now),
            expected_audit=[(ref, A.REFERRAL_RAG_RATED)])
        if done:
            self.move(ref, row)

    @rule(ref=referrals, key=STAFF)
    def request_information(self, ref, key):
        key = self.who(key, ref)
        row = self.find(Action.INFO_REQUEST, ref, key)
        question = self.marker("VIS", "Question", owner=ref)
        done = self.attempt(
            key=key, referral_ids=[ref], in_scope=self.staff_scope(key, ref), row=row, table=True,
            call=lambda: transitions.referral_info_request(
                referral_id=ref, actor=self.person(key).user, question=question, now=self.now),
            expected_audit=[(ref, A.REFERRAL_INFO_REQUESTED)])
        if done:
            self.move(ref, row)

    @rule(ref=referrals, focus=st.booleans(), key=STAFF)
    def record_information(self, ref, focus, key):
        ref = self.focused(ref, focus, (Status.INFO_REQUESTED,))
        key = self.who(key, ref)
        row = self.find(Action.INFO_RECEIVE, ref, key)
        information = self.marker("VIS", "Received", owner=ref)
        done = self.attempt(
            key=key, referral_ids=[ref], in_scope=self.staff_scope(key, ref), row=row, table=True,
            call=lambda: transitions.referral_info_receive(
                referral_id=ref, actor=self.person(key).user, information=information,
                now=self.now),
            expected_audit=[(ref, A.REFERRAL_INFO_RECEIVED)])
        if done:
            self.move(ref, row)

    @rule(ref=referrals, key=STAFF,
          pathway=st.sampled_from(["oppd", "mash", "mental-health", "learning-disabilities"]))
    def reroute(self, ref, key, pathway):
        key = self.who(key, ref)
        row = self.find(Action.REROUTE, ref, key)
        same = pathway == self.model[ref]["pathway"]
        done = self.attempt(
            key=key, referral_ids=[ref], in_scope=self.staff_scope(key, ref), row=row, table=True,
            call=lambda: transitions.referral_reroute(
                referral_id=ref, actor=self.person(key).user, pathway=pathway,
                reason="This is the right team for her.", now=self.now),
            expected_audit=[(ref, A.REFERRAL_REROUTED)], may_refuse=same)
        if done:
            self.move(ref, row)
            state = self.model[ref]
            state["readers"] = (state["readers"] - {state["pathway"]}) | {pathway}
            state["pathway"] = pathway

    @rule(ref=referrals, other=referrals, same=st.booleans(), key=STAFF)
    def link(self, ref, other, same, key):
        other = self.partner(ref, other, same)
        key = self.who(key, ref)
        row = self.find(Action.LINK, ref, key)
        reason = self.marker("INT", "Linkreason")
        self.attempt(
            key=key, referral_ids=[ref, other], in_scope=self.staff_scope(key, ref, other),
            row=row, table=True,
            call=lambda: transitions.referral_link(
                referral_id=ref, actor=self.person(key).user, other_id=other, reason=reason,
                now=self.now),
            expected_audit=[(ref, A.REFERRAL_LINKED), (other, A.REFERRAL_LINKED_FROM)],
            may_refuse=ref == other or self.model[other]["status"] == Status.MERGED)

    @rule(ref=referrals, focus=st.booleans(), other=referrals, same=st.booleans(), key=STAFF,
          withheld=st.booleans())
    def merge(self, ref, focus, other, same, key, withheld):
        ref = self.focused(ref, focus, AWAITING)
        other = self.partner(ref, other, same)
        key = self.who(key, ref)
        row = self.find(Action.MERGE, ref, key)
        feedback = self.feedback(ref, withheld=withheld)
        reason = self.marker("INT", "Mergereason")
        done = self.attempt(
            key=key, referral_ids=[ref, other], in_scope=self.staff_scope(key, ref, other),
            row=row, table=True,
            call=lambda: transitions.referral_merge(
                referral_id=ref, actor=self.person(key).user, other_id=other,
                feedback=feedback, reason=reason, now=self.now),
            expected_audit=[(ref, A.REFERRAL_MERGED), (other, A.REFERRAL_MERGED_IN)],
            may_refuse=ref == other or self.model[other]["status"] in Status.finished())
        if done:
            self.move(ref, row)
            self.model[ref]["merged_into"] = other
            # The team of the referral merged into may read this one (not act on it).
            self.model[ref]["readers"].add(self.model[other]["pathway"])

    @rule(ref=referrals, focus=st.booleans(), key=STAFF)
    def plan(self, ref, focus, key):
        ref = self.focused(ref, focus, (Status.ENQUIRY,))
        key = self.who(key, ref)
        row = self.find(Action.PLAN, ref, key)
        findings = self.marker("INT", "Findings")
        done = self.attempt(
            key=key, referral_ids=[ref], in_scope=self.staff_scope(key, ref), row=row, table=True,
            call=lambda: transitions.referral_plan(
                referral_id=ref, actor=self.person(key).user, reason=findings, now=self.now),
            expected_audit=[(ref, A.REFERRAL_PLAN_STARTED)])
        if done:
            self.move(ref, row)

    @rule(ref=referrals, focus=st.booleans(), key=STAFF, withheld=st.booleans(),
          phoned=st.booleans())
    def close(self, ref, focus, key, withheld, phoned):
        """Close, telling the referrer; a referrer who asked for phone only must have been
        phoned (`phoned`: staff confirm the call on the form, recorded with the closure)."""
        ref = self.focused(ref, focus, Status.open())
        key = self.who(key, ref)
        row = self.find(Action.CLOSE, ref, key)
        feedback = self.feedback(ref, withheld=withheld)
        reason = self.marker("INT", "Closereason")
        owed = _owed(ref, self.model)
        told = [pk for pk in [ref, *self._merged_into(ref)]
                if self.model[pk]["preference"] == "phone_only"]
        done = self.attempt(
            key=key, referral_ids=[ref], in_scope=self.staff_scope(key, ref), row=row, table=True,
            call=lambda: transitions.referral_close(
                referral_id=ref, actor=self.person(key).user, reason=reason, feedback=feedback,
                told_by_phone=phoned, msp_outcome="partly", now=self.now),
            expected_audit=[(ref, A.REFERRAL_CLOSED)] + (
                [(pk, A.FEEDBACK_GIVEN_BY_PHONE) for pk in told] if phoned else []),
            # The rules that may refuse it: feedback before closure (nothing owed, and some
            # feedback given), and a phone-only referrer phoned first.
            may_refuse=bool(owed) or not FeedbackRecord.objects.filter(referral=ref).exists()
            or (bool(told) and not phoned))
        if done:
            self.move(ref, row)

    def _merged_into(self, ref) -> list[int]:
        return sorted(pk for pk, m in self.model.items() if m["merged_into"] == ref)

    @rule(ref=referrals, focus=st.booleans(), key=STAFF)
    def feedback_by_phone(self, ref, focus, key):
        ref = self.focused(ref, focus, DECIDED)
        key = self.who(key, ref)
        summary = self.marker("INT", "Phonesummary")
        self.attempt(
            key=key, referral_ids=[ref], in_scope=self.staff_scope(key, ref),
            call=lambda: feedback_give_by_phone(
                referral=Referral.objects.get(pk=ref), actor=self.person(key).user,
                given_at=self.now, summary=summary),
            expected_audit=[(ref, A.FEEDBACK_GIVEN_BY_PHONE)])

    @rule(ref=referrals, key=STAFF)
    def note(self, ref, key):
        key = self.who(key, ref)
        text = self.marker("INT", "Note")
        self.attempt(
            key=key, referral_ids=[ref], in_scope=self.staff_scope(key, ref),
            call=lambda: note_add(referral_id=ref, actor=self.person(key).user, text=text,
                                  now=self.now),
            expected_audit=[(ref, A.REFERRAL_NOTE_ADDED)])

    @rule(ref=referrals, key=STAFF)
    def pause_clock(self, ref, key):
        """The clocks page is where the access check for pausing lives (pathways.views): an
        outsider posts to it; the team pauses through the service with the machine's time."""
        key = self.who(key, ref)
        person = self.person(key)
        clock = (Deadline.objects.open().filter(referral=ref, paused_at__isnull=True)
                 .order_by("pk").first())
        if clock is None:
            return
        note = self.marker("INT", "Pausenote")
        in_scope = self.staff_scope(key, ref)

        def call():
            if not in_scope:
                response = person.client.post(
                    reverse("clocks:referral-clocks", args=[ref]),
                    {"kind": clock.kind, "reason": "other", "note": note})
                if response.status_code == 404:
                    raise PermissionDenied("404")
                return response
            return deadline_pause(referral=Referral.objects.get(pk=ref), kind=clock.kind,
                                  at=self.now, reason="other", note=note, actor=person.user)

        self.attempt(key=key, referral_ids=[ref], in_scope=in_scope, call=call,
                     expected_audit=[(ref, A.DEADLINE_PAUSED)])
        # An outsider's refused look at the clocks page is audited by the view as a refusal:
        # that row is the one allowed for a refused read (checked in attempt as none, so it
        # is consumed here).

    @rule(ref=referrals, key=STAFF)
    def resume_clock(self, ref, key):
        key = self.who(key, ref)
        person = self.person(key)
        clock = (Deadline.objects.open().filter(referral=ref, paused_at__isnull=False)
                 .order_by("pk").first())
        if clock is None:
            return
        in_scope = self.staff_scope(key, ref)

        def call():
            if not in_scope:
                response = person.client.post(reverse("clocks:clock-resume", args=[ref]),
                                              {"kind": clock.kind})
                if response.status_code == 404:
                    raise PermissionDenied("404")
                return response
            return deadline_resume(referral=Referral.objects.get(pk=ref), kind=clock.kind,
                                   at=self.now, actor=person.user)

        self.attempt(key=key, referral_ids=[ref], in_scope=in_scope, call=call,
                     expected_audit=[(ref, A.DEADLINE_RESUMED)])

    @rule(ref=referrals, key=STAFF)
    def staff_reads(self, ref, key):
        """A staff member opens the referral's page: one audit row, allowed or refused."""
        key = self.who(key, ref)
        self.tick(1)
        person = self.person(key)
        in_scope = self.staff_scope(key, ref)
        response = person.client.get(reverse("triage:referral", args=[ref]))
        readable = response.status_code == 200
        if readable != (person.pathway in self.model[ref]["readers"]):
            raise Broken(f"{key} reading {ref}: {response.status_code}, in scope: {in_scope}")
        rows = [r for r in audit_since(self.last_audit)]
        if rows:
            self.last_audit = rows[-1].pk
        views = [(r.referral_id or r.detail.get("referral"), r.action, r.allowed) for r in rows
                 if not (r.action == A.ACCESS_REFUSED and not readable)]
        # portal.middleware audits a refused URL unless the view did (it learns that on
        # commit); the example's savepoint never commits, so its second row is not counted.
        if views != [(ref, A.REFERRAL_VIEWED, readable)]:
            raise Broken(f"a staff read wrote {views}")
        if any(r.action not in audit_actions.ENUMERATED for r in rows):
            raise Broken(f"audit actions not enumerated: {[r.action for r in rows]}")

    # --- rules: the system ---------------------------------------------------------------------

    @rule(hours=st.sampled_from([1, 3, 7, 20, 50, 200]))
    def sweep(self, hours):
        self.now += timedelta(hours=hours)
        deadlines_sweep(now=self.now)
        rows = audit_since(self.last_audit)
        if rows:
            self.last_audit = rows[-1].pk
        if any(r.action not in audit_actions.ENUMERATED for r in rows):
            raise Broken(f"audit actions not enumerated: {[r.action for r in rows]}")

    @rule()
    def worker_sends(self):
        """What feedback.tasks.notices_send does with a batch: notices_send_now, at our time."""
        self.tick(2)
        ids = list(Notice.objects.filter(status=NoticeStatus.PENDING, referral__in=self.model)
                   .values_list("pk", flat=True))
        if ids:
            notices_send_now(ids, now=self.now)
        self._consume_reads()

    # --- invariants ----------------------------------------------------------------------------

    @invariant()
    def nothing_closed_while_feedback_is_owed(self):
        for pk in Referral.objects.filter(pk__in=self.model, status=Status.CLOSED) \
                .values_list("pk", flat=True):
            owed = _owed(pk, self.model, exclude_closure=True)
            if owed:
                raise Broken(f"referral {pk} is closed while feedback {owed} is owed")

    @invariant()
    def statuses_follow_the_table(self):
        if not self.model:
            return
        actual = dict(Referral.objects.filter(pk__in=self.model).values_list("pk", "status"))
        for pk, state in self.model.items():
            if actual[pk] not in REACHABLE:
                raise Broken(f"referral {pk} is {actual[pk]}: not reachable in the table")
            if actual[pk] != state["status"]:
                raise Broken(f"referral {pk} is {actual[pk]}; the table's rows for the actions "
                             f"done give {state['status']}")
        from referrals.models import ReferralEvent

        for event in ReferralEvent.objects.filter(referral__in=self.model) \
                .exclude(from_status="").exclude(to_status="").values("from_status",
                                                                      "to_status", "kind"):
            step = (event["from_status"], event["to_status"])
            if step[0] != step[1] and step not in EDGES:
                raise Broken(f"a {event['kind']} event moved {step}: no such edge in the table")

    @invariant()
    def warnings_and_breaches_told_once(self):
        if not self.model:
            return
        notices = list(Notice.objects.filter(
            referral__in=self.model, kind__in=("deadline_warning", "deadline_breach",
                                               "urgent_not_picked_up"))
            .values("kind", "dedupe_key", "recipient_id", "channel", "referral_id"))
        per_deadline: dict[tuple, list] = {}
        for notice in notices:
            parts = notice["dedupe_key"].split(":")
            ident = (notice["kind"], parts[1], notice["recipient_id"], notice["channel"])
            per_deadline.setdefault(ident, []).append(notice["dedupe_key"])
        for deadline in Deadline.objects.filter(referral__in=self.model):
            warnings = {k: v for k, v in per_deadline.items()
                        if k[0] == "deadline_warning" and k[1] == str(deadline.pk)}
            breaches = {k: v for k, v in per_deadline.items()
                        if k[0] == "deadline_breach" and k[1] == str(deadline.pk)}
            if deadline.breached_at is None and breaches:
                raise Broken(f"deadline {deadline.pk} not breached but notified")
            if deadline.breached_at is not None and not breaches:
                raise Broken(f"deadline {deadline.pk} breached and nobody told")
            if any(len(v) != 1 for v in breaches.values()):
                raise Broken(f"deadline {deadline.pk}'s breach told more than once: {breaches}")
            if deadline.warned_at is None and warnings and deadline.breached_at is None:
                raise Broken(f"deadline {deadline.pk} not warned but warning notices exist")
            if deadline.warned_at is not None and deadline.breached_at is None and not warnings:
                raise Broken(f"deadline {deadline.pk} warned and nobody told")
            if any(len(v) != len(set(v)) for v in warnings.values()):
                raise Broken(f"deadline {deadline.pk}'s warning told twice: {warnings}")
        alerts = AuditEvent.objects.filter(action=PICKUP_ALERT, referral_id__in=self.model)
        counts = {}
        for alert in alerts:
            counts[alert.referral_id] = counts.get(alert.referral_id, 0) + 1
        if any(n > 1 for n in counts.values()):
            raise Broken(f"an urgent referral was alerted twice: {counts}")
        # Each email notice sent is one email.
        sent = Notice.objects.filter(referral__in=self.model, channel=Channel.EMAIL,
                                     status=NoticeStatus.SENT).values_list("subject", "pk")
        if len(mail.outbox) != len(sent):
            raise Broken(f"{len(sent)} email notices sent, {len(mail.outbox)} emails")

    @invariant()
    def referrers_read_no_internal_field(self):
        for message in mail.outbox[self.mail_seen:]:
            text = message.subject + message.body + "".join(
                a[0] for a in getattr(message, "alternatives", []))
            self._leak_check(text, f"email to {message.to}", None)
        self.mail_seen = len(mail.outbox)
        for notice in Notice.objects.filter(referral__in=self.model,
                                            recipient__membership__isnull=False):
            self._leak_check(notice.subject + notice.body, f"notice {notice.pk}",
                             notice.referral_id)
        # A referral's status page, read as its referrer whenever anything it shows may have
        # changed (its status, timeline, feedback or clocks); every page again at the end.
        for pk in self._changed():
            person = self.person(self.model[pk]["referrer"])
            response = person.client.get(reverse("feedback:status", args=[pk]))
            self._leak_check(self._named_contact_checked(body_text(response), pk),
                             f"status page {pk}", pk, reader=self.model[pk]["referrer"])
            self._consume_reads()

    def _named_contact_checked(self, html: str, pk: int) -> str:
        """Issue 15 names the assigned worker on the status page on purpose, in one block:
        it must be there only when allowed (open, assigned, the team shows its workers, consent
        not refused) and name the assignee and nobody else. The rest of the page is then
        checked as before (no staff name anywhere else)."""
        block = NAMED_CONTACT.search(html)
        if block is None:
            return html
        referral = Referral.objects.select_related("assignee", "team").get(pk=pk)
        if not named_contact_allowed(referral):
            raise Broken(f"status page {pk} names a worker where it may not")
        if markers_in(block.group(0)) - markers_in(referral.assignee.full_name):
            raise Broken(f"status page {pk} names someone other than the assignee")
        return NAMED_CONTACT.sub("", html)

    def _changed(self) -> list[int]:
        from referrals.models import ReferralEvent

        seen = getattr(self, "_signatures", {})
        now = {}
        for pk, status in Referral.objects.filter(pk__in=self.model).values_list("pk", "status"):
            now[pk] = [status]
        for source in (ReferralEvent.objects.filter(referral__in=self.model)
                       .values_list("referral_id", "pk"),
                       FeedbackRecord.objects.filter(referral__in=self.model)
                       .values_list("referral_id", "given_at"),
                       Deadline.objects.filter(referral__in=self.model)
                       .values_list("referral_id", "paused_at", "met_at", "due_at")):
            for pk, *values in source:
                now[pk].append(tuple(values))
        signatures = {pk: hash(repr(sorted(map(repr, v)))) for pk, v in now.items()}
        self._signatures = signatures
        return [pk for pk, sig in signatures.items() if seen.get(pk) != sig]

    def _consume_reads(self):
        rows = audit_since(self.last_audit)
        if rows:
            self.last_audit = rows[-1].pk
        for row in rows:
            if row.action not in audit_actions.ENUMERATED:
                raise Broken(f"audit action {row.action!r} is not enumerated")

    def _leak_check(self, text, where, referral_id, reader=None):
        found = markers_in(text)
        bad = found & self.internal
        bad |= {m for m in found if m.startswith("Staffname")}
        if referral_id is not None:
            bad |= {m for m in found if self.no_consent.get(m) == referral_id}
        if reader is not None:
            mine = self.mine(reader)
            bad |= {m for m in found if m in self.visible
                    and not (self.visible[m] & (mine | _merged_targets(mine, self.model)))}
        if bad:
            raise Broken(f"{where} shows internal text: {sorted(bad)}")

    def _check_documents(self):
        """At the end of each example: the lists each referrer and the lead read; the PDF of a
        referral staff linked to another (the only way staff's work reaches a PDF), and every
        EVERY-th example a PDF and the lead's dashboard CSVs anyway (WeasyPrint is slow)."""
        PromiseMachine.examples += 1
        thorough = PromiseMachine.examples % EVERY == 1
        for key in ("ra1", "ra2", "rb", "lead"):
            person = self.person(key)
            mine = [pk for pk, m in self.model.items()
                    if pk in self.mine(key) or (key == "lead" and m["referrer"] in ("ra1", "ra2"))]
            if not mine:
                continue
            pages = [reverse("feedback:my-referrals"), reverse("feedback:notices")]
            if key == "lead":
                pages.append(reverse("feedback:organisation"))
            else:
                linked = list(Referral.objects.filter(pk__in=mine, linked_to__isnull=False)
                              .values_list("pk", flat=True)[:1])
                pages += [reverse("referrals:pdf", args=[pk])
                          for pk in (linked or (mine[:1] if thorough else []))]
            for path in pages:
                response = person.client.get(path)
                referral_id = int(path.strip("/").split("/")[-2]) if "pdf" in path else None
                self._leak_check(body_text(response), f"{key} {path}", referral_id,
                                 reader=key if key != "lead" else None)
        if thorough and any(m["referrer"] in ("ra1", "ra2") for m in self.model.values()):
            self._check_csvs(self.person("lead"))

    def _check_csvs(self, lead):
        page = lead.client.get(reverse("dashboard:index")).content.decode()
        links = set(re.findall(r'href="([^"]+\.csv[^"]*)"', page))
        if not links:
            raise Broken("the lead's dashboard offers no CSV: the check would prove nothing")
        for link in links:
            self._leak_check(body_text(lead.client.get(link.replace("&amp;", "&"))),
                             f"lead's CSV {link}", None)


def _merged_targets(referral_ids, model) -> set[int]:
    return {model[pk]["merged_into"] for pk in referral_ids if model[pk]["merged_into"]}


def _owed(referral_id, model, *, exclude_closure=False) -> list[int]:
    """Feedback records owed to the referrer of this referral, or of one merged into it, that
    were neither sent nor recorded (the closure's own feedback aside when asked)."""
    ids = [referral_id] + [pk for pk, m in model.items() if m["merged_into"] == referral_id]
    records = FeedbackRecord.objects.filter(referral__in=ids, given_at__isnull=True)
    if exclude_closure:
        records = records.exclude(kind=Action.CLOSE)
    return sorted(records.values_list("pk", flat=True))


def _diff(before, after) -> dict:
    return {k: (sorted(set(before[k]) - set(after[k])), sorted(set(after[k]) - set(before[k])))
            for k in before if before[k] != after[k]}


def test_the_promise_holds_through_random_sequences_of_real_actions(db):
    PromiseMachine.world = world_build()
    run_state_machine_as_test(PromiseMachine, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=True,
        database=None, print_blob=True, report_multiple_bugs=False,
        # PROMISE_SHRINK=0 reports the first failing sequence as found (quicker to look at).
        phases=PHASES,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.filter_too_much],
    ))
    print("\npromise machine, actions over all examples:")
    for name, count in sorted(STATS.items()):
        print(f"  {count:6d}  {name}")

