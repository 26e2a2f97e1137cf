"""The referral's life cycle as data: which transitions lead from which status to which.

Statuses, outcomes and RAG ratings are defined once in core.vocabulary (TextChoices with named
groups, STYLE.md habit 6); the Referral.status column has no `choices`, so this table can
change without a schema migration.
"""

from dataclasses import dataclass

from django.db import models

from core.vocabulary import (
    EVENT_AUDIT,
    AuditAction,
    ClockEnd,
    EventKind,
    Outcome,
    Pathway,
    Role,
    Status,
)


class FeedbackPreference(models.TextChoices):
    PORTAL_EMAIL = "portal_email", "In the portal and by email"
    PHONE_ONLY = "phone_only", "By phone only (email about this case is not safe)"
    BOTH = "both", "By phone, and in the portal and by email"


# ---------------------------------------------------------------------------------------------
# Transitions, as data. One row is "from these statuses, on these pathways, these roles may do
# this action, which leads to that status". triage.transitions (with referrals.lifecycle) is the
# only code that applies them; the tests are generated from this table (every allowed and every
# forbidden pair).
# ---------------------------------------------------------------------------------------------

ADULT = Pathway.adult()
CHILD = Pathway.child()
LADO = Pathway.allegations()
ALL_PATHWAYS = Pathway.every()

# The roles the workflow rows name (core.vocabulary.Role).
REFERRER = Role.REFERRER
TRIAGE = Role.TRIAGE_WORKER
MANAGER = Role.TEAM_MANAGER
STAFF = (TRIAGE, MANAGER)
ROLES = (REFERRER, TRIAGE, MANAGER)

# "Back to where it was": information received returns the referral to the status it had when
# the information was requested (found from the timeline).
PREVIOUS = "__previous__"
# "Stays where it is": linking a duplicate changes no status.
SAME = "__same__"


class Action(models.TextChoices):
    RAG_RATE = "rag_rate", "Give a RAG rating"
    DECIDE = "decide", "Record the decision"
    INFO_REQUEST = "info_request", "Ask the referrer for more information"
    INFO_RECEIVE = "info_receive", "Record information received"
    REROUTE = "reroute", "Re-route to another pathway"
    PLAN = "plan", "Move to safeguarding plan and review"
    CLOSE = "close", "Close the referral"
    WITHDRAW = "withdraw", "Withdraw the referral"
    LINK = "link", "Link as a duplicate"
    MERGE = "merge", "Merge into another referral"


# The timeline's word for each action done (ReferralEvent.kind): past tense, as the referrer's
# status page (feedback.selectors.EVENT_WORDS) reads them.
EVENT_KIND = {
    Action.RAG_RATE: EventKind.RAG_RATED, Action.DECIDE: EventKind.DECIDED,
    Action.INFO_REQUEST: EventKind.INFO_REQUESTED, Action.INFO_RECEIVE: EventKind.INFO_RECEIVED,
    Action.REROUTE: EventKind.REROUTED, Action.PLAN: EventKind.PLAN_STARTED,
    Action.CLOSE: EventKind.CLOSED, Action.WITHDRAW: EventKind.WITHDRAWN,
    Action.LINK: EventKind.LINKED, Action.MERGE: EventKind.MERGED,
}


class Enquiry(models.TextChoices):
    """Who carries out the section 42 enquiry (Care Act 2014 s42(2): make or cause)."""

    COUNCIL = "council", "Made by the council"
    CAUSED = "caused", "Caused to another organisation"
    POLICE = "police", "Police-led"


class OtherAction(models.TextChoices):
    """What happens when it is a concern but s42 is not met, or not a concern at all."""

    CARE_ASSESSMENT = "care_assessment", "Care and support needs assessment"
    OTHER_SUPPORT = "other_support", "Other support from the council"
    SIGNPOSTED = "signposted", "Signposted to other support"
    REFERRED_ELSEWHERE = "referred_elsewhere", "Referred to another service"
    NFA = "nfa", "No further action"


# For each outcome, the details a decision must choose from (an empty tuple: none needed).
OUTCOME_DETAILS: dict[str, tuple[str, ...]] = {
    Outcome.S42_MET: tuple(Enquiry.values),
    Outcome.CONCERN_NOT_MET: (OtherAction.CARE_ASSESSMENT, OtherAction.OTHER_SUPPORT,
                              OtherAction.SIGNPOSTED, OtherAction.REFERRED_ELSEWHERE),
    Outcome.NOT_SAFEGUARDING: (OtherAction.SIGNPOSTED, OtherAction.REFERRED_ELSEWHERE,
                               OtherAction.NFA),
}

# The borough's feedback rule (mandatory since July 2024): "not a safeguarding concern" must
# say where else to go, unless detail is withheld.
SIGNPOSTING_REQUIRED = (Outcome.NOT_SAFEGUARDING, Outcome.NFA)


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    pathways: tuple[str, ...] = ALL_PATHWAYS
    outcome: str = ""  # decisions only: the outcome this row records
    feedback_required: bool = False  # the referrer's feedback must come with the change
    reason_required: bool = False
    visible_to_referrer: bool = True
    opens: tuple[str, ...] = ()  # clocks (pathways.deadlines kinds) opened by the change
    meets: tuple[str, ...] = ()  # clocks met by the change: the decision or enquiry was made
    # Clocks ended without being met, and why (core.vocabulary.ClockEnd): a withdrawal, merge
    # or closure is not a decision, so it must never count as one made on time.
    ends: tuple[str, ...] = ()
    ended_because: str = ""

    @property
    def label(self) -> str:
        if self.outcome:
            return Outcome(self.outcome).label
        return Action(self.action).label


AWAITING_ADULT = (Status.SUBMITTED, Status.INFO_REQUESTED)
AWAITING_CHILD = (Status.SUBMITTED, Status.INFO_REQUESTED, Status.RAG_RATED)
OPEN = Status.open()
# The concern-stage and decided statuses a team worker may close; an enquiry or its plan is
# signed off by the team manager (the London policy's stage 4 sign-off).
CLOSABLE_BY_STAFF = (Status.SUBMITTED, Status.INFO_REQUESTED, Status.RAG_RATED,
                     Status.CONCERN_DECIDED, Status.MASH_DECIDED)
CLOSABLE_BY_MANAGER = (Status.ENQUIRY, Status.PLAN_REVIEW)

TRANSITIONS: tuple[Transition, ...] = (
    # Children: RAG rating (can change while waiting for the MASH decision).
    Transition(Action.RAG_RATE, (Status.SUBMITTED, Status.RAG_RATED), Status.RAG_RATED,
               STAFF, CHILD, visible_to_referrer=False, opens=("rag",)),
    # Adults: the concern decision.
    Transition(Action.DECIDE, AWAITING_ADULT, Status.ENQUIRY, STAFF, ADULT,
               outcome=Outcome.S42_MET, feedback_required=True,
               meets=("concern_decision", "urgent_pickup"), opens=("feedback", "enquiry")),
    Transition(Action.DECIDE, AWAITING_ADULT, Status.CONCERN_DECIDED, STAFF, ADULT,
               outcome=Outcome.CONCERN_NOT_MET, feedback_required=True,
               meets=("concern_decision", "urgent_pickup"), opens=("feedback",)),
    Transition(Action.DECIDE, AWAITING_ADULT, Status.CONCERN_DECIDED, STAFF, ADULT,
               outcome=Outcome.NOT_SAFEGUARDING, feedback_required=True,
               meets=("concern_decision", "urgent_pickup"), opens=("feedback",)),
    *(
        Transition(Action.DECIDE, (Status.RAG_RATED,), Status.MASH_DECIDED, STAFF, CHILD,
                   outcome=outcome, feedback_required=True,
                   meets=("mash_decision", "rag", "urgent_pickup"), opens=("feedback",))
        for outcome in Outcome.child()
    ),
    # The LADO's initial consideration: one of its own outcomes, fed back to the referrer.
    *(
        Transition(Action.DECIDE, AWAITING_ADULT, Status.CONCERN_DECIDED, STAFF, LADO,
                   outcome=outcome, feedback_required=True,
                   meets=("concern_decision", "urgent_pickup"), opens=("feedback",))
        for outcome in Outcome.lado()
    ),
    # Adults: enquiry, then the safeguarding plan and review.
    Transition(Action.PLAN, (Status.ENQUIRY,), Status.PLAN_REVIEW, STAFF, ADULT,
               meets=("enquiry",)),
    # More information from the referrer (staff ask; the referrer or staff record the answer).
    Transition(Action.INFO_REQUEST, (Status.SUBMITTED, Status.RAG_RATED), Status.INFO_REQUESTED,
               STAFF, reason_required=True),
    Transition(Action.INFO_RECEIVE, (Status.INFO_REQUESTED,), PREVIOUS, (REFERRER, *STAFF)),
    # Re-routing keeps the original received time; the new team's clocks start from it.
    Transition(Action.REROUTE, AWAITING_CHILD, Status.SUBMITTED, STAFF, reason_required=True,
               visible_to_referrer=True),
    # Duplicates: a link changes no status; a merge finishes this one, its referrer still owed.
    Transition(Action.LINK, OPEN, SAME, STAFF, visible_to_referrer=False),
    Transition(Action.MERGE, AWAITING_CHILD, Status.MERGED, STAFF, feedback_required=True,
               ends=("concern_decision", "mash_decision", "rag", "urgent_pickup"),
               ended_because=ClockEnd.MERGED, opens=("feedback",)),
    # Withdrawn by the referrer, only before anyone has triaged it.
    Transition(Action.WITHDRAW, (Status.SUBMITTED,), Status.WITHDRAWN, (REFERRER,),
               reason_required=True,
               ends=("concern_decision", "mash_decision", "rag", "urgent_pickup"),
               ended_because=ClockEnd.WITHDRAWN),
    # Closure at any stage, with a reason; the referrer is told (feedback required). Before a
    # decision, closing ends the decision clocks unmet; an enquiry closed by its manager is
    # concluded, so its clock is met.
    Transition(Action.CLOSE, CLOSABLE_BY_STAFF, Status.CLOSED, STAFF, reason_required=True,
               feedback_required=True,
               ends=("concern_decision", "mash_decision", "rag", "enquiry", "urgent_pickup"),
               ended_because=ClockEnd.CLOSED),
    Transition(Action.CLOSE, CLOSABLE_BY_MANAGER, Status.CLOSED, (MANAGER,), ADULT,
               reason_required=True, feedback_required=True, meets=("enquiry",)),
)


def transition_find(*, action: str, status: str, pathway: str, outcome: str = "",
                    role: str | None = None) -> Transition | None:
    """The row allowing `action` from `status` on `pathway` (for `role` when given), or None."""
    for row in TRANSITIONS:
        if row.action != action or status not in row.sources or pathway not in row.pathways:
            continue
        if row.outcome != outcome:
            continue
        if role is not None and role not in row.roles:
            continue
        return row
    return None


def transitions_available(*, status: str, pathway: str, role: str) -> list[Transition]:
    """Every row this role may use on a referral in this status and pathway (for the page)."""
    return [
        row for row in TRANSITIONS
        if status in row.sources and pathway in row.pathways and role in row.roles
    ]


def outcomes_for(pathway: str) -> tuple[str, ...]:
    if pathway in LADO:
        return Outcome.lado()
    return Outcome.child() if pathway in CHILD else Outcome.adult()


def audit_action(action: str) -> AuditAction:
    """The audit action of a workflow action, also for an attempt the workflow refused."""
    return EVENT_AUDIT[EVENT_KIND[action]]
