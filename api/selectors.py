"""Reads for systems: what a client may list, and the referral document it may read.

Scoped by referrals.access.referrals_for_system (the one access policy) to the client's
pathways. What a referral document holds is the same for every client (docs/api.md): the
submitted referral, decisions, clocks, the timeline kinds a system hears of (with no staff
free text), attachments' metadata and hand-overs. Internal notes, staff's rationale, the
referrer's feedback and notices are never in it.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse

from core.vocabulary import EventKind, Outcome, Status
from outbox.webhooks import EVENT_TYPES
from referrals import access
from referrals.models import Referral, ReferralEvent
from referrals.record import event_horizon
from triage.models import Decision

from .models import ApiClient

SCHEMA_VERSION = "1"

# Decisions after which the work continues in case management: a section 42 enquiry or other
# action for an adult; early help, family help, child in need, child protection or immediate
# protection for a child. "Not a safeguarding concern" and "no further action" have nothing to
# hand over.
HANDOVER_OUTCOMES = (
    Outcome.S42_MET, Outcome.CONCERN_NOT_MET, Outcome.EARLY_HELP, Outcome.FAMILY_HELP,
    Outcome.CHILD_IN_NEED, Outcome.CHILD_PROTECTION, Outcome.IMMEDIATE_PROTECTION,
)
NOT_HANDED_OVER = (Status.MERGED, Status.WITHDRAWN, Status.DRAFT)
FEED_KINDS = tuple(kind.value for kind in EVENT_TYPES)


def _decided_at():
    return Subquery(Decision.objects.filter(referral=OuterRef("pk"), action="decide")
                    .order_by("decided_at", "pk").values("decided_at")[:1])


def handed_over_by(client: ApiClient):
    return Exists(ReferralEvent.objects.filter(referral=OuterRef("pk"),
                                               kind=EventKind.HANDED_OVER,
                                               detail__client=client.pk))


def ready_for_handover(client: ApiClient) -> QuerySet[Referral]:
    """Decided referrals on the client's pathways whose work continues elsewhere, with
    `decided_at` (the first decision) and `handed_over` (acknowledged by this client)."""
    return (access.referrals_for_system(client.pathways)
            .filter(outcome__in=HANDOVER_OUTCOMES).exclude(status__in=NOT_HANDED_OVER)
            .annotate(decided_at=_decided_at(), handed_over=handed_over_by(client))
            .select_related("team"))


def referrals_page(client: ApiClient, *, pathway: str = "", status: str = "",
                   decided_since: datetime | None = None, handed_over: bool | None = None,
                   after: int = 0, limit: int = 50) -> list[Referral]:
    rows = ready_for_handover(client)
    if pathway:
        rows = rows.filter(pathway=pathway)
    if status:
        rows = rows.filter(status=status)
    if decided_since is not None:
        rows = rows.filter(decided_at__gte=decided_since)
    if handed_over is not None:
        rows = rows.filter(handed_over=handed_over)
    return list(rows.filter(pk__gt=after).order_by("pk")[:limit])


def events_page(client: ApiClient, *, after: int = 0, limit: int = 100) -> list[ReferralEvent]:
    """Timeline events a system hears of, in id order: those on referrals it may read now, and
    the `referral.rerouted` that took one away from its pathways (so its system knows; the
    event names ids and vocabulary only).

    Only settled ids are served (referrals.record.event_horizon, read BEFORE this query so the
    query's snapshot sees every event up to it): an event whose transaction commits after a
    higher id was read would otherwise be passed over by the client's cursor."""
    horizon = event_horizon()
    rows = ReferralEvent.objects.filter(kind__in=FEED_KINDS, pk__gt=after).filter(
        Q(referral__in=access.referrals_for_system(client.pathways))
        | Q(kind=EventKind.REROUTED, detail__from_pathway__in=list(client.pathways)))
    if horizon is not None:
        rows = rows.filter(pk__lte=horizon)
    return list(rows.select_related("referral").order_by("pk")[:limit])


def summary(referral: Referral, request) -> dict:
    return {
        "id": referral.pk,
        "reference": referral.reference,
        "pathway": referral.pathway,
        "status": referral.status,
        "urgent": referral.urgent,
        "outcome": referral.outcome,
        "received_at": referral.received_at,
        "decided_at": getattr(referral, "decided_at", None),
        "handed_over": bool(getattr(referral, "handed_over", False)),
        "url": request.build_absolute_uri(reverse("api:referral", args=[referral.pk])),
    }


def event_item(event: ReferralEvent) -> dict:
    referral = event.referral
    return {
        "id": event.pk,
        "type": EVENT_TYPES[EventKind(event.kind)],
        "occurred_at": event.at,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "referral": {"id": referral.pk, "reference": referral.reference or "",
                     "pathway": referral.pathway, "status": referral.status},
    }


def _handovers(events) -> list[dict]:
    return [{"case_id": e.detail.get("case_id", ""), "accepted_by": e.detail.get("accepted_by", ""),
             "client": e.detail.get("client_name", ""), "at": e.at}
            for e in events if e.kind == EventKind.HANDED_OVER]


def document(referral: Referral, request) -> dict:
    """The referral as the documented, stable JSON document (schema version 1)."""
    events = list(referral.events.filter(kind__in=FEED_KINDS).order_by("at", "pk"))
    return {
        "schema_version": SCHEMA_VERSION,
        "id": referral.pk,
        "reference": referral.reference,
        "pathway": referral.pathway,
        "team": referral.team.name if referral.team_id else "",
        "status": referral.status,
        "urgent": referral.urgent,
        "urgent_reason": referral.urgent_reason,
        "received_at": referral.received_at,
        "closed_at": referral.closed_at,
        "rag_rating": referral.rag_rating,
        "outcome": referral.outcome,
        "msp_outcome": referral.msp_outcome,
        "organisation": referral.organisation.name if referral.organisation_id else "",
        "person": {
            "name": referral.person_name,
            "other_names": referral.person_other_names,
            "date_of_birth": referral.person_dob,
            "age_approx": referral.person_age_approx,
            "address": referral.person_address,
            "postcode": referral.person_postcode,
            "gender": referral.person_gender,
        },
        "concern": {
            "categories": list(referral.categories or []),
            "pattern": referral.concern_pattern,
            "police_informed": referral.police_informed,
            "crime_reference": referral.crime_reference,
            "main_need": referral.main_need,
            "children_in_household": referral.children_in_household,
            "answers": {key: value for key, value in (referral.answers or {}).items()},
        },
        "consent": {"consent": referral.consent,
                    "grounds": list(referral.consent_grounds or [])},
        "alleged_persons": [
            {"name": p.name, "relationship": p.relationship, "agency_name": p.agency_name,
             "lives_with": p.lives_with, "cares_for": p.cares_for,
             "contact_with_others_at_risk": p.contact_with_others_at_risk,
             "others_at_risk_details": p.others_at_risk_details}
            for p in referral.alleged_persons.all()
        ],
        # Issue 16: the family's other children and the adults in the household.
        "household_members": [
            {"name": m.name, "relationship": m.relationship, "child_or_adult": m.child_or_adult,
             "age": m.age, "date_of_birth": m.date_of_birth, "lives_there": m.lives_there,
             "concern": m.concern}
            for m in referral.household_members.all()
        ],
        "decisions": [_decision(d) for d in referral.decisions.select_related(
            "need_level", "feedback").prefetch_related("feedback__services").order_by(
            "decided_at", "pk")],
        "clocks": [
            {"kind": c.kind, "variant": c.variant, "starts_at": c.starts_at, "due_at": c.due_at,
             "met_at": c.met_at, "paused_at": c.paused_at, "breached_at": c.breached_at,
             "cancelled_at": c.cancelled_at}
            for c in referral.deadlines.order_by("starts_at", "pk")
        ],
        "timeline": [
            {"id": e.pk, "type": EVENT_TYPES[EventKind(e.kind)], "occurred_at": e.at,
             "from_status": e.from_status, "to_status": e.to_status}
            for e in events
        ],
        "attachments": [
            {"id": a.pk, "name": a.original_name, "description": a.description,
             "content_type": a.content_type, "size": a.size, "uploaded_at": a.uploaded_at,
             "download_url": request.build_absolute_uri(
                 reverse("api:attachment", args=[referral.pk, a.pk]))}
            for a in referral.attachments.all()
        ],
        "handovers": _handovers(events),
    }


def _decision(d) -> dict:
    """One decision with what explains it (issue 15 item 6): the section 42 criteria, the level
    of need and the services signposted to. Staff's rationale is internal: never included."""
    services = (sorted(d.feedback.services.all(), key=lambda s: (s.name, s.pk))
                if d.feedback_id else ())
    return {"action": d.action, "outcome": d.outcome, "detail": d.detail,
            "decided_at": d.decided_at, "s42_care_needs": d.s42_care_needs,
            "s42_abuse": d.s42_abuse, "s42_unable_to_protect": d.s42_unable_to_protect,
            "need_level": d.need_level.code if d.need_level_id else "",
            "need_level_name": d.need_level.name if d.need_level_id else "",
            "services": [{"id": s.pk, "name": s.name, "source_id": s.source_id}
                         for s in services]}
