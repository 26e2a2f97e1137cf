"""Demo challenges to decisions (issue 15), so the dashboard's challenges section shows real
figures: raised, answered, passed on unanswered and upheld through the real services and the
real sweep, at chosen times (weeks ago on the demo history's decisions, and one today on the
triage demo's). Idempotent: does nothing once a demo challenge exists. Needs the triage demo
and the dashboard history first."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.vocabulary import Status
from referrals.models import Referral

from .models import Challenge
from .services import challenge_answer, challenge_raise
from .sweep import challenges_sweep

DEMO = "Demo challenge: "


def _manager(referral) -> User | None:
    return User.objects.filter(email=f"manager.{referral.pathway}@council.example.gov.uk").first()


def _decided_between(start: datetime, end: datetime, *, exclude=()) -> tuple[Referral, datetime] | None:
    """A demo history referral decided in [start, end], not withdrawn or merged, and when."""
    candidates = (Referral.objects.filter(answers__demo_key__startswith="history-")
                  .exclude(outcome="").exclude(status__in=[Status.WITHDRAWN, Status.MERGED])
                  .exclude(pk__in=exclude).select_related("referrer").order_by("pk"))
    for referral in candidates:
        decision = referral.decisions.order_by("-decided_at").first()
        if decision and start <= decision.decided_at <= end and _manager(referral):
            return referral, decision.decided_at
    return None


@transaction.atomic
def demo_challenges_ensure(*, now: datetime | None = None) -> int:
    """Create the demo challenges once; returns how many it made."""
    if Challenge.objects.filter(reason__startswith=DEMO).exists():
        return 0
    now = now or timezone.now()
    made = 0
    # Weeks ago: answered by the team manager, the decision stands.
    found = _decided_between(now - timedelta(days=75), now - timedelta(days=50))
    if found:
        referral, decided = found
        challenge = challenge_raise(
            referral=referral, actor=referral.referrer, now=decided + timedelta(days=3),
            reason=DEMO + "the decision does not say which part of the threshold was not met.")
        challenge_answer(challenge=challenge, actor=_manager(referral), upheld=False,
                         now=decided + timedelta(days=5),
                         response="The team manager has reviewed the decision: she is able to "
                                  "protect herself, so section 42 is not met. Signposting stands.")
        made += 1
    # A month ago: the team manager did not answer in time, so the sweep passed it to the head
    # of service, who upheld it (the manager records their answer).
    found = _decided_between(now - timedelta(days=45), now - timedelta(days=25),
                             exclude=[found[0].pk] if found else ())
    if found:
        referral, decided = found
        challenge = challenge_raise(
            referral=referral, actor=referral.referrer, now=decided + timedelta(days=2),
            reason=DEMO + "things have changed since the referral and nobody has visited.")
        challenge.refresh_from_db()
        challenges_sweep(now=challenge.due_at + timedelta(minutes=1))
        challenge.refresh_from_db()
        challenge_answer(challenge=challenge, actor=_manager(referral), upheld=True,
                         now=challenge.due_at - timedelta(days=1)
                         if challenge.due_at else decided + timedelta(days=12),
                         response="The head of service agrees the decision should be looked at "
                                  "again: the team will visit this week.")
        made += 1
    # Today, on the triage demo's mental health decision: waiting for the team manager.
    today = Referral.objects.filter(answers__demo_key="triage-mh-not-met").select_related(
        "referrer").first()
    if today is not None and today.outcome:
        challenge_raise(referral=today, actor=today.referrer, now=timezone.now(),
                        reason=DEMO + "he cannot manage his medication alone; the decision "
                                      "says he can.")
        made += 1
    return made
