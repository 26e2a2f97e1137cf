"""The writers of a challenge: raise, answer, take to the next stage, and pass on unanswered.

Each is keyword-only and atomic: check (the access policy, the challenge's state), lock, write,
then the referral's record (referrals.record: timeline event and audit row together) and the
notices (outbox, same transaction). A tier's clock is the pathway's ClockKind.CHALLENGE policy
row computed by the clock engine, so `clocks explain --challenged` shows the same times.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from accounts.recipients import follow_up_person
from core.vocabulary import ClockKind, EventKind, Status
from outbox.dispatch import notices_enqueue_on_commit
from outbox.models import Channel
from outbox.wording import when_text
from outbox.write import notice_queue, referrer_channels
from pathways.clocks import compute
from pathways.policies import policy_rule, rule_to_json, working_calendar
from referrals import access, workflow
from referrals.access import OutOfScope
from referrals.models import Referral
from referrals.record import record

from .models import Challenge, ChallengeState, ChallengeStep, ChallengeTier, StepEnd

REASON_MAX_CHARS = 5000
# Without any tier rows for a pathway (an administrator removed them) a challenge still has
# somebody to answer it: the team manager.
FALLBACK_TIER = ChallengeTier(level=1, name="Team manager",
                              referrer_words="The team manager will look at your challenge.")


# ---- checks -----------------------------------------------------------------------------------

def tiers_for(pathway: str) -> list[ChallengeTier]:
    return list(ChallengeTier.objects.filter(pathway=pathway).order_by("level")) or [FALLBACK_TIER]


def tier_at(pathway: str, level: int) -> ChallengeTier | None:
    return next((tier for tier in tiers_for(pathway) if tier.level == level), None)


def next_tier(pathway: str, level: int) -> ChallengeTier | None:
    return next((tier for tier in tiers_for(pathway) if tier.level > level), None)


# A referral withdrawn or merged into another has no decision of its own left to challenge.
FINISHED_AWAY = (Status.WITHDRAWN, Status.MERGED)


def is_decided(referral: Referral) -> bool:
    """A decision has been made and the referral was not withdrawn or merged away."""
    return bool(referral.outcome) and referral.status not in FINISHED_AWAY


def active_challenge(referral: Referral) -> Challenge | None:
    return referral.challenges.filter(state__in=ChallengeState.active()).first()


def may_raise(user, referral: Referral) -> bool:
    """The referrer or their organisation's lead, on a decided referral with no challenge
    running."""
    return (access.may_follow(user, referral) and is_decided(referral)
            and active_challenge(referral) is None)


def may_answer(user, referral: Referral) -> bool:
    """A team manager of the referral's team records each tier's answer (the head of service's
    and the board's too: they answer by email or letter, and the manager records it)."""
    return access.role_on(user, referral) == workflow.MANAGER


# ---- services ---------------------------------------------------------------------------------

@transaction.atomic
def challenge_raise(*, referral: Referral, actor, reason: str, now: datetime,
                    request=None) -> Challenge:
    """"I disagree with this decision": the first tier's clock starts now."""
    referral = (Referral.objects.select_for_update(of=("self",)).select_related("team")
                .get(pk=referral.pk))
    if not access.may_follow(actor, referral):
        raise OutOfScope("You cannot challenge this referral's decision.")
    if not is_decided(referral):
        raise ValidationError("You can challenge a decision once one has been made.")
    if active_challenge(referral) is not None:
        raise ValidationError("This decision is already being challenged. You can follow the "
                              "challenge on this page.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why you disagree with the decision."})
    if len(reason) > REASON_MAX_CHARS:
        raise ValidationError(
            {"reason": f"Why you disagree must be {REASON_MAX_CHARS} characters or fewer."})
    tier = tiers_for(referral.pathway)[0]
    challenge = Challenge.objects.create(referral=referral, raised_by=actor, raised_at=now,
                                         reason=reason, level=tier.level)
    step = _start_step(challenge, tier, now)
    record(referral=referral, kind=EventKind.CHALLENGE_RAISED, actor=actor, request=request,
           at=now, reason=reason, visible_to_referrer=True, obj=challenge,
           detail={"challenge": challenge.pk, "level": tier.level},
           audit_detail={"challenge": challenge.pk, "level": tier.level, "chars": len(reason)})
    _tell_staff(challenge, tier, key=f"challenge:{challenge.pk}:raised",
                subject=f"Decision challenged: referral {referral.reference}",
                body=f"The referrer has challenged the decision on safeguarding referral "
                     f"{referral.reference}. The {tier.name.lower()} is asked to answer by "
                     f"{when_text(step.due_at)}. Sign in to read why and to record the answer.")
    _tell_referrer(challenge, key=f"challenge:{challenge.pk}:raised",
                   subject=f"Your challenge to the decision on referral {referral.reference}",
                   body=f"We have received your challenge to the decision on safeguarding "
                        f"referral {referral.reference}. The {tier.name.lower()} will answer by "
                        f"{when_text(step.due_at)}.")
    return challenge


@transaction.atomic
def challenge_answer(*, challenge: Challenge, actor, upheld: bool, response: str, now: datetime,
                     request=None) -> ChallengeStep:
    """The current tier's answer, recorded by a team manager and told to the referrer."""
    challenge = _locked(challenge)
    referral = challenge.referral
    if not may_answer(actor, referral):
        raise OutOfScope("Only a manager of the referral's team records a challenge's answer.")
    if challenge.state != ChallengeState.AWAITING:
        raise ValidationError("This challenge is not waiting for an answer.")
    response = (response or "").strip()
    if not response:
        raise ValidationError({"response": "Enter the answer to give the referrer."})
    if len(response) > REASON_MAX_CHARS:
        raise ValidationError(
            {"response": f"The answer must be {REASON_MAX_CHARS} characters or fewer."})
    step = challenge.steps.get(ended_at__isnull=True)
    step.ended_at, step.response, step.responded_by = now, response, actor
    step.end = StepEnd.UPHELD if upheld else StepEnd.ANSWERED
    step.save(update_fields=["ended_at", "response", "responded_by", "end"])
    challenge.state = ChallengeState.UPHELD if upheld else ChallengeState.ANSWERED
    challenge.due_at = challenge.warning_at = None
    if upheld:
        challenge.finished_at = now
    challenge.save(update_fields=["state", "due_at", "warning_at", "finished_at"])
    record(referral=referral, kind=EventKind.CHALLENGE_ANSWERED, actor=actor, request=request,
           at=now, reason=response, visible_to_referrer=True, obj=challenge,
           detail={"challenge": challenge.pk, "level": step.level, "upheld": upheld},
           audit_detail={"challenge": challenge.pk, "level": step.level, "upheld": upheld,
                         "late": now > step.due_at})
    outcome = ("agrees the decision should be looked at again" if upheld
               else "has answered; the decision stands")
    _tell_referrer(challenge, key=f"challenge:{challenge.pk}:answered:{step.level}",
                   subject=f"Your challenge on referral {referral.reference} has been answered",
                   body=f"The {step.tier_name.lower()} {outcome}. Sign in to read the answer"
                        f"{'' if upheld else ' and, if you still disagree, take it further'}.")
    return step


@transaction.atomic
def challenge_take_further(*, challenge: Challenge, actor, now: datetime,
                           request=None) -> ChallengeStep:
    """The referrer still disagrees after an answer: the next tier's clock starts now."""
    challenge = _locked(challenge)
    referral = challenge.referral
    if not access.may_follow(actor, referral):
        raise OutOfScope("You cannot take this challenge further.")
    if not is_decided(referral):
        raise ValidationError("This referral was withdrawn or merged into another, so its "
                              "decision can no longer be challenged.")
    if challenge.state != ChallengeState.ANSWERED:
        raise ValidationError("You can take a challenge further once it has been answered.")
    tier = next_tier(referral.pathway, challenge.level)
    if tier is None:
        raise ValidationError("This challenge has been through every stage.")
    return _escalate(challenge, tier, now, actor=actor, request=request,
                     why="You took the challenge to the next stage.")


def challenge_escalate_unanswered(*, challenge: Challenge, now: datetime) -> ChallengeStep | None:
    """The sweep: the current tier did not answer in time. The next tier's clock starts; at
    the last tier the managers and the referrer are told once that it is overdue. In the
    caller's transaction, on a row it has locked. A referral withdrawn or merged since changes
    nothing (None)."""
    referral = challenge.referral
    if not is_decided(referral):
        return None
    step = challenge.steps.get(ended_at__isnull=True)
    tier = next_tier(referral.pathway, challenge.level)
    if tier is None:
        challenge.breached_at = now
        challenge.save(update_fields=["breached_at"])
        _tell_staff(challenge, tier_at(referral.pathway, challenge.level) or FALLBACK_TIER,
                    key=f"challenge:{challenge.pk}:overdue",
                    subject=f"Challenge not answered: referral {referral.reference}",
                    body=f"The challenge to the decision on safeguarding referral "
                         f"{referral.reference} was due an answer from the "
                         f"{step.tier_name.lower()} by {when_text(step.due_at)}, the last "
                         "stage. Please answer it now.")
        return None
    step.ended_at, step.end = now, StepEnd.UNANSWERED
    step.save(update_fields=["ended_at", "end"])
    return _escalate(challenge, tier, now, actor=None, request=None,
                     why=f"The {step.tier_name.lower()} did not answer by "
                         f"{when_text(step.due_at)}.")


# ---- steps and notices ------------------------------------------------------------------------

def _locked(challenge: Challenge) -> Challenge:
    # Referral first, then the challenge: the order every referral service locks in.
    Referral.objects.select_for_update().filter(pk=challenge.referral_id).exists()
    return (Challenge.objects.select_for_update(of=("self",))
            .select_related("referral", "referral__team", "referral__referrer")
            .get(pk=challenge.pk))


def _start_step(challenge: Challenge, tier: ChallengeTier, now: datetime) -> ChallengeStep:
    rule = policy_rule(challenge.referral.pathway, ClockKind.CHALLENGE)
    result = compute(rule, now, working_calendar())
    challenge.level, challenge.due_at, challenge.warning_at = tier.level, result.due, result.warning
    challenge.state = ChallengeState.AWAITING
    challenge.save(update_fields=["level", "due_at", "warning_at", "state"])
    return ChallengeStep.objects.create(challenge=challenge, level=tier.level,
                                        tier_name=tier.name, rule=rule_to_json(rule),
                                        started_at=now, due_at=result.due)


def _escalate(challenge, tier, now, *, actor, request, why) -> ChallengeStep:
    referral = challenge.referral
    step = _start_step(challenge, tier, now)
    words = (f"{why} It has gone to the {tier.name.lower()}, who should answer by "
             f"{when_text(step.due_at)}. {tier.referrer_words}")
    record(referral=referral, kind=EventKind.CHALLENGE_ESCALATED, actor=actor, request=request,
           at=now, reason=words, visible_to_referrer=True, obj=challenge,
           detail={"challenge": challenge.pk, "level": tier.level,
                   "by": "referrer" if actor else "sweep"},
           audit_detail={"challenge": challenge.pk, "level": tier.level,
                         "by": "referrer" if actor else "sweep"})
    _tell_staff(challenge, tier, key=f"challenge:{challenge.pk}:level:{tier.level}",
                subject=f"Challenge passed to the {tier.name.lower()}: referral "
                        f"{referral.reference}",
                body=f"The challenge to the decision on safeguarding referral "
                     f"{referral.reference} is now with the {tier.name.lower()}, to be answered "
                     f"by {when_text(step.due_at)}. Sign in to read it and record the answer.")
    _tell_referrer(challenge, key=f"challenge:{challenge.pk}:level:{tier.level}",
                   subject=f"Your challenge on referral {referral.reference} has moved on",
                   body=f"Your challenge to the decision on safeguarding referral "
                        f"{referral.reference} has gone to the {tier.name.lower()}, who should "
                        f"answer by {when_text(step.due_at)}.")
    return step


def _people(challenge: Challenge) -> list[User]:
    """The raiser and whoever follows the referral for the referrer (the referrer, or the
    colleague the follow-up was handed to), once each; the raiser only while they still follow
    the referral (a member who left is told nothing)."""
    referral = challenge.referral
    follower = follow_up_person(referral)
    people = {follower.pk: follower}
    if challenge.raised_by_id not in people and access.may_follow(challenge.raised_by, referral):
        people[challenge.raised_by_id] = challenge.raised_by
    return [person for person in people.values() if person.is_active]


def _tell_referrer(challenge: Challenge, *, key: str, subject: str, body: str) -> None:
    referral = challenge.referral
    notices = []
    follower_id = follow_up_person(referral).pk
    for person in _people(challenge):
        channels = (referrer_channels(referral) if person.pk == follower_id
                    else [Channel.PORTAL, Channel.EMAIL])
        for channel in channels:
            notice = notice_queue(kind="challenge", subject=subject, body=body, recipient=person,
                                  referral=referral, channel=channel, send_after_commit=False,
                                  dedupe_key=f"{key}:user:{person.pk}:{channel}")
            if notice is not None:
                notices.append(notice)
    notices_enqueue_on_commit(notices)


def _tell_staff(challenge: Challenge, tier: ChallengeTier, *, key: str, subject: str,
                body: str) -> None:
    """The team's managers (portal and email) and the tier's own address, if it has one."""
    referral = challenge.referral
    notices = []
    managers = list(referral.team.managers()) if referral.team_id else []
    for person in managers:
        for channel in (Channel.PORTAL, Channel.EMAIL):
            notices.append(notice_queue(
                kind="challenge_staff", subject=subject, body=body, recipient=person,
                referral=referral, channel=channel, send_after_commit=False,
                dedupe_key=f"{key}:staff:{person.pk}:{channel}"))
    extra = tier.email or ("" if managers else (referral.team.email if referral.team_id else ""))
    if extra:
        notices.append(notice_queue(
            kind="challenge_staff", subject=subject, body=body, recipient_email=extra,
            referral=referral, send_after_commit=False, dedupe_key=f"{key}:tier"))
    notices_enqueue_on_commit([notice for notice in notices if notice is not None])
