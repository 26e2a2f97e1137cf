"""Reads of challenges for a person, scoped by the access policy (referrals.access)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from referrals import access
from referrals.consent import consent_withheld
from referrals.models import Referral

from .models import Challenge, ChallengeState, ChallengeStep, StepEnd
from .services import active_challenge, may_answer, may_raise, next_tier


@dataclass(frozen=True)
class ChallengeView:
    """What the referrer's status page shows: never who at the council answered."""

    challenge: Challenge | None
    steps: list[ChallengeStep]
    may_raise: bool
    may_take_further: bool
    next_tier_name: str
    # The adult refused consent: each stage's answer is given in general words (its outcome),
    # never the words written for the referrer, as the timeline does (feedback.selectors).
    answers_withheld: bool = False


def for_follower(user, referral: Referral) -> ChallengeView:
    """The referral's latest challenge for its referrer or their organisation's lead."""
    challenge = referral.challenges.order_by("-raised_at", "-id").first()
    steps = list(challenge.steps.all()) if challenge else []
    further = None
    if challenge is not None and challenge.state == ChallengeState.ANSWERED:
        further = next_tier(referral.pathway, challenge.level)
    withheld = consent_withheld(referral)
    return ChallengeView(
        challenge=challenge, steps=steps, may_raise=may_raise(user, referral),
        may_take_further=further is not None and access.may_follow(user, referral),
        next_tier_name=further.name if further else "", answers_withheld=withheld)


def for_staff(referral: Referral) -> list[Challenge]:
    return list(referral.challenges.prefetch_related("steps").order_by("-raised_at"))


def team_challenges(user) -> QuerySet[Challenge]:
    """Challenges on referrals this person's teams act on, waiting first then most recent."""
    referrals = access.referrals_for_staff(user, access.TRIAGE)
    return (Challenge.objects.filter(referral__in=referrals.values("pk"))
            .select_related("referral").order_by("state", "due_at", "-raised_at"))


__all__ = ["ChallengeView", "StepEnd", "active_challenge", "for_follower", "for_staff",
           "may_answer", "team_challenges"]
