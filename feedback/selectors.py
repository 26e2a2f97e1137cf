"""Reads for the referrer's pages, on referrals the access policy (referrals.access) let
through: the referrer's own, or their organisation's for its safeguarding lead. Staff use the
triage pages. The referrer sees only timeline events marked visible_to_referrer.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, Prefetch, Q, QuerySet

from core.vocabulary import EventKind, MspOutcome, Outcome, Status
from outbox.models import Channel, Notice, NoticeStatus
from pathways.models import ContactKind, ContactPoint, Deadline
from referrals.consent import consent_withheld, named_contact_allowed
from referrals.models import Attachment, Referral, ReferralEvent

from .models import FeedbackRecord
from .services import WITHHELD_REASONS

CLOCK_WORDS = {
    "concern_decision": "A decision on whether this is a safeguarding concern",
    "mash_decision": "A decision on what should happen for the child",
    "rag": "A rating of how urgent the referral is",
    "enquiry": "A decision on the safeguarding enquiry",
    "feedback": "Feedback to you about the decision",
    "urgent_pickup": "The team picking up your urgent referral",
}

EVENT_WORDS = {
    EventKind.SUBMITTED: "Referral received",
    EventKind.INFORMATION_ADDED: "You added information",
    EventKind.CHASED: "You chased the referral",
    EventKind.FEEDBACK_BY_PHONE: "Feedback given to you by phone",
    EventKind.REROUTED: "Passed to another team",
    EventKind.INFO_REQUESTED: "More information requested",
    EventKind.CLOSED: "Referral closed",
    EventKind.CHALLENGE_RAISED: "You challenged the decision",
    EventKind.CHALLENGE_ANSWERED: "Your challenge was answered",
    EventKind.CHALLENGE_ESCALATED: "Your challenge went to the next stage",
    EventKind.WORSENED: "You told the team things have got worse",
    # Case management accepted it (api.services.handover_acknowledge): the title only, never
    # the case id or who accepted it; not shown at all when the adult refused consent.
    EventKind.HANDED_OVER: "Passed to a social work team",
    EventKind.FOLLOW_UP_PASSED: "Follow-up passed to a colleague",
}

# Events whose reason was written for the referrer to read (their own words, the team's
# question, the feedback reason, the general withheld wording, the receiving team). Any other
# visible event shows its title only: staff's free text on it is internal (for example the
# enquiry's findings when the referral moves to plan and review).
REASON_FOR_REFERRER = frozenset({
    EventKind.SUBMITTED, EventKind.INFORMATION_ADDED, EventKind.CHASED,
    EventKind.FEEDBACK_BY_PHONE, EventKind.REROUTED, EventKind.INFO_REQUESTED,
    EventKind.INFO_RECEIVED, EventKind.DECIDED, EventKind.CLOSED, EventKind.MERGED,
    EventKind.WITHDRAWN, EventKind.CHALLENGE_RAISED, EventKind.CHALLENGE_ANSWERED,
    EventKind.CHALLENGE_ESCALATED, EventKind.WORSENED, EventKind.FOLLOW_UP_PASSED,
})

def _open_deadlines() -> QuerySet:
    return Deadline.objects.open().order_by("due_at")


def deadlines_open_of(referral: Referral) -> QuerySet:
    """What is due next and by when."""
    return _open_deadlines().filter(referral=referral)


def with_feedback_detail(referrals: QuerySet) -> QuerySet:
    """The list pages' extras (open clocks, feedback, last update) on a queryset the access
    policy scoped (referrals.access)."""
    return referrals.select_related("team").prefetch_related(
        Prefetch("deadlines", queryset=_open_deadlines(), to_attr="open_deadlines"),
        Prefetch("feedback_records", queryset=FeedbackRecord.objects.order_by("created_at"),
                 to_attr="feedback_list"),
    ).annotate(
        last_update_at=Max("events__at", filter=Q(events__visible_to_referrer=True)),
    )


def status_words(referral: Referral) -> str:
    try:
        return Status(referral.status).label
    except ValueError:
        return referral.status.replace("_", " ").capitalize()


DECISION_CLOCKS = {"concern_decision", "mash_decision", "rag"}


def list_status_words(referral: Referral) -> str:
    """The state a referrer or lead reads in their list, from the status and the referral's
    open clocks (prefetched as `open_deadlines` by with_feedback_detail), so it is never ahead of
    the truth: "Decision made" only when no decision or rating is still due (issue 18), and the
    MASH rating, which is internal to the team, reads as still waiting for a decision."""
    open_kinds = {d.kind for d in getattr(referral, "open_deadlines", [])}
    if referral.status == Status.RAG_RATED:
        return Status.SUBMITTED.label
    if referral.status in (Status.CONCERN_DECIDED, Status.MASH_DECIDED):
        if open_kinds & DECISION_CLOCKS:
            return "Decision being made: a rating or decision is still due"
        if "feedback" in open_kinds:
            return "Decision made, feedback due"
    return status_words(referral)


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    title: str
    words: str
    files: tuple = ()  # (attachment id, name) the referrer sent with added information


def timeline_for_referrer(referral: Referral) -> list[TimelineItem]:
    """Only events marked visible to the referrer: internal notes never reach this page.
    Without consent, staff's words are replaced by the general wording."""
    withheld = consent_withheld(referral)
    events = list(ReferralEvent.objects.filter(referral=referral, visible_to_referrer=True))
    names = dict(
        Attachment.objects.filter(referral=referral).values_list("pk", "original_name")
    )
    items = []
    for event in events:
        if event.kind in EVENT_WORDS:
            title = EVENT_WORDS[event.kind]
        elif event.to_status:
            title = f"Status: {status_words(Referral(status=event.to_status))}"
        else:
            title = event.kind.replace("_", " ").capitalize()
        words = event.reason if event.kind in REASON_FOR_REFERRER else ""
        if withheld and event.kind not in ("information_added", "chased", "challenge_raised",
                                           "worsened", "follow_up_passed"):
            words = ""
        files = ()
        if event.kind == "information_added":
            files = tuple((pk, names[pk]) for pk in event.detail.get("attachment_ids", [])
                          if pk in names)
        items.append(TimelineItem(at=event.at, title=title, words=words, files=files))
    return items


@dataclass(frozen=True)
class FeedbackView:
    record: FeedbackRecord
    headline: str
    reason: str
    signposting: str
    withheld_words: str
    # Issue 15 item 6: the decision in plain words (which section 42 criterion was not met, or
    # the child's level of need) and the services from the directory, with their contacts.
    explanation: str = ""
    services: tuple = ()
    # Making Safeguarding Personal: whether the outcomes the adult wanted were achieved, on the
    # closure's feedback only, and only where the detail may be shared (consent, not withheld).
    desired_outcomes: str = ""


def _outcome_words(referral: Referral) -> str:
    try:
        return Outcome(referral.outcome).label
    except ValueError:
        return ""


# The kind of a feedback record that is only a phone call (feedback.services).
PHONE_CALL = "phone"


def feedback_for_referrer(referral: Referral) -> list[FeedbackView]:
    """The feedback the referrer may read. Withheld detail and no consent both give the
    general wording: a decision was made, whether it is a safeguarding concern, and why detail
    is held back; signposting is always shown."""
    no_consent = consent_withheld(referral)
    views = []
    for record in referral.feedback_records.order_by("created_at", "id"):
        services = tuple(record.services.all())
        if record.kind == PHONE_CALL:
            # Staff's summary of the call is for the record only: the referrer heard it.
            views.append(FeedbackView(record, "Feedback given to you by phone", "", "", ""))
        elif record.withheld or no_consent:
            reason_key = record.withheld_reason if record.withheld else "no_consent"
            headline = _outcome_words(referral) or "A decision has been made."
            # The explanation is detail like the reason: held back. Services are signposting.
            views.append(FeedbackView(record, headline, "", record.signposting,
                                      WITHHELD_REASONS.get(reason_key, ""), "", services))
        else:
            views.append(FeedbackView(record, record.outcome_text, record.reason,
                                      record.signposting, "", record.explanation, services,
                                      _desired_outcomes_words(referral, record)))
    return views


# The kind of the closure's feedback record (triage.transitions._owe: the action's name).
CLOSURE = "close"


def _desired_outcomes_words(referral: Referral, record: FeedbackRecord) -> str:
    """The MSP answer in plain words, on this referral's own closure feedback. Reached only
    when consent allows and detail is not withheld (feedback_for_referrer's last branch)."""
    if record.kind != CLOSURE:
        return ""
    answer = referral.msp_outcome
    if not answer and referral.status == Status.MERGED and referral.linked_to_id:
        # A merged referral's closure feedback is the closure of the referral it was merged
        # into (triage.transitions._owe): the answer about the person was recorded there.
        answer = referral.linked_to.msp_outcome
    return MspOutcome.referrer_words(answer)


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    email: str
    hours: str
    # The assigned worker (issue 15, a named contact): empty unless named_contact_allowed.
    worker_name: str = ""
    worker_phone: str = ""
    worker_email: str = ""


def contact_for(referral: Referral) -> Contact | None:
    """The named team and how to reach it, falling back to the pathway's published number; on
    an open, assigned referral the worker's name and direct phone and email too, unless the
    team shows its own contact only (Team.show_team_contact_only) or the adult refused consent
    (referrals.consent.named_contact_allowed)."""
    point = ContactPoint.objects.filter(
        kind=ContactKind.PATHWAY, pathway=referral.pathway
    ).first()
    if referral.team_id:
        team = referral.team
        worker = referral.assignee if named_contact_allowed(referral) else None
        return Contact(team.name, team.phone or (point.phone if point else ""),
                       team.email or (point.email if point else ""),
                       point.hours if point else "",
                       worker_name=worker.full_name if worker else "",
                       worker_phone=worker.phone if worker else "",
                       worker_email=worker.email if worker else "")
    if point is not None:
        return Contact(point.name, point.phone, point.email, point.hours)
    return None


def deadline_missed(referral: Referral, now: datetime) -> Deadline | None:
    """The first clock that breached (recorded by the sweep, or due and not met, not paused)."""
    return (
        _open_deadlines()
        .filter(referral=referral)
        .filter(Q(breached_at__isnull=False) | Q(due_at__lt=now, paused_at__isnull=True))
        .first()
    )


def notices_for(user) -> QuerySet:
    return Notice.objects.filter(recipient=user, channel=Channel.PORTAL).select_related(
        "referral"
    ).order_by("-created_at")[:100]


def notices_failed() -> QuerySet:
    return Notice.objects.filter(status=NoticeStatus.FAILED).select_related(
        "referral"
    ).order_by("-created_at")
