"""Rows for the dashboard's tests, made directly with the ORM (the dashboard only reads them)."""

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

from accounts.models import Organisation, User
from feedback.models import FeedbackRecord
from outbox.models import Notice
from pathways.models import Deadline
from referrals.models import Referral, ReferralEvent

LONDON = ZoneInfo("Europe/London")
_numbers = itertools.count(1)


def london(year, month, day, hour=12, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def organisation(name="Peckham Food Bank", sector="voluntary") -> Organisation:
    org, _ = Organisation.objects.get_or_create(name=name, defaults={"sector": sector})
    return org


def _referrer() -> User:
    user = User.objects.filter(email="factory.referrer@example.org").first()
    return user or User.objects.create_user(email="factory.referrer@example.org",
                                            full_name="Factory Referrer")


def referral(*, received_at, pathway="oppd", org=None, urgent=False, categories=(),
             status="submitted", outcome="", closed_at=None, rag_rating="") -> Referral:
    number = next(_numbers)
    return Referral.objects.create(
        reference=f"T{number:07d}", pathway=pathway, referrer=_referrer(), organisation=org,
        urgent=urgent, categories=list(categories), status=status, outcome=outcome,
        received_at=received_at, created_at=received_at, closed_at=closed_at,
        rag_rating=rag_rating,
    )


def deadline(ref, kind, *, starts_at, due_at, met_at=None, paused_at=None) -> Deadline:
    return Deadline.objects.create(referral=ref, kind=kind, starts_at=starts_at, due_at=due_at,
                                   warning_at=due_at, met_at=met_at, paused_at=paused_at)


def feedback(ref, *, given_at, by_phone=False, kind="decision") -> FeedbackRecord:
    return FeedbackRecord.objects.create(referral=ref, kind=kind, outcome_text="Decided.",
                                         given_at=given_at, given_by_phone=by_phone)


def notice(ref, *, channel, sent_at, kind="feedback:decision") -> Notice:
    return Notice.objects.create(referral=ref, kind=kind, channel=channel, sent_at=sent_at,
                                 status="sent" if sent_at else "pending",
                                 recipient_email="someone@example.org", subject="Update",
                                 body="An update.")


def event(ref, kind, *, at, to_status="", detail=None) -> ReferralEvent:
    return ReferralEvent.objects.create(referral=ref, kind=kind, at=at, to_status=to_status,
                                        detail=detail or {})
