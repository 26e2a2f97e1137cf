"""Twelve months of historic referrals so the demo dashboard has something to show, made by the
same forms, services and clock engine as live referrals (issue 20): each is submitted, rated,
decided, given its feedback, concluded and closed at a simulated time, with `now` passed to
every service. So every deadline, met time and breach is one the portal itself computed; nothing
is written by hand. Idempotent: does nothing once its referrals (answers' demo_key "history-N")
exist.

Synthetic and deterministic (a seeded random generator); no real person's data. Voluntary-sector
referrals fall over the year on purpose: the trend chart then shows what the seeds worried about.
"""

import random
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import Membership, MembershipStatus, Sector, User
from core.vocabulary import Outcome, Pathway, RagRating
from feedback.services import feedback_give_by_phone
from outbox.models import Notice, NoticeStatus
from outbox.send import notices_send_now
from outbox.tasks import notices_send
from pathways.models import Deadline
from referrals.demo import DEMOS, demo_referral_build
from referrals.models import Referral
from triage import transitions as t
from triage.transitions import Feedback

from .refresh import summaries_rebuild

# Making Safeguarding Personal answers for the demo's closed adult referrals, in turn (more
# achieved than not, as London's returns show); children's closures ignore them.
DEMO_MSP = ("fully", "fully", "partly", "fully", "not_achieved", "partly", "not_asked")

KEY = "history-"
ADULT_CATEGORIES = ["physical", "domestic", "sexual", "psychological", "financial",
                    "modern_slavery", "discriminatory", "organisational", "neglect",
                    "self_neglect"]
CHILD_CATEGORIES = ["physical", "emotional", "sexual", "neglect"]
# The demo referrals' answers, one set per pathway (referrals.demo): the history varies only the
# categories, the urgency and who refers.
ANSWERS = {answers["pathway"]["pathway"]: answers for _, _, _, answers in DEMOS}
ADULT_DETAIL = {Outcome.S42_MET: "council", Outcome.CONCERN_NOT_MET: "care_assessment",
                Outcome.NOT_SAFEGUARDING: "signposted"}
SIGNPOST = "Age UK Lewisham and Southwark: 020 8690 3320."
# What staff record with each decision (issue 15 item 6): the children's level of need by
# outcome, and for adults which section 42 criterion was not met (varied by referral, not by
# the random generator, so the rest of the history is unchanged).
LEVEL_FOR = {Outcome.NFA: "level-1", Outcome.EARLY_HELP: "level-2",
             Outcome.FAMILY_HELP: "level-3", Outcome.CHILD_IN_NEED: "level-3",
             Outcome.CHILD_PROTECTION: "level-4", Outcome.IMMEDIATE_PROTECTION: "level-4"}
CRITERIA = ("s42_care_needs", "s42_abuse", "s42_unable_to_protect")


def _criteria(outcome: str, pk: int) -> dict:
    if outcome == Outcome.S42_MET:
        return dict.fromkeys(CRITERIA, "met")
    answers = dict.fromkeys(CRITERIA, "met")
    if outcome == Outcome.NOT_SAFEGUARDING:
        answers = dict.fromkeys(CRITERIA, "not_known")
    answers[CRITERIA[pk % 3 if outcome == Outcome.NOT_SAFEGUARDING else 1 + pk % 2]] = "not_met"
    return answers
# Sent months ago: the history's emails go to memory, not to the run command's console.
QUIET_EMAIL = "django.core.mail.backends.locmem.EmailBackend"


def demo_history_exists() -> bool:
    return Referral.objects.filter(answers__demo_key=f"{KEY}1").exists()


# The four pathways the demo history was drawn over (issue 16's AAD and LADO teams have no
# demo history yet; keeping the list keeps the seeded history the same).
HISTORY_PATHWAYS = [Pathway.OPPD, Pathway.MENTAL_HEALTH, Pathway.LEARNING_DISABILITIES,
                    Pathway.MASH]


def dashboard_demo_ensure(*, now: datetime | None = None, per_month: int | None = None) -> int:
    """Create the demo history once; returns how many referrals it added."""
    if demo_history_exists():
        return 0
    referrers = list(Membership.objects.filter(status=MembershipStatus.APPROVED)
                     .select_related("user", "organisation").order_by("pk"))
    staff = {p: User.objects.filter(email=f"triage.{p}@council.example.gov.uk").first()
             for p in Pathway.every()}
    managers = {p: User.objects.filter(email=f"manager.{p}@council.example.gov.uk").first()
                for p in Pathway.every()}
    if not referrers or not all(staff.values()) or not all(managers.values()):
        return 0
    now = now or timezone.now()
    rng = random.Random(7)  # noqa: S311 - demo data, not security
    plans = []
    per_month = per_month or settings.DEMO_HISTORY_PER_MONTH
    for _ in range(per_month * 12):
        age_days = rng.uniform(0, 365)
        received = now - timedelta(days=age_days)
        received = received.replace(hour=rng.choice([8, 9, 10, 11, 13, 14, 15, 16, 19]),
                                    minute=rng.randrange(60), second=0, microsecond=0)
        if received > now:
            received -= timedelta(days=1)
        # Voluntary-sector referrals fall through the year; others stay level.
        weights = [(0.3 + 0.7 * age_days / 365)
                   if m.organisation.sector == Sector.VOLUNTARY else 1.0 for m in referrers]
        plans.append((received, rng.choices(referrers, weights=weights)[0].user,
                      rng.choices(HISTORY_PATHWAYS, weights=[40, 20, 12, 28])[0]))
    plans.sort(key=lambda plan: plan[0])  # in the order they happened
    # Each change hands its notices to the broker after commit; the history has sent almost all
    # of them already, at their simulated times, so the hand-over runs in process (the task
    # returns at once for a sent notice) instead of some 2,000 broker messages.
    eager, app = notices_send.app.conf.task_always_eager, notices_send.app
    app.conf.task_always_eager = True
    try:
        with override_settings(EMAIL_BACKEND=QUIET_EMAIL), transaction.atomic():
            for number, (received, referrer, pathway) in enumerate(plans, start=1):
                _history(number, received, referrer, pathway, now=now, rng=rng,
                         worker=staff[pathway], manager=managers[pathway])
    finally:
        app.conf.task_always_eager = eager
    # Build the summaries now so the staff dashboard has them before beat's first run.
    summaries_rebuild(now=now)
    return len(plans)


def _submit(number, received, referrer, pathway, rng) -> Referral:
    child = pathway == Pathway.MASH
    answers = ANSWERS[pathway]
    categories = rng.sample(CHILD_CATEGORIES if child else ADULT_CATEGORIES,
                            k=rng.choice([1, 1, 1, 2]))
    answers = {**answers, "concern": {**answers["concern"], "categories": categories}}
    return demo_referral_build(referrer, f"{KEY}{number}", rng.random() < 0.12, answers,
                               submit=True, now=received)


def _send(referral: Referral, at: datetime) -> None:
    """What the worker does: send the referral's pending notices, at `at`."""
    notices_send_now(Notice.objects.filter(referral=referral, status=NoticeStatus.PENDING)
                     .values_list("pk", flat=True), now=at)


def _decision_due(referral: Referral) -> datetime:
    return Deadline.objects.open().get(referral=referral,
                                       kind__in=("concern_decision", "mash_decision")).due_at


def _history(number, received, referrer, pathway, *, now, rng, worker, manager) -> None:
    referral = _submit(number, received, referrer, pathway, rng)
    _send(referral, received + timedelta(minutes=1))  # the acknowledgement
    child = pathway == Pathway.MASH
    due = _decision_due(referral)
    # About one in eight decisions is late; the rest fall between receipt and the due time.
    if rng.random() < 0.13:
        decided_at = due + timedelta(hours=rng.uniform(1, 30))
    else:
        decided_at = received + (due - received) * rng.uniform(0.05, 0.98)
    if child:
        rated = received + timedelta(minutes=rng.randrange(20, 180))
        if rated >= now:
            return
        rating = rng.choice(list(RagRating.values))
        t.referral_rag_rate(referral_id=referral.pk, actor=worker, rating=rating, now=rated)
        if rating == RagRating.RED and rng.random() < 0.85:  # red is decided within hours
            decided_at = rated + timedelta(hours=rng.uniform(0.3, 3.9))
        decided_at = max(decided_at, rated + timedelta(minutes=rng.randrange(10, 60)))
    elif rng.random() < 0.02:
        withdrawn = received + timedelta(minutes=rng.randrange(10, 120))
        if withdrawn < now:
            t.referral_withdraw(referral_id=referral.pk, actor=referrer, now=withdrawn,
                                reason="Sent for the wrong person.")
        return
    if decided_at >= now or (received > now - timedelta(days=2) and rng.random() < 0.6):
        return  # still waiting for a decision
    if child:
        outcome = rng.choices(list(Outcome.child()), weights=[30, 25, 5, 20, 15, 5])[0]
        detail = ""
    else:
        outcome = rng.choices(list(Outcome.adult()), weights=[30, 35, 35])[0]
        detail = ADULT_DETAIL[outcome]
    t.referral_decide(referral_id=referral.pk, actor=worker, outcome=outcome, detail=detail,
                      feedback=Feedback(outcome_text=Outcome(outcome).label + ".",
                                        reason="The team looked at the concern.",
                                        signposting=SIGNPOST),
                      criteria=None if child else _criteria(outcome, referral.pk),
                      need_level=LEVEL_FOR.get(outcome) if child else None,
                      now=decided_at)
    given = decided_at + timedelta(hours=rng.uniform(0.1, 30))
    if given >= now:
        return
    if rng.random() < 0.08:
        feedback_give_by_phone(referral=referral, actor=worker, given_at=given,
                               summary="Told the referrer the decision by phone.")
    else:
        _send(referral, given)
    closes_at, closer = decided_at + timedelta(days=rng.uniform(5, 25)), worker
    if outcome == Outcome.S42_MET:
        concluded = decided_at + timedelta(days=rng.uniform(10, 75))
        if concluded >= now:
            return
        t.referral_plan(referral_id=referral.pk, actor=worker, reason="Enquiry complete.",
                        now=concluded)
        closes_at, closer = concluded + timedelta(days=3), manager
    closes_at = max(closes_at, given + timedelta(hours=1))
    if closes_at >= now:
        return
    t.referral_close(referral_id=referral.pk, actor=closer, reason="Work finished.",
                     feedback=Feedback(outcome_text="The referral is closed.",
                                       reason="The work on it is finished."),
                     msp_outcome=DEMO_MSP[referral.pk % len(DEMO_MSP)], now=closes_at)
    _send(referral, closes_at + timedelta(minutes=5))

