"""Moving a submitted referral on through the triage services: claim, decide, ask for and
record information, rate, re-route, link, merge, plan, close, withdraw. Each helper calls the
service the staff page calls, with the team's own worker or manager unless one is given."""

from dataclasses import replace
from datetime import datetime

from django.utils import timezone

from accounts.models import TeamRole
from core.vocabulary import Pathway
from referrals.workflow import ADULT, CHILD, OUTCOME_DETAILS, SIGNPOSTING_REQUIRED, Outcome, Status
from triage import transitions
from triage.services import note_add, referral_assign, referral_claim
from triage.transitions import Feedback

from .accounts import staff


def worker(referral, *, manager=False):
    """The referral's team's worker (or manager)."""
    return staff(referral.pathway, TeamRole.MANAGER if manager else TeamRole.TRIAGE)


def feedback(outcome: str = "", *, withheld: bool = False, text: str = "",
             reason: str = "", signposting: str = "") -> Feedback:
    """Complete feedback for the referrer, as the decision form builds it."""
    if withheld:
        return Feedback(outcome_text=text, reason=reason, withheld=True,
                        withheld_reason="police_investigation")
    signposting = signposting or ("Call Age UK Advice on 0800 678 1602."
                                  if outcome in SIGNPOSTING_REQUIRED else "")
    return Feedback(outcome_text=text or "We looked at your referral.",
                    reason=reason or "What you told us, and what we found.",
                    signposting=signposting)


def claim(referral, actor=None, *, now=None):
    return referral_claim(referral_id=referral.pk, actor=actor or worker(referral), now=now)


def assign(referral, assignee, *, now=None):
    return referral_assign(referral_id=referral.pk, actor=worker(referral, manager=True),
                           assignee=assignee, now=now)


def note(referral, text, actor=None, *, now=None):
    return note_add(referral_id=referral.pk, actor=actor or worker(referral), text=text, now=now)


# What staff typically record with each decision (issue 15 item 6), unless a test says.
CRITERIA_FOR = {
    Outcome.S42_MET: {"s42_care_needs": "met", "s42_abuse": "met",
                      "s42_unable_to_protect": "met"},
    Outcome.CONCERN_NOT_MET: {"s42_care_needs": "met", "s42_abuse": "met",
                              "s42_unable_to_protect": "not_met"},
    Outcome.NOT_SAFEGUARDING: {"s42_care_needs": "not_known", "s42_abuse": "not_met",
                               "s42_unable_to_protect": "not_known"},
}
LEVEL_FOR = {Outcome.NFA: "level-1", Outcome.EARLY_HELP: "level-2",
             Outcome.FAMILY_HELP: "level-3", Outcome.CHILD_IN_NEED: "level-3",
             Outcome.CHILD_PROTECTION: "level-4", Outcome.IMMEDIATE_PROTECTION: "level-4"}


def decide(referral, outcome: str | None = None, actor=None, *, detail: str | None = None,
           rationale: str = "", now: datetime | None = None, criteria: dict | None = None,
           need_level: str | None = None, services: tuple = (), **feedback_options):
    """The concern decision (adults) or MASH decision (children; rated first if not yet), with
    the section 42 criteria or the level of need the decision form records."""
    if outcome is None:
        outcome = Outcome.EARLY_HELP if referral.pathway in CHILD else Outcome.S42_MET
    if referral.pathway in CHILD and referral.status != Status.RAG_RATED:
        rag_rate(referral, "amber", actor, now=now)
    if detail is None:
        detail = (OUTCOME_DETAILS.get(outcome) or ("",))[0]
    if criteria is None and referral.pathway in ADULT:
        criteria = CRITERIA_FOR.get(outcome)
    if need_level is None and referral.pathway in CHILD:
        need_level = LEVEL_FOR.get(outcome)
    return transitions.referral_decide(
        referral_id=referral.pk, actor=actor or worker(referral), outcome=outcome,
        detail=detail, rationale=rationale,
        feedback=replace(feedback(outcome, **feedback_options), services=tuple(services)),
        criteria=criteria, need_level=need_level, now=now)


def rag_rate(referral, rating="amber", actor=None, *, reason="", now=None):
    return transitions.referral_rag_rate(referral_id=referral.pk,
                                         actor=actor or worker(referral), rating=rating,
                                         reason=reason, now=now)


def info_request(referral, question="Is she safe at home tonight?", actor=None, *, now=None):
    return transitions.referral_info_request(referral_id=referral.pk,
                                             actor=actor or worker(referral), question=question,
                                             now=now)


def info_receive(referral, information="They phoned back.", actor=None, *, now=None):
    return transitions.referral_info_receive(referral_id=referral.pk,
                                             actor=actor or worker(referral),
                                             information=information, now=now)


def reroute(referral, pathway, actor=None, *, reason="The right team.", now=None):
    return transitions.referral_reroute(referral_id=referral.pk,
                                        actor=actor or worker(referral), pathway=pathway,
                                        reason=reason, now=now)


def plan(referral, actor=None, *, reason="", now=None):
    return transitions.referral_plan(referral_id=referral.pk, actor=actor or worker(referral),
                                     reason=reason, now=now)


def close(referral, actor=None, *, reason="Nothing more to do.", now=None, msp_outcome=None,
          **feedback_options):
    """Close through the service. An adult referral's desired outcomes default to fully
    achieved (Making Safeguarding Personal); `msp_outcome=""` leaves the answer out."""
    manager = referral.status in (Status.ENQUIRY, Status.PLAN_REVIEW)
    if msp_outcome is None:
        msp_outcome = "fully" if Pathway.is_adult(referral.pathway) else ""
    return transitions.referral_close(
        referral_id=referral.pk, actor=actor or worker(referral, manager=manager),
        reason=reason, feedback=feedback("", **feedback_options), now=now,
        msp_outcome=msp_outcome)


def withdraw(referral, *, reason="Sent by mistake.", now=None):
    return transitions.referral_withdraw(referral_id=referral.pk, actor=referral.referrer,
                                         reason=reason, now=now)


def link(referral, other, actor=None, *, reason="Same person.", now=None):
    return transitions.referral_link(referral_id=referral.pk, actor=actor or worker(referral),
                                     other_id=other.pk, reason=reason, now=now)


def merge(referral, other, actor=None, *, reason="Same concern.", now=None, **feedback_options):
    return transitions.referral_merge(
        referral_id=referral.pk, actor=actor or worker(referral), other_id=other.pk,
        reason=reason, feedback=feedback("", **feedback_options), now=now)


# The shortest service path from "submitted" to each status.
def to_status(referral, status: str, *, now: datetime | None = None):
    """Move a submitted referral to `status` through the services; returns it refreshed."""
    now = now or timezone.now()
    child = referral.pathway in CHILD
    if status == Status.SUBMITTED:
        pass
    elif status == Status.INFO_REQUESTED:
        info_request(referral, now=now)
    elif status == Status.RAG_RATED:
        rag_rate(referral, now=now)
    elif status in (Status.ENQUIRY, Status.PLAN_REVIEW) and not child:
        decide(referral, Outcome.S42_MET, now=now)
        if status == Status.PLAN_REVIEW:
            plan(referral, now=now)
    elif status == Status.CONCERN_DECIDED:
        decide(referral, Outcome.CONCERN_NOT_MET, now=now)
    elif status == Status.MASH_DECIDED:
        decide(referral, now=now)
    elif status == Status.WITHDRAWN:
        withdraw(referral, now=now)
    elif status == Status.CLOSED:
        close(referral, now=now)
    else:
        raise ValueError(f"No service path to {status!r} here")
    referral.refresh_from_db()
    assert referral.status == status, (referral.status, status)
    return referral
