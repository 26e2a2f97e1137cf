"""The staff's transition services: decide, RAG-rate, ask for information, re-route, plan,
close, link and merge. With referrals.lifecycle (the shared check, lock, record and clocks, and
the referrer's own changes) the only code that moves a referral through its life cycle.

They live in triage, not referrals, because a decision writes triage's Decision and owes the
referrer feedback (feedback.services): both layers above referrals (docs/architecture.md).
Each public function is one change and one transaction: check (permission, role and the
workflow table), lock the row, write, append the timeline event and the audit row, owe the
referrer their feedback and queue their notices, and open or meet the clocks the table names.
A rolled-back change leaves no event, no audit row and no notice behind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from accounts.models import Team
from accounts.recipients import follow_up_person
from audit.services import audit_record
from core.vocabulary import AuditAction, EventKind, MspOutcome, Outcome, Pathway, RagRating, Status
from feedback.services import (
    WITHHELD_REASONS,
    FeedbackOutstanding,
    feedback_assert_given_before_close,
    feedback_give_by_phone,
    feedback_owe,
)
from outbox.models import Channel
from outbox.wording import NoticeKind
from outbox.write import notice_queue, referrer_notify
from pathways import deadlines
from referrals import access, workflow
from referrals.lifecycle import (  # shared with the referrer's changes; steps keep old names
    TransitionError,
    TransitionForbidden,
    referral_info_receive,
    referral_withdraw,
)
from referrals.lifecycle import referral_locked as _locked
from referrals.lifecycle import require_reason as _require_reason
from referrals.lifecycle import transition_check as _check
from referrals.lifecycle import transition_clocks as _clocks
from referrals.lifecycle import transition_log as _log
from referrals.models import Referral
from referrals.record import record as record_change  # `record` names feedback records here
from referrals.workflow import Action, Transition

from . import explain
from .models import Decision, DuplicateKind, DuplicateLink

PERMS = ("referrals.view_referral", "referrals.triage_referral")


@dataclass(frozen=True)
class Feedback:
    """What the referrer is told with a decision (the borough's mandatory feedback)."""

    outcome_text: str = ""
    reason: str = ""
    signposting: str = ""
    withheld: bool = False
    withheld_reason: str = ""
    extra: dict = field(default_factory=dict)
    # Issue 15 item 6: services chosen from the directory (ids), shown with their contacts,
    # and the decision explained in plain words (written by referral_decide from what staff
    # recorded: triage.explain).
    services: tuple[int, ...] = ()
    explanation: str = ""


def feedback_errors(*, feedback: Feedback | None, outcome: str = "") -> dict[str, str]:
    """Field errors for the referrer's feedback; empty when it is complete."""
    if feedback is None:
        return {"outcome_text": "Enter the outcome for the referrer, or choose detail withheld"}
    if feedback.withheld:
        if feedback.withheld_reason not in WITHHELD_REASONS:
            return {"withheld_reason": "Select why detail is withheld from the referrer"}
        return {}
    errors = {}
    if not feedback.outcome_text.strip():
        errors["outcome_text"] = "Enter the outcome in plain words for the referrer"
    if not feedback.reason.strip():
        errors["feedback_reason"] = "Enter the reason for the decision, for the referrer"
    if (outcome in workflow.SIGNPOSTING_REQUIRED and not feedback.signposting.strip()
            and not feedback.services):
        errors["signposting"] = (
            "Enter where else the referrer or the person can go for help (signposting)"
        )
    return errors


# --- check -----------------------------------------------------------------------------------

def _require_feedback(row: Transition, feedback: Feedback | None) -> None:
    if not row.feedback_required:
        return
    errors = feedback_errors(feedback=feedback, outcome=row.outcome)
    if errors:
        raise TransitionError("The referrer's feedback is incomplete", errors)


# --- do and log ------------------------------------------------------------------------------

def _channels(referral: Referral) -> list[str]:
    channels = [Channel.PORTAL]
    if referral.feedback_preference != "phone_only":
        channels.append(Channel.EMAIL)
    return channels


def _owed_referrals(referral: Referral) -> list[Referral]:
    """This referral and every referral merged into it: their referrers are all told."""
    return [referral, *Referral.objects.filter(linked_to=referral, status=Status.MERGED)]


def _owe(*, referral: Referral, row: Transition, feedback: Feedback, actor, now: datetime):
    """Owe the referrer (and the referrer of every referral merged into this one) feedback."""
    text = feedback.outcome_text.strip()
    if feedback.withheld and not text:
        text = "A decision has been made. Detail about it is withheld."
    records = []
    for target in _owed_referrals(referral):
        records.append(feedback_owe(
            referral=target, kind=row.outcome or row.action, outcome_text=text,
            reason=feedback.reason.strip(), signposting=feedback.signposting.strip(),
            withheld=feedback.withheld,
            withheld_reason=feedback.withheld_reason if feedback.withheld else "", actor=actor,
            now=now, explanation=feedback.explanation, service_ids=feedback.services,
        ))
        if target.pk != referral.pk:
            deadlines.deadline_open(referral=target, kind="feedback", starts=now,
                                    actor=actor)
    return records[0]


def _tell_referrers(*, referral: Referral, from_status: str, row: Transition) -> None:
    """Progress notices every referrer of this referral is promised (docs/feedback.md): the
    enquiry started, the enquiry concluded (to plan and review, or closed). By each referrer's
    channels (feedback.services.referrer_notify), in general words that hold no staff reasons,
    so they are safe when the adult refused consent."""
    kinds = []
    if row.target == Status.ENQUIRY and from_status != Status.ENQUIRY:
        kinds.append(NoticeKind.ENQUIRY_STARTED)
    if from_status == Status.ENQUIRY and row.target != Status.ENQUIRY:
        kinds.append(NoticeKind.ENQUIRY_CONCLUDED)
    for kind in kinds:
        for target in _owed_referrals(referral):
            referrer_notify(referral=target, kind=kind)


def _referrer_words(feedback: Feedback | None, reason: str) -> str:
    """What the timeline shows the referrer as the reason: never staff's internal rationale."""
    if feedback is None:
        return reason
    if feedback.withheld:
        return WITHHELD_REASONS[feedback.withheld_reason]
    return feedback.reason.strip()


def _decision(*, referral, row, actor, now, detail="", rationale="", record=None,
              criteria=None, level=None):
    return Decision.objects.create(
        referral=referral, action=row.action, outcome=row.outcome, detail=detail,
        rationale=rationale, feedback=record, decided_by=actor, decided_at=now,
        need_level=level, **(criteria or {}),
    )


# --- the services ----------------------------------------------------------------------------

@transaction.atomic
def referral_decide(*, referral_id: int, actor, outcome: str, detail: str = "",
                    rationale: str = "", feedback: Feedback | None,
                    criteria: Mapping[str, str] | None = None, need_level: str | None = None,
                    now: datetime | None = None, request=None) -> Referral:
    """Record the concern decision (adults) or the MASH decision (children).

    With an adult decision, `criteria` holds the three section 42 criteria (met, not met or
    not known, by S42Criterion value): a decision that means no enquiry needs one not met, and
    section 42 met needs all three. With a MASH decision, `need_level` is a ThresholdLevel
    code. The referrer's feedback then explains the decision in plain words (triage.explain).
    Both are required whoever calls (the form, the API, a demo): leaving them out is an error."""
    now = now or timezone.now()
    referral = _locked(referral_id)
    row = _check(referral=referral, actor=actor, action=Action.DECIDE, outcome=outcome)
    allowed_details = workflow.OUTCOME_DETAILS.get(outcome, ())
    if allowed_details and detail not in allowed_details:
        raise TransitionError("Choose what happens next", {"detail": "Select what happens next"})
    errors = explain.decision_errors(
        pathway=referral.pathway, outcome=outcome, criteria=criteria, need_level=need_level,
        service_ids=feedback.services if feedback else ())
    if errors:
        raise TransitionError("The decision's explanation is incomplete", errors)
    _require_feedback(row, feedback)
    adult = explain.is_adult(referral.pathway) and outcome in explain.Outcome.adult()
    criteria = {name: criteria[name] for name in explain.CRITERIA} if adult else None
    level = (explain.ThresholdLevel.objects.get(code=need_level)
             if explain.is_child(referral.pathway) and need_level else None)
    words = explain.explanation_for(pathway=referral.pathway, outcome=outcome,
                                    criteria=criteria, level=level)
    if feedback is not None and words:
        feedback = replace(feedback, explanation=words)
    from_status = referral.status
    referral.status, referral.outcome = row.target, outcome
    referral.save(update_fields=["status", "outcome", "updated_at"])
    record = _owe(referral=referral, row=row, feedback=feedback, actor=actor, now=now)
    _decision(referral=referral, row=row, actor=actor, now=now, detail=detail,
              rationale=rationale, record=record, criteria=criteria, level=level)
    _log(referral=referral, row=row, actor=actor, now=now, from_status=from_status,
         reason=_referrer_words(feedback, ""), request=request,
         detail={"outcome": outcome, "detail": detail, "feedback": record.pk})
    _clocks(referral=referral, row=row, actor=actor, now=now)
    _tell_referrers(referral=referral, from_status=from_status, row=row)
    return referral


@transaction.atomic
def referral_rag_rate(*, referral_id: int, actor, rating: str, reason: str = "",
                      now: datetime | None = None, request=None) -> Referral:
    """Give (or change) a MASH referral's RAG rating; its RAG clock restarts from now."""
    now = now or timezone.now()
    referral = _locked(referral_id)
    row = _check(referral=referral, actor=actor, action=Action.RAG_RATE)
    if rating not in RagRating.values:
        raise TransitionError("Select a RAG rating", {"rating": "Select red, amber or green"})
    from_status, previous = referral.status, referral.rag_rating
    referral.status, referral.rag_rating = row.target, rating
    referral.save(update_fields=["status", "rag_rating", "updated_at"])
    _log(referral=referral, row=row, actor=actor, now=now, from_status=from_status,
         reason=reason, request=request, detail={"rating": rating, "previous": previous})
    _clocks(referral=referral, row=row, actor=actor, now=now)
    return referral


@transaction.atomic
def referral_info_request(*, referral_id: int, actor, question: str,
                          now: datetime | None = None, request=None) -> Referral:
    """Ask the referrer for more information; they are told in the portal (and by email)."""
    now = now or timezone.now()
    referral = _locked(referral_id)
    row = _check(referral=referral, actor=actor, action=Action.INFO_REQUEST)
    _require_reason(row, question)
    from_status = referral.status
    referral.status = row.target
    referral.save(update_fields=["status", "updated_at"])
    event = _log(referral=referral, row=row, actor=actor, now=now, from_status=from_status,
                 reason=question.strip(), request=request, detail={})
    for channel in _channels(referral):
        notice_queue(
            kind="info_requested", recipient=follow_up_person(referral), referral=referral,
            channel=channel, dedupe_key=f"info_requested:{event.pk}:{channel}",
            subject=f"More information needed for referral {referral.reference}",
            body=(f"The team has asked for more information about referral "
                  f"{referral.reference}. Sign in to the portal to read the question and reply."),
        )
    _clocks(referral=referral, row=row, actor=actor, now=now)
    return referral


def _decision_clock(pathway: str) -> str:
    return "mash_decision" if pathway in workflow.CHILD else "concern_decision"


@transaction.atomic
def referral_reroute(*, referral_id: int, actor, pathway: str, reason: str,
                     now: datetime | None = None, request=None) -> Referral:
    """Send the referral to another pathway's team. Access moves with it: the new team's group
    gains the object permissions and the old team's loses them. The received time is kept and
    the new pathway's decision clock counts from it (the original clock keeps running)."""
    now = now or timezone.now()
    referral = _locked(referral_id)
    row = _check(referral=referral, actor=actor, action=Action.REROUTE)
    _require_reason(row, reason)
    if pathway == referral.pathway or pathway not in workflow.ALL_PATHWAYS:
        raise TransitionError("Choose a different pathway",
                              {"pathway": "Select a different pathway"})
    new_team = Team.objects.get(pathway=pathway)
    old_team, old_pathway, from_status = referral.team, referral.pathway, referral.status
    for perm in PERMS:
        if old_team is not None:
            remove_perm(perm, old_team.group, referral)
        assign_perm(perm, new_team.group, referral)
    referral.pathway, referral.team, referral.status = pathway, new_team, row.target
    referral.assignee = None
    if pathway not in workflow.CHILD:
        referral.rag_rating = ""
    referral.save(update_fields=["pathway", "team", "status", "assignee", "rag_rating",
                                 "updated_at"])
    # The clocks follow the pathway from the original start (pathways.deadlines); a referral
    # with no decision clock running gets the new pathway's from its received time.
    deadlines.deadline_reroute(referral=referral, actor=actor, at=now)
    deadlines.deadline_open(referral=referral, kind=_decision_clock(pathway),
                            starts=referral.received_at or now, actor=actor)
    _log(referral=referral, row=row, actor=actor, now=now, from_status=from_status,
         reason=reason.strip(), request=request,
         detail={"from_pathway": old_pathway, "to_pathway": pathway,
                 "from_team": old_team.pk if old_team else None, "to_team": new_team.pk})
    # By each referrer's channels (portal, and email unless phone only), as docs/feedback.md says.
    referrer_notify(referral=referral, kind=NoticeKind.REROUTED)
    return referral


@transaction.atomic
def referral_plan(*, referral_id: int, actor, reason: str = "",
                  now: datetime | None = None, request=None) -> Referral:
    """The enquiry is complete: move to the safeguarding plan and review."""
    now = now or timezone.now()
    referral = _locked(referral_id)
    row = _check(referral=referral, actor=actor, action=Action.PLAN)
    from_status = referral.status
    referral.status = row.target
    referral.save(update_fields=["status", "updated_at"])
    _log(referral=referral, row=row, actor=actor, now=now, from_status=from_status,
         reason=reason.strip(), request=request, detail={})
    _clocks(referral=referral, row=row, actor=actor, now=now)
    _tell_referrers(referral=referral, from_status=from_status, row=row)
    return referral


def msp_outcome_check(*, pathway: str, msp_outcome: str) -> str:
    """Making Safeguarding Personal (issue 15, item 7): closing an adult referral records
    whether the outcomes the person wanted were achieved, one of core.vocabulary.MspOutcome.
    Children's pathways (and the LADO's) do not ask it: their answer is always blank."""
    if not Pathway.is_adult(pathway):
        return ""
    if msp_outcome not in MspOutcome.values:
        message = "Select whether the outcomes the person wanted were achieved"
        raise TransitionError(message, {"msp_outcome": message})
    return msp_outcome


@transaction.atomic
def referral_close(*, referral_id: int, actor, reason: str, feedback: Feedback | None,
                   told_by_phone: bool = False, msp_outcome: str = "",
                   now: datetime | None = None, request=None) -> Referral:
    """Close at any stage, with a reason, telling the referrer (and who to contact next time).

    Refused while feedback already owed to any of its referrers is neither sent nor recorded
    (feedback.services.feedback_assert_given_before_close). The closure's own feedback goes by
    email through the outbox; a referrer who asked for phone only must have been phoned
    (`told_by_phone`), and the call is recorded as given with the closure, so the referral is
    never closed owing them anything.

    An adult referral's closure records whether the person's desired outcomes were achieved
    (`msp_outcome`, msp_outcome_check): on the referral, in the closure's timeline event, and
    in the referrer's closure feedback where consent allows (feedback.selectors)."""
    now = now or timezone.now()
    referral = _locked(referral_id)
    row = _check(referral=referral, actor=actor, action=Action.CLOSE)
    _require_reason(row, reason)
    _require_feedback(row, feedback)
    msp_outcome = msp_outcome_check(pathway=referral.pathway, msp_outcome=msp_outcome)
    try:  # the promise: nothing is closed while a referrer is still owed feedback
        feedback_assert_given_before_close(referral)
    except FeedbackOutstanding as owed:
        raise TransitionError(owed.message) from owed
    by_phone = [target for target in _owed_referrals(referral)
                if target.feedback_preference == "phone_only"]
    if by_phone and not told_by_phone:
        message = ("The referrer asked for feedback by phone only: phone them, tell them this "
                   "feedback, then confirm you have")
        raise TransitionError(message, {"told_by_phone": message})
    from_status = referral.status
    referral.status, referral.closed_at = row.target, now
    referral.msp_outcome = msp_outcome
    referral.save(update_fields=["status", "closed_at", "msp_outcome", "updated_at"])
    record = _owe(referral=referral, row=row, feedback=feedback, actor=actor, now=now)
    for target in by_phone:  # the calls confirmed on the form, recorded with the closure
        feedback_give_by_phone(referral=target, actor=actor, given_at=now, request=request,
                               closing=referral,
                               summary=_referrer_words(feedback, "") or record.outcome_text)
    _decision(referral=referral, row=row, actor=actor, now=now, rationale=reason.strip(),
              record=record)
    _log(referral=referral, row=row, actor=actor, now=now, from_status=from_status,
         reason=_referrer_words(feedback, ""), request=request,
         detail={"feedback": record.pk, "msp_outcome": msp_outcome})
    _clocks(referral=referral, row=row, actor=actor, now=now)
    _tell_referrers(referral=referral, from_status=from_status, row=row)
    return referral


def _other(referral: Referral, other_id: int, actor) -> Referral:
    """The referral a link or merge names, locked. The actor must act on it too (the access
    policy's may_link; _check has already shown they act on `referral`): a target outside
    their teams is refused before anything changes."""
    if other_id == referral.pk:
        raise TransitionError("A referral cannot duplicate itself",
                              {"other": "Choose another referral"})
    other = Referral.objects.select_for_update(of=("self",)).filter(pk=other_id).first()
    if other is not None and not access.may_act(actor, other):
        raise TransitionForbidden("You do not have access to that referral.")
    if other is None or other.status in (Status.DRAFT, Status.MERGED):
        raise TransitionError("That referral cannot be linked", {"other": "Choose another"})
    return other


@transaction.atomic
def referral_link(*, referral_id: int, actor, other_id: int, reason: str = "",
                  now: datetime | None = None, request=None) -> Referral:
    """Link two referrals about the same person. Both carry on; nothing changes status."""
    now = now or timezone.now()
    referral = _locked(referral_id)
    row = _check(referral=referral, actor=actor, action=Action.LINK)
    other = _other(referral, other_id, actor)
    DuplicateLink.objects.get_or_create(
        referral=referral, other=other, kind=DuplicateKind.LINK,
        defaults={"by": actor, "at": now, "reason": reason.strip()},
    )
    if referral.linked_to_id is None:
        referral.linked_to = other
        referral.save(update_fields=["linked_to", "updated_at"])
    _log(referral=referral, row=row, actor=actor, now=now, from_status=referral.status,
         reason=reason.strip(), request=request, detail={"other": other.pk})
    audit_record(action=AuditAction.REFERRAL_LINKED_FROM, actor=actor, request=request,
                 referral=other,
                 detail={"other": referral.pk})
    return referral


@transaction.atomic
def referral_merge(*, referral_id: int, actor, other_id: int, feedback: Feedback | None,
                   reason: str = "", now: datetime | None = None, request=None) -> Referral:
    """Merge this referral into `other`, which carries on. This referrer is told now and is
    owed feedback on every later decision on `other` (see _owe). `other`'s team can read it."""
    now = now or timezone.now()
    referral = _locked(referral_id)
    row = _check(referral=referral, actor=actor, action=Action.MERGE)
    other = _other(referral, other_id, actor)
    if other.status in Status.finished():
        raise TransitionError("Merge into an open referral",
                              {"other": "That referral is finished: choose an open one"})
    _require_feedback(row, feedback)
    from_status = referral.status
    referral.status, referral.linked_to, referral.assignee = row.target, other, None
    referral.save(update_fields=["status", "linked_to", "assignee", "updated_at"])
    DuplicateLink.objects.get_or_create(
        referral=referral, other=other, kind=DuplicateKind.MERGE,
        defaults={"by": actor, "at": now, "reason": reason.strip()},
    )
    if other.team is not None:
        assign_perm("referrals.view_referral", other.team.group, referral)
    record = _owe(referral=referral, row=row, feedback=feedback, actor=actor, now=now)
    _decision(referral=referral, row=row, actor=actor, now=now, rationale=reason.strip(),
              record=record)
    _log(referral=referral, row=row, actor=actor, now=now, from_status=from_status,
         reason=_referrer_words(feedback, ""), request=request,
         detail={"other": other.pk, "feedback": record.pk})
    record_change(
        referral=other, kind=EventKind.MERGED_IN, actor=actor, request=request, at=now,
        from_status=other.status, to_status=other.status, reason=reason.strip(),
        detail={"other": referral.pk}, audit_detail={"other": referral.pk},
    )
    _clocks(referral=referral, row=row, actor=actor, now=now)
    return referral


# For the table-driven tests and the page: the service for each action.
SERVICES = {
    Action.DECIDE: referral_decide,
    Action.RAG_RATE: referral_rag_rate,
    Action.INFO_REQUEST: referral_info_request,
    Action.INFO_RECEIVE: referral_info_receive,
    Action.REROUTE: referral_reroute,
    Action.PLAN: referral_plan,
    Action.CLOSE: referral_close,
    Action.WITHDRAW: referral_withdraw,
    Action.LINK: referral_link,
    Action.MERGE: referral_merge,
}

# Exported so callers need not import workflow for the outcome list.
__all__ = ["Feedback", "Outcome", "TransitionError", "TransitionForbidden", "feedback_errors",
           *[f.__name__ for f in SERVICES.values()]]
