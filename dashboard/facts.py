"""Per-row measures (0 or 1) on referrals and on clocks, written once and used twice: summed
live for a lead's own organisation, and summed into the summary cubes for staff."""

from datetime import datetime

from django.db.models import (
    Case,
    CharField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, NullIf
from django.db.models.lookups import LessThanOrEqual

from core.vocabulary import EventKind, Outcome, Pathway, Status
from feedback.models import FeedbackRecord
from outbox.models import Notice
from pathways.models import Deadline
from referrals.models import ReferralEvent

from .sql import AddMonths


def flag(condition) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _given():
    return FeedbackRecord.objects.filter(referral=OuterRef("pk"), given_at__isnull=False)


def _notice(channel: str):
    return Notice.objects.filter(referral=OuterRef("pk"), kind__startswith="feedback:",
                                 sent_at__isnull=False, channel=channel)


DECIDED = ~Q(outcome="")
ADULT_DECIDED = Q(pathway__in=Pathway.adult(), outcome__in=Outcome.adult())


def _led_to_enquiry() -> Q:
    return Q(Exists(ReferralEvent.objects.filter(referral=OuterRef("pk"),
                                                 to_status=Status.ENQUIRY))) | Q(
        Exists(Deadline.objects.filter(referral=OuterRef("pk"), kind="enquiry")))


def referral_measures() -> dict:
    """Name -> expression on Referral, one per additive measure of ReferralCube."""
    given = Q(Exists(_given()))
    measures = {
        "received": Value(1, output_field=IntegerField()),
        "decided": flag(DECIDED),
        "given": flag(DECIDED & given),
        "fb_email": flag(DECIDED & Q(Exists(_notice("email")))),
        "fb_notify": flag(DECIDED & Q(Exists(_notice("notify")))),
        "fb_portal": flag(DECIDED & Q(Exists(_notice("portal")))),
        "fb_phone": flag(DECIDED & Q(Exists(_given().filter(given_by_phone=True)))),
        "adult_decided": flag(ADULT_DECIDED),
        "concern": flag(ADULT_DECIDED & Q(outcome__in=Outcome.safeguarding_concern())),
        "s42": flag(ADULT_DECIDED & Q(outcome=Outcome.S42_MET)),
        "enquiry": flag(ADULT_DECIDED & _led_to_enquiry()),
        "closed": flag(Q(status=Status.CLOSED)),
        "closed_silent": flag(Q(status=Status.CLOSED) & ~given),
    }
    for outcome in Outcome.child():
        measures[f"o_{outcome}"] = flag(Q(pathway=Pathway.MASH, outcome=outcome))
    return measures


def time_to_feedback(qs):
    """Referrals given feedback, with `to_feedback` = first feedback given - received."""
    first_given = Subquery(_given().order_by("given_at").values("given_at")[:1])
    return qs.annotate(first_given=first_given).filter(first_given__isnull=False).annotate(
        to_feedback=ExpressionWrapper(F("first_given") - F("received_at"),
                                      output_field=DurationField()))


def deadline_has(name: str) -> bool:
    # The clocks work adds Deadline.cancelled_at and Deadline.variant (the RAG rating); read
    # them when present so this app works before and after that lands.
    return any(f.name == name for f in Deadline._meta.get_fields())


def rag_rating():
    """The RAG rating a rag clock ran under: the clock's own (Deadline.variant, once the clocks
    work lands), else the last rag_rated event on the referral at or before the clock started,
    else the referral's current rating."""
    event_rating = Subquery(
        ReferralEvent.objects.filter(referral=OuterRef("referral_id"), kind=EventKind.RAG_RATED,
                                     at__lte=OuterRef("starts_at"))
        .order_by("-at", "-id").values(rating=KT("detail__rating"))[:1]
    )
    parts = [NullIf(F("variant"), Value(""))] if deadline_has("variant") else []
    return Coalesce(*parts, event_rating, NullIf(F("referral__rag_rating"), Value("")),
                    Value(""), output_field=CharField())


ON_TIME = Q(met_at__isnull=False, met_at__lte=F("due_at"))


def clock_measures(now: datetime) -> dict:
    """Name -> expression on Deadline. A clock's result is known once met or overdue."""
    one, two = AddMonths("starts_at", 1), AddMonths("starts_at", 2)
    met = Q(met_at__isnull=False)
    return {
        "started": Value(1, output_field=IntegerField()),
        "known": flag(met | Q(due_at__lt=now)),
        "on_time": flag(ON_TIME),
        "known1": flag(met | Q(LessThanOrEqual(one, Value(now)))),
        "within1": flag(met & Q(met_at__lte=one)),
        "known2": flag(met | Q(LessThanOrEqual(two, Value(now)))),
        "within2": flag(met & Q(met_at__lte=two)),
    }
