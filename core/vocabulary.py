"""The portal's vocabulary, defined once: every app imports these enums from here.

This module is the bottom layer (docs: core, then audit, accounts, pathways, referrals, ...):
it imports Django's enum helpers and nothing of ours, so any module may import it. The stored
values are the ones the database already holds; change a value only with a data migration.
Enums stored in a CharField are TextChoices, with named groups (`Status.open()`) instead of
lists of strings in views and templates (STYLE.md habit 6).
"""

from django.db import models


class Pathway(models.TextChoices):
    OPPD = "oppd", "Older people and physical disabilities (OPPD)"
    MENTAL_HEALTH = "mental-health", "Mental health"
    LEARNING_DISABILITIES = "learning-disabilities", "Learning disabilities"
    MASH = "mash", "Children (MASH)"
    # Issue 16. Southwark's All Age Disability service (0 to 25; the papers' "AAD pathway"):
    # routing sends 18 to 25-year-olds with a disability here, so it runs the adults' workflow
    # and clocks. Under-18s still go to MASH (Working Together 2023).
    ALL_AGE_DISABILITY = "all-age-disability", "All Age Disability service (0 to 25)"
    # The Local Authority Designated Officer: allegations against people who work or volunteer
    # with children (Working Together 2023, ch. 2). Its own outcomes (Outcome.lado()) and its
    # decision clock (concern_decision on this pathway: the LADO's initial consideration).
    LADO = "lado", "Allegations against people who work with children (LADO)"

    @classmethod
    def adult(cls) -> tuple[str, ...]:
        return (cls.OPPD, cls.MENTAL_HEALTH, cls.LEARNING_DISABILITIES, cls.ALL_AGE_DISABILITY)

    @classmethod
    def child(cls) -> tuple[str, ...]:
        return (cls.MASH,)

    @classmethod
    def allegations(cls) -> tuple[str, ...]:
        """Allegations against people who work with children (the LADO)."""
        return (cls.LADO,)

    @classmethod
    def about_children(cls) -> tuple[str, ...]:
        """Pathways whose referrals are about a child (the children's categories apply)."""
        return (cls.MASH, cls.LADO)

    @classmethod
    def every(cls) -> tuple[str, ...]:
        """The pathways a referral can be sent or re-routed to (each has a workflow)."""
        return (*cls.adult(), *cls.child(), *cls.allegations())

    @classmethod
    def routable_choices(cls) -> list[tuple[str, str]]:
        return [(value, label) for value, label in cls.choices if value in cls.every()]

    @classmethod
    def is_adult(cls, value: str) -> bool:
        return value in cls.adult()


class Status(models.TextChoices):
    """A referral's status (Referral.status). Transitions between them: referrals.workflow."""

    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Received, waiting for a decision"
    INFO_REQUESTED = "info_requested", "More information requested"
    RAG_RATED = "rag_rated", "Rated, waiting for a decision"  # MASH
    CONCERN_DECIDED = "concern_decided", "Decision made"  # adults, no enquiry
    ENQUIRY = "enquiry", "Safeguarding enquiry"  # adults, s42 met
    PLAN_REVIEW = "plan_review", "Safeguarding plan and review"
    MASH_DECIDED = "mash_decided", "Decision made"  # children
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn by the referrer"
    MERGED = "merged", "Merged with another referral"

    @classmethod
    def open(cls) -> tuple[str, ...]:
        """Submitted and not yet finished: what a team's queue holds."""
        return (cls.SUBMITTED, cls.INFO_REQUESTED, cls.RAG_RATED, cls.CONCERN_DECIDED,
                cls.ENQUIRY, cls.PLAN_REVIEW, cls.MASH_DECIDED)

    @classmethod
    def awaiting_decision(cls) -> tuple[str, ...]:
        return (cls.SUBMITTED, cls.INFO_REQUESTED, cls.RAG_RATED)

    @classmethod
    def finished(cls) -> tuple[str, ...]:
        return (cls.CLOSED, cls.WITHDRAWN, cls.MERGED)


class Outcome(models.TextChoices):
    """The kind of the first decision on a referral (Referral.outcome)."""

    # Adults (Care Act 2014 s42).
    S42_MET = "s42_met", "A safeguarding concern: section 42 criteria met"
    CONCERN_NOT_MET = "concern_not_met", "A safeguarding concern: section 42 criteria not met"
    NOT_SAFEGUARDING = "not_safeguarding", "Not a safeguarding concern"
    # Children (Working Together 2023).
    NFA = "nfa", "No further action"
    EARLY_HELP = "early_help", "Early help"
    # Issue 15 item 6: targeted family help (the threshold document's level 3, with the
    # family's agreement), between early help and a child in need assessment.
    FAMILY_HELP = "family_help", "Family help (targeted support for the family)"
    CHILD_IN_NEED = "s17", "Child in need (section 17)"
    CHILD_PROTECTION = "s47", "Strategy discussion / child protection enquiry (section 47)"
    IMMEDIATE_PROTECTION = "immediate_protection", "Immediate protection"
    # Allegations against people who work with children (the LADO; Working Together 2023 ch. 2
    # and the London Child Protection Procedures, allegations against staff or volunteers).
    LADO_NFA = "lado_nfa", "No further action"
    LADO_ADVICE = "lado_advice", "Advice to the employer"
    LADO_STRATEGY = "lado_strategy", "Strategy meeting (allegations management)"
    LADO_POLICE = "lado_police", "Police investigation"

    @classmethod
    def adult(cls) -> tuple[str, ...]:
        return (cls.S42_MET, cls.CONCERN_NOT_MET, cls.NOT_SAFEGUARDING)

    @classmethod
    def child(cls) -> tuple[str, ...]:
        return (cls.NFA, cls.EARLY_HELP, cls.FAMILY_HELP, cls.CHILD_IN_NEED,
                cls.CHILD_PROTECTION, cls.IMMEDIATE_PROTECTION)

    @classmethod
    def lado(cls) -> tuple[str, ...]:
        return (cls.LADO_NFA, cls.LADO_ADVICE, cls.LADO_STRATEGY, cls.LADO_POLICE)

    @classmethod
    def safeguarding_concern(cls) -> tuple[str, ...]:
        return (cls.S42_MET, cls.CONCERN_NOT_MET)


class S42Criterion(models.TextChoices):
    """The three section 42 criteria (Care Act 2014 s42(1)), recorded one by one with every
    adult concern decision (issue 15 item 6). The value is the Decision column's name."""

    CARE_NEEDS = "s42_care_needs", "Has needs for care and support"
    ABUSE = "s42_abuse", "Is experiencing, or is at risk of, abuse or neglect"
    UNABLE_TO_PROTECT = "s42_unable_to_protect", (
        "Because of those needs, is unable to protect themselves from the abuse or neglect")


class CriterionAnswer(models.TextChoices):
    MET = "met", "Met"
    NOT_MET = "not_met", "Not met"
    NOT_KNOWN = "not_known", "Not known"


# The decision kinds are the outcomes: one name for readers who look for either word.
DecisionKind = Outcome


class MspOutcome(models.TextChoices):
    """Making Safeguarding Personal (issue 15, item 7): at closure of an adult referral, were
    the outcomes the person wanted (the form's "What do they want to happen?") achieved? The
    four answers of the Safeguarding Adults Collection's MSP question."""

    FULLY = "fully", "Fully achieved"
    PARTLY = "partly", "Partly achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"
    NOT_ASKED = "not_asked", "Not asked (or they did not say)"

    @classmethod
    def referrer_words(cls, value: str) -> str:
        """The sentence the referrer reads in the closure feedback (where consent allows)."""
        return {
            cls.FULLY: "The outcomes the person wanted were achieved.",
            cls.PARTLY: "Some of the outcomes the person wanted were achieved.",
            cls.NOT_ACHIEVED: "The outcomes the person wanted could not be achieved.",
            cls.NOT_ASKED: "The person was not asked what outcomes they wanted, or did not "
                           "say.",
        }.get(value, "")


class RagRating(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class ClockKind(models.TextChoices):
    """A deadline's kind (Deadline.kind, ClockPolicy.kind)."""

    CONCERN_DECISION = "concern_decision", "Concern decision"
    MASH_DECISION = "mash_decision", "MASH decision"
    RAG = "rag", "RAG response"
    ENQUIRY = "enquiry", "Section 42 enquiry"
    FEEDBACK = "feedback", "Feedback to the referrer"
    # Not one of the issue's deadlines but its enforcement rule: an urgent referral must be
    # picked up (assigned) within an hour or the managers are alerted. A policy row sets the
    # hour; the sweep checks urgent referrals directly, so it never becomes a Deadline row.
    URGENT_PICKUP = "urgent_pickup", "Urgent referral picked up"
    # Issue 15. Neither is a Deadline row: a challenge's tier and a consultation's call-back
    # keep their own due times (challenges, consultations), computed from these policy rows.
    CHALLENGE = "challenge", "Response to a challenge (each tier)"
    CONSULTATION = "consultation", "Call-back on a request for advice"

    @property
    def phrase(self) -> str:
        """The name mid-sentence: "the {phrase} for referral ..."."""
        return _CLOCK_PHRASES[self.value]

    @classmethod
    def decisions(cls) -> tuple[str, ...]:
        return (cls.CONCERN_DECISION, cls.MASH_DECISION)


class ClockEnd(models.TextChoices):
    """Why a clock stopped without being met (Deadline.cancelled_reason). An ended clock is
    neither met nor breached: the dashboard and the sweep leave it out, so a withdrawn or
    merged referral never counts as a decision made (docs/clocks.md)."""

    WITHDRAWN = "withdrawn", "Withdrawn by the referrer"
    MERGED = "merged", "Merged into another referral"
    REROUTED = "re-routed", "Re-routed to a pathway without this clock"
    CLOSED = "closed without a decision", "Closed without a decision"


_CLOCK_PHRASES = {
    "concern_decision": "concern decision",
    "mash_decision": "MASH decision",
    "rag": "RAG response",
    "enquiry": "section 42 enquiry",
    "feedback": "feedback to the referrer",
    "urgent_pickup": "urgent pick-up",
    "challenge": "response to a challenge",
    "consultation": "call-back on a request for advice",
}


class DueState(models.TextChoices):
    """Where a clock stands for staff pages (pathways.deadlines.due_status)."""

    ON_TIME = "on_time", "On time"
    DUE_SOON = "due_soon", "Due soon"
    OVERDUE = "overdue", "Overdue"
    PAUSED = "paused", "Paused"
    MET = "met", "Met"
    MET_LATE = "met_late", "Met late"
    CLOSED = "closed", "Closed"
    NONE = "none", "No clock running"


class Role(models.TextChoices):
    """What a signed-in person is (accounts.roles.role_of); workflow rows name these."""

    REFERRER = "referrer", "Referrer"
    ORGANISATION_LEAD = "organisation_lead", "Organisation safeguarding lead"
    TRIAGE_WORKER = "triage_worker", "Triage worker"
    TEAM_MANAGER = "team_manager", "Team manager"
    COUNCIL_ADMIN = "council_admin", "Council administrator"
    PENDING = "pending", "Waiting for approval"

    @classmethod
    def staff(cls) -> tuple[str, ...]:
        return (cls.TRIAGE_WORKER, cls.TEAM_MANAGER)


class EventKind(models.TextChoices):
    """A referral timeline entry's kind (ReferralEvent.kind), written by referrals.record."""

    SUBMITTED = "submitted", "Referral received"
    # The workflow's transitions (referrals.workflow.EVENT_KIND maps each action to one).
    RAG_RATED = "rag_rated", "RAG rating given"
    DECIDED = "decided", "Decision recorded"
    INFO_REQUESTED = "info_requested", "More information requested"
    INFO_RECEIVED = "info_received", "Information received"
    REROUTED = "rerouted", "Passed to another team"
    PLAN_STARTED = "plan_started", "Safeguarding plan and review started"
    CLOSED = "closed", "Referral closed"
    WITHDRAWN = "withdrawn", "Withdrawn by the referrer"
    LINKED = "linked", "Linked as a duplicate"
    MERGED = "merged", "Merged into another referral"
    MERGED_IN = "merged_in", "Another referral merged into this one"
    # Assignment (triage).
    CLAIMED = "assignment:claim", "Claimed"
    ASSIGNED = "assignment:assign", "Assigned"
    RELEASED = "assignment:release", "Released"
    # The referrer's updates and feedback.
    INFORMATION_ADDED = "information_added", "Referrer added information"
    CHASED = "chased", "Referrer chased a missed timeframe"
    FEEDBACK_BY_PHONE = "feedback_by_phone", "Feedback given by phone"
    # Issue 15: challenging a decision (professional disagreement), and "things have got worse".
    CHALLENGE_RAISED = "challenge_raised", "Referrer challenged the decision"
    CHALLENGE_ANSWERED = "challenge_answered", "Challenge answered"
    CHALLENGE_ESCALATED = "challenge_escalated", "Challenge passed to the next stage"
    WORSENED = "worsened", "Referrer said things have got worse"
    # Case management acknowledged the hand-over through the API (api.services).
    HANDED_OVER = "handed_over", "Handed over to a social work team"
    # Issue 15: the organisation's lead handed the referrer's follow-up to a colleague.
    FOLLOW_UP_PASSED = "follow_up_passed", "Follow-up passed to a colleague"
    # Issue 16, part 4: staff recorded a parallel duty (MARAC, Prevent...) done or not needed.
    DUTY_RECORDED = "duty_recorded", "Parallel duty recorded"


class AuditAction(models.TextChoices):
    """Every audit row's action (AuditEvent.action): `noun.verb_past`, one list.

    Rows are append-only: rows written before this list keep their old words (for example
    "referral.view", "referral.decide"); the audit page shows them as they were stored.
    """

    # Reads of a referral.
    REFERRAL_VIEWED = "referral.viewed", "Viewed a referral"
    REFERRAL_DRAFT_VIEWED = "referral.draft_viewed", "Viewed a draft referral"
    REFERRAL_STATUS_VIEWED = "referral.status_viewed", "Viewed a referral's status page"
    REFERRAL_PDF_DOWNLOADED = "referral.pdf_downloaded", "Downloaded a referral's PDF"
    REFERRAL_ATTACHMENT_DOWNLOADED = "referral.attachment_downloaded", "Downloaded an attachment"
    REFERRAL_CLOCKS_VIEWED = "referral.clocks_viewed", "Viewed a referral's clocks"
    REFERRAL_CLOCKS_EXPLAINED = "referral.clocks_explained", "Explained a referral's clocks"
    REFERRAL_ADD_INFORMATION_VIEWED = (
        "referral.add_information_viewed", "Viewed the add-information page")
    REFERRAL_CHASE_VIEWED = "referral.chase_viewed", "Viewed the chase page"
    # Drafts.
    REFERRAL_DRAFT_STARTED = "referral.draft_started", "Started a draft referral"
    REFERRAL_DRAFT_SAVED = "referral.draft_saved", "Saved a draft referral"
    REFERRAL_DRAFT_EXPIRED = "referral.draft_expired", "A draft referral expired"
    REFERRAL_DRAFT_REFUSED = (
        "referral.draft_refused", "A draft was refused: the member's membership ended")
    REFERRAL_ALLEGED_PERSON_ADDED = "referral.alleged_person_added", "Added an alleged person"
    REFERRAL_ALLEGED_PERSON_REMOVED = (
        "referral.alleged_person_removed", "Removed an alleged person")
    REFERRAL_HOUSEHOLD_MEMBER_ADDED = (
        "referral.household_member_added", "Added a member of the household")
    REFERRAL_HOUSEHOLD_MEMBER_CHANGED = (
        "referral.household_member_changed", "Changed a member of the household")
    REFERRAL_HOUSEHOLD_MEMBER_REMOVED = (
        "referral.household_member_removed", "Removed a member of the household")
    REFERRAL_ATTACHMENT_ADDED = "referral.attachment_added", "Added an attachment"
    REFERRAL_ATTACHMENT_REMOVED = "referral.attachment_removed", "Removed an attachment"
    REFERRAL_ATTACHMENT_REFUSED = (
        "referral.attachment_refused", "An upload was refused: malware found or no scanner")
    # Changes on the timeline: one per EventKind (referrals.record writes both together).
    REFERRAL_SUBMITTED = "referral.submitted", "Submitted a referral"
    REFERRAL_RAG_RATED = "referral.rag_rated", "Gave a RAG rating"
    REFERRAL_DECIDED = "referral.decided", "Recorded the decision"
    REFERRAL_INFO_REQUESTED = "referral.info_requested", "Asked for more information"
    REFERRAL_INFO_RECEIVED = "referral.info_received", "Recorded information received"
    REFERRAL_REROUTED = "referral.rerouted", "Re-routed to another pathway"
    REFERRAL_PLAN_STARTED = "referral.plan_started", "Moved to plan and review"
    REFERRAL_CLOSED = "referral.closed", "Closed a referral"
    REFERRAL_WITHDRAWN = "referral.withdrawn", "Withdrew a referral"
    REFERRAL_LINKED = "referral.linked", "Linked a referral as a duplicate"
    REFERRAL_LINKED_FROM = "referral.linked_from", "A duplicate was linked to this referral"
    REFERRAL_MERGED = "referral.merged", "Merged a referral into another"
    REFERRAL_MERGED_IN = "referral.merged_in", "A referral was merged into this one"
    REFERRAL_CLAIMED = "referral.claimed", "Claimed a referral"
    REFERRAL_ASSIGNED = "referral.assigned", "Assigned a referral"
    REFERRAL_RELEASED = "referral.released", "Released a referral"
    REFERRAL_INFORMATION_ADDED = "referral.information_added", "Referrer added information"
    REFERRAL_CHASED = "referral.chased", "Referrer chased a referral"
    FEEDBACK_GIVEN_BY_PHONE = "feedback.given_by_phone", "Gave feedback by phone"
    REFERRAL_NOTE_ADDED = "referral.note_added", "Added an internal note"
    CHALLENGE_RAISED = "challenge.raised", "Challenged a decision"
    CHALLENGE_ANSWERED = "challenge.answered", "Answered a challenge"
    CHALLENGE_ESCALATED = "challenge.escalated", "A challenge passed to the next stage"
    REFERRAL_WORSENED = "referral.worsened", "Referrer said things have got worse"
    REFERRAL_DUTY_RECORDED = "referral.duty_recorded", "Recorded a parallel duty"
    CHALLENGE_VIEWED = "challenge.viewed", "Viewed a challenge page"
    CONSULTATION_REQUESTED = "consultation.requested", "Asked for advice before referring"
    CONSULTATION_VIEWED = "consultation.viewed", "Viewed a request for advice"
    CONSULTATION_ANSWERED = "consultation.answered", "Recorded advice given"
    CONSULTATION_CONVERTED = "consultation.converted", "Turned a request for advice into a draft"
    CONSULTATION_CALLBACK_MISSED = (
        "consultation.callback_missed", "A request for advice was not called back in time")
    # Systems (the API, issue 17): every read names the client in its detail.
    REFERRAL_API_LISTED = "referral.api_listed", "A system listed a referral through the API"
    REFERRAL_API_VIEWED = "referral.api_viewed", "A system read a referral through the API"
    REFERRAL_API_ATTACHMENT_DOWNLOADED = (
        "referral.api_attachment_downloaded", "A system downloaded an attachment through the API")
    REFERRAL_API_EVENTS_READ = (
        "referral.api_events_read", "A system read a referral's events from the API feed")
    REFERRAL_API_REFUSED = "referral.api_refused", "A system was refused a referral"
    REFERRAL_HANDED_OVER = "referral.handed_over", "Case management accepted the hand-over"
    REFERRAL_FOLLOW_UP_PASSED = (
        "referral.follow_up_passed", "Passed a referral's follow-up to a colleague")
    REFERRAL_FOLLOW_UP_VIEWED = (
        "referral.follow_up_viewed", "Viewed the page to pass a referral's follow-up on")
    REFERRAL_BUNDLE_EXPORTED = "referral.bundle_exported", "Downloaded a hand-over bundle"
    CLIENT_REGISTERED = "client.registered", "Registered an API client"
    CLIENT_SUSPENDED = "client.suspended", "Suspended an API client"
    CLIENT_RESUMED = "client.resumed", "Resumed a suspended API client"
    WEBHOOK_REPLAYED = "webhook.replayed", "Replayed a webhook delivery"
    # Clocks.
    DEADLINE_OPENED = "deadline.opened", "A clock started"
    DEADLINE_MET = "deadline.met", "A clock was met"
    DEADLINE_PAUSED = "deadline.paused", "A clock was paused"
    DEADLINE_RESUMED = "deadline.resumed", "A clock was resumed"
    DEADLINE_REROUTED = "deadline.rerouted", "A clock moved with a re-route"
    DEADLINE_CANCELLED = "deadline.cancelled", "A clock was cancelled"
    DEADLINE_WARNED = "deadline.warned", "A clock's warning was sent"
    DEADLINE_BREACHED = "deadline.breached", "A clock was breached"
    # Kept as first stored: the sweep finds earlier alerts by this value.
    REFERRAL_URGENT_NOT_PICKED_UP = (
        "referral.urgent_not_picked_up", "Urgent referral not picked up: managers alerted")
    # Feedback and notices.
    FEEDBACK_MY_REFERRALS_VIEWED = "feedback.my_referrals_viewed", "Viewed my referrals"
    FEEDBACK_PHONE_VIEWED = "feedback.phone_viewed", "Viewed the phone feedback page"
    FEEDBACK_ORGANISATION_VIEWED = (
        "feedback.organisation_viewed", "Viewed the organisation's referrals")
    NOTICE_RETRIED = "notice.retried", "Retried a failed notice"
    NOTICE_FAILED_LIST_VIEWED = "notice.failed_list_viewed", "Viewed failed notices"
    # Triage pages.
    TRIAGE_REFUSED = "triage.refused", "Refused a triage page"
    TRIAGE_SEARCHED = "triage.searched", "Searched referrals"
    TRIAGE_QUEUE_VIEWED = "triage.queue_viewed", "Viewed the team's queue"
    TRIAGE_WORKLOAD_VIEWED = "triage.workload_viewed", "Viewed the team's workload"
    DASHBOARD_VIEWED = "dashboard.viewed", "Viewed the dashboard"
    DASHBOARD_CSV_DOWNLOADED = "dashboard.csv_downloaded", "Downloaded a dashboard table"
    AUDIT_VIEWED = "audit.viewed", "Viewed the audit log"
    # Accounts and memberships.
    ACCOUNT_SIGNED_UP = "account.signed_up", "Signed up"
    ACCOUNT_SIGNED_UP_EXISTING = "account.signed_up_existing", "Signed up with a known email"
    ACCOUNT_VERIFICATION_RESENT = "account.verification_resent", "Verification email resent"
    ACCOUNT_EMAIL_VERIFIED = "account.email_verified", "Verified an email address"
    ACCOUNT_PASSWORD_RESET_REQUESTED = (
        "account.password_reset_requested", "Asked for a password reset email")
    ACCOUNT_PASSWORD_RESET = "account.password_reset", "Reset a password"
    MEMBERSHIP_APPROVED = "membership.approved", "Approved a membership"
    MEMBERSHIP_APPROVED_BY_DOMAIN = (
        "membership.approved_by_domain", "Membership approved by email domain")
    MEMBERSHIP_REFUSED = "membership.refused", "Refused a membership"
    # Sessions and two-factor authentication.
    SESSION_ENDED = "session.ended", "Session ended"
    ACCESS_REFUSED = "access.refused", "Access refused"
    MFA_TOTP_SETUP_FAILED = "mfa.totp_setup_failed", "Authenticator app set-up failed"
    MFA_TOTP_ADDED = "mfa.totp_added", "Added an authenticator app"
    MFA_BACKUP_CODES_ISSUED = "mfa.backup_codes_issued", "Backup codes issued"
    MFA_EMAIL_CODE_SENT = "mfa.email_code_sent", "Email code sent"
    MFA_ENROLMENT_MAILBOX_CONFIRMED = (
        "mfa.enrolment_mailbox_confirmed", "Mailbox confirmed for two-factor set-up")
    MFA_VERIFIED = "mfa.verified", "Two-factor check passed"
    MFA_FAILED = "mfa.failed", "Two-factor check failed"
    # The Django admin (audit.admin_mixins): reads and changes made there.
    ADMIN_LISTED = "admin.listed", "Listed rows in the Django admin"
    ADMIN_VIEWED = "admin.viewed", "Viewed a row in the Django admin"
    ADMIN_ADDED = "admin.added", "Added a row in the Django admin"
    ADMIN_CHANGED = "admin.changed", "Changed a row in the Django admin"
    ADMIN_DELETED = "admin.deleted", "Deleted a row in the Django admin"
    # Privacy.
    PRIVACY_SUBJECT_ACCESS_SEARCHED = "privacy.subject_access_searched", "Subject access search"
    PRIVACY_SUBJECT_ACCESS_EXPORTED = "privacy.subject_access_exported", "Subject access export"
    PRIVACY_RETENTION_DELETED = "privacy.retention_deleted", "Deleted under the retention policy"

    @classmethod
    def label_of(cls, value: str) -> str:
        """The words for a stored action; a row older than this list shows its stored value."""
        try:
            return cls(value).label
        except ValueError:
            return value


# The audit action each timeline kind writes with it (referrals.record).
EVENT_AUDIT = {
    EventKind.SUBMITTED: AuditAction.REFERRAL_SUBMITTED,
    EventKind.RAG_RATED: AuditAction.REFERRAL_RAG_RATED,
    EventKind.DECIDED: AuditAction.REFERRAL_DECIDED,
    EventKind.INFO_REQUESTED: AuditAction.REFERRAL_INFO_REQUESTED,
    EventKind.INFO_RECEIVED: AuditAction.REFERRAL_INFO_RECEIVED,
    EventKind.REROUTED: AuditAction.REFERRAL_REROUTED,
    EventKind.PLAN_STARTED: AuditAction.REFERRAL_PLAN_STARTED,
    EventKind.CLOSED: AuditAction.REFERRAL_CLOSED,
    EventKind.WITHDRAWN: AuditAction.REFERRAL_WITHDRAWN,
    EventKind.LINKED: AuditAction.REFERRAL_LINKED,
    EventKind.MERGED: AuditAction.REFERRAL_MERGED,
    EventKind.MERGED_IN: AuditAction.REFERRAL_MERGED_IN,
    EventKind.CLAIMED: AuditAction.REFERRAL_CLAIMED,
    EventKind.ASSIGNED: AuditAction.REFERRAL_ASSIGNED,
    EventKind.RELEASED: AuditAction.REFERRAL_RELEASED,
    EventKind.INFORMATION_ADDED: AuditAction.REFERRAL_INFORMATION_ADDED,
    EventKind.CHASED: AuditAction.REFERRAL_CHASED,
    EventKind.FEEDBACK_BY_PHONE: AuditAction.FEEDBACK_GIVEN_BY_PHONE,
    EventKind.CHALLENGE_RAISED: AuditAction.CHALLENGE_RAISED,
    EventKind.CHALLENGE_ANSWERED: AuditAction.CHALLENGE_ANSWERED,
    EventKind.CHALLENGE_ESCALATED: AuditAction.CHALLENGE_ESCALATED,
    EventKind.WORSENED: AuditAction.REFERRAL_WORSENED,
    EventKind.HANDED_OVER: AuditAction.REFERRAL_HANDED_OVER,
    EventKind.FOLLOW_UP_PASSED: AuditAction.REFERRAL_FOLLOW_UP_PASSED,
    EventKind.DUTY_RECORDED: AuditAction.REFERRAL_DUTY_RECORDED,
}
