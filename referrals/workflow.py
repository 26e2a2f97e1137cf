"""The referral's life cycle as data: statuses, outcomes and (in the triage work) transitions.

Statuses are TextChoices with named groups (STYLE.md habit 6); the Referral.status column has
no `choices`, so this table can change without a schema migration.
"""

from django.db import models


class Status(models.TextChoices):
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
    """The first decision on a referral (Referral.outcome)."""

    # Adults (Care Act 2014 s42).
    S42_MET = "s42_met", "A safeguarding concern: section 42 criteria met"
    CONCERN_NOT_MET = "concern_not_met", "A safeguarding concern: section 42 criteria not met"
    NOT_SAFEGUARDING = "not_safeguarding", "Not a safeguarding concern"
    # Children (Working Together 2023).
    NFA = "nfa", "No further action"
    EARLY_HELP = "early_help", "Early help"
    CHILD_IN_NEED = "s17", "Child in need (section 17)"
    CHILD_PROTECTION = "s47", "Strategy discussion / child protection enquiry (section 47)"
    IMMEDIATE_PROTECTION = "immediate_protection", "Immediate protection"

    @classmethod
    def adult(cls) -> tuple[str, ...]:
        return (cls.S42_MET, cls.CONCERN_NOT_MET, cls.NOT_SAFEGUARDING)

    @classmethod
    def child(cls) -> tuple[str, ...]:
        return (cls.NFA, cls.EARLY_HELP, cls.CHILD_IN_NEED, cls.CHILD_PROTECTION,
                cls.IMMEDIATE_PROTECTION)

    @classmethod
    def safeguarding_concern(cls) -> tuple[str, ...]:
        return (cls.S42_MET, cls.CONCERN_NOT_MET)


class RagRating(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class FeedbackPreference(models.TextChoices):
    PORTAL_EMAIL = "portal_email", "In the portal and by email"
    PHONE_ONLY = "phone_only", "By phone only (email about this case is not safe)"
    BOTH = "both", "By phone, and in the portal and by email"
