"""Twelve months of historic referrals, clocks and feedback so the demo dashboard has something
to show. Idempotent: does nothing once its rows (references starting "DM") exist.

Synthetic and deterministic (a seeded random generator); no real person's data. Voluntary-sector
referrals fall over the year on purpose: the trend chart then shows what the seeds worried about.
"""

import random
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Membership, MembershipStatus, Organisation, Sector, Team
from core.vocabulary import EventKind, Outcome, Pathway, RagRating, Status
from feedback.models import FeedbackRecord
from outbox.models import Notice
from pathways.deadlines import next_clock_sql
from pathways.models import Deadline
from referrals.models import Referral
from referrals.record import Entry, record_bulk

from .refresh import summaries_rebuild

PREFIX = "DM"
ADULT_CATEGORIES = ["physical", "domestic", "sexual", "psychological", "financial",
                    "modern_slavery", "discriminatory", "organisational", "neglect",
                    "self_neglect"]
CHILD_CATEGORIES = ["physical", "emotional", "sexual", "neglect"]
RAG_HOURS = {RagRating.RED: 4, RagRating.AMBER: 24, RagRating.GREEN: 72}


def _referrer_for(org, fallback):
    membership = (Membership.objects.filter(organisation=org, status=MembershipStatus.APPROVED)
                  .select_related("user").first())
    return membership.user if membership else fallback


@transaction.atomic
def dashboard_demo_ensure(*, now: datetime | None = None, per_month: int = 45) -> int:
    """Create the demo history once; returns how many referrals it added."""
    if Referral.objects.filter(reference__startswith=PREFIX).exists():
        return 0
    orgs = list(Organisation.objects.order_by("name"))
    teams = {t.pathway: t for t in Team.objects.all()}
    if not orgs or not teams:
        return 0
    now = now or timezone.now()
    rng = random.Random(7)  # noqa: S311 - demo data, not security
    # An organisation with no approved member (a demo organisation waiting for approvals) has
    # its history made by the demo's first approved referrer: no extra accounts are created.
    first = (Membership.objects.filter(status=MembershipStatus.APPROVED)
             .select_related("user").order_by("pk").first())
    if first is None:
        return 0
    fallback = first.user
    referrers = {org.pk: _referrer_for(org, fallback) for org in orgs}
    plans = []
    for i in range(per_month * 12):
        age_days = rng.uniform(0, 365)
        received = now - timedelta(days=age_days)
        received = received.replace(hour=rng.choice([8, 9, 10, 11, 13, 14, 15, 16, 19]),
                                    minute=rng.randrange(60))
        if received > now:
            received -= timedelta(days=1)
        # Voluntary-sector referrals fall through the year; others stay level.
        org_weights = [(0.3 + 0.7 * age_days / 365) if o.sector == Sector.VOLUNTARY else 1.0
                       for o in orgs]
        org = rng.choices(orgs, weights=org_weights)[0]
        pathway = rng.choices(list(Pathway.values), weights=[40, 20, 12, 28])[0]
        is_child = pathway == Pathway.MASH
        categories = rng.sample(CHILD_CATEGORIES if is_child else ADULT_CATEGORIES,
                                k=rng.choice([1, 1, 1, 2]))
        plans.append({
            "ref": Referral(
                reference=f"{PREFIX}{i + 1:06d}", pathway=pathway, team=teams.get(pathway),
                referrer=referrers[org.pk], organisation=org, urgent=rng.random() < 0.12,
                categories=categories, created_at=received, received_at=received,
                rag_rating=rng.choice(list(RagRating.values)) if is_child else "",
            ),
            "age_days": (now - received).total_seconds() / 86400,
        })
    Referral.objects.bulk_create([p["ref"] for p in plans])
    refs = {r.reference: r for r in Referral.objects.filter(reference__startswith=PREFIX)}
    deadlines, events, records, notices, updates = [], [], [], [], []
    for plan in plans:
        r = refs[plan["ref"].reference]
        _history(r, plan["age_days"], now, rng, deadlines, events, records, notices)
        updates.append(r)
    Referral.objects.bulk_update(updates, ["status", "outcome", "closed_at"])
    Deadline.objects.bulk_create(deadlines)
    # Bulk-created clocks bypass the deadline services: store each referral's next clock the
    # way they would, so the triage queue orders these referrals by it.
    with connection.cursor() as cursor:
        cursor.execute(next_clock_sql("reference LIKE %s"), [PREFIX + "%"])
    record_bulk(events)
    FeedbackRecord.objects.bulk_create(records)
    Notice.objects.bulk_create(notices)
    # Build the summaries now so the staff dashboard has them before beat's first run.
    summaries_rebuild(now=now)
    return len(plans)


def _history(r, age_days, now, rng, deadlines, events, records, notices):
    received = r.received_at
    is_child = r.pathway == Pathway.MASH
    kind = "mash_decision" if is_child else "concern_decision"
    due = received + timedelta(hours=24 if is_child else 8)
    decided = age_days > 2 or rng.random() < 0.4
    late = rng.random() < 0.13
    decided_at = due + timedelta(hours=rng.uniform(1, 30)) if late else received + timedelta(
        hours=rng.uniform(0.5, 7 if not is_child else 20))
    if decided_at > now:
        decided = False
    deadlines.append(Deadline(referral=r, kind=kind, starts_at=received, due_at=due,
                              warning_at=due - timedelta(hours=2),
                              met_at=decided_at if decided else None, created_at=received))
    if is_child:
        rated = received + timedelta(minutes=rng.randrange(20, 180))
        if rated < now:
            events.append(Entry(referral=r, at=rated, kind=EventKind.RAG_RATED,
                                from_status=Status.SUBMITTED, to_status=Status.RAG_RATED,
                                detail={"rating": r.rag_rating}))
            rag_due = rated + timedelta(hours=RAG_HOURS[r.rag_rating])
            rag_met = rated + timedelta(hours=RAG_HOURS[r.rag_rating] * rng.uniform(0.2, 1.25))
            deadlines.append(Deadline(referral=r, kind="rag", starts_at=rated, due_at=rag_due,
                                      warning_at=rag_due, created_at=rated,
                                      met_at=rag_met if rag_met < now else None))
    if not decided:
        r.status = Status.SUBMITTED
        return
    if is_child:
        r.outcome = rng.choices(list(Outcome.child()), weights=[30, 30, 20, 15, 5])[0]
        r.status = Status.MASH_DECIDED
    else:
        r.outcome = rng.choices(list(Outcome.adult()), weights=[30, 35, 35])[0]
        r.status = Status.CONCERN_DECIDED
    given = decided_at + timedelta(hours=rng.uniform(0.1, 30))
    by_phone = rng.random() < 0.08
    if given < now:
        records.append(FeedbackRecord(referral=r, kind="decision", created_at=decided_at,
                                      outcome_text="A decision has been made.", given_at=given,
                                      given_by_phone=by_phone))
        channels = ["portal"] + ([] if by_phone else [rng.choice(["email", "notify"])])
        for channel in channels:
            notices.append(Notice(referral=r, kind="feedback:decision", channel=channel,
                                  status="sent", sent_at=given, created_at=decided_at,
                                  recipient=r.referrer, recipient_email=r.referrer.email,
                                  subject=f"Update on safeguarding referral {r.reference}",
                                  body="There is an update on your referral."))
    closes_at = decided_at + timedelta(days=rng.uniform(5, 25))
    if r.outcome == Outcome.S42_MET:
        r.status = Status.ENQUIRY
        events.append(Entry(referral=r, at=decided_at, kind=EventKind.DECIDED,
                            from_status=Status.SUBMITTED, to_status=Status.ENQUIRY))
        concluded = decided_at + timedelta(days=rng.uniform(10, 75))
        enquiry_due = decided_at + timedelta(days=61)
        deadlines.append(Deadline(referral=r, kind="enquiry", starts_at=decided_at,
                                  due_at=enquiry_due, warning_at=enquiry_due - timedelta(days=30),
                                  met_at=concluded if concluded < now else None,
                                  created_at=decided_at))
        closes_at = concluded + timedelta(days=3)
    if closes_at < now and given < now:
        r.status, r.closed_at = Status.CLOSED, closes_at
