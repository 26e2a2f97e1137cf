"""A referrer's challenge to a decision (professional disagreement), its tiers and its steps.

Every borough has an escalation protocol for professional disagreement; this is it in the
portal. A referrer, or their organisation's safeguarding lead, says why they disagree with a
decision. Each tier (team manager, head of service, then the Safeguarding Adults Board or the
Safeguarding Children Partnership route) answers within the challenge clock (a ClockPolicy row,
ClockKind.CHALLENGE, default 5 working days). An unanswered tier passes itself to the next by
the sweep (challenges.sweep). The tiers are data (ChallengeTier), edited in the Django admin.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.vocabulary import Pathway


class ChallengeTier(models.Model):
    """One stage of the escalation route on a pathway; administrators edit them."""

    pathway = models.CharField(max_length=32, choices=Pathway.choices)
    level = models.PositiveSmallIntegerField(help_text="1 answers first, then 2, then 3.")
    name = models.CharField(max_length=200, help_text="For example: Head of service")
    email = models.EmailField(
        blank=True,
        help_text="Told when a challenge reaches this stage (people who do not use the portal, "
        "such as the head of service or the board's business unit). The team's managers are "
        "always told.")
    referrer_words = models.TextField(
        help_text="What the referrer is told about this stage.")

    class Meta:
        ordering = ["pathway", "level"]
        constraints = [
            models.UniqueConstraint(fields=["pathway", "level"], name="one_tier_per_level")
        ]

    def __str__(self):
        return f"{self.get_pathway_display()}: {self.level}. {self.name}"


class ChallengeState(models.TextChoices):
    AWAITING = "awaiting", "Waiting for an answer"
    ANSWERED = "answered", "Answered: the decision stands"
    UPHELD = "upheld", "Upheld: the decision will be looked at again"

    @classmethod
    def active(cls) -> tuple[str, ...]:
        return (cls.AWAITING, cls.ANSWERED)


class Challenge(models.Model):
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="challenges")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField()
    reason = models.TextField()
    state = models.CharField(max_length=20, choices=ChallengeState.choices,
                             default=ChallengeState.AWAITING)
    level = models.PositiveSmallIntegerField(default=1)
    # The current tier's clock (AWAITING only): the sweep's index.
    due_at = models.DateTimeField(null=True, blank=True)
    warning_at = models.DateTimeField(null=True, blank=True)
    # The last tier missed its time: told once.
    breached_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["due_at"], name="challenge_awaiting_due",
                         condition=models.Q(state="awaiting", breached_at__isnull=True)),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"], name="one_active_challenge_per_referral",
                condition=models.Q(state__in=["awaiting", "answered"])),
        ]

    def __str__(self):
        return f"Challenge {self.pk} on referral {self.referral_id} ({self.state})"


class StepEnd(models.TextChoices):
    ANSWERED = "answered", "Answered: the decision stands"
    UPHELD = "upheld", "Upheld"
    UNANSWERED = "unanswered", "No answer in time: passed on"
    REFERRER_ESCALATED = "referrer_escalated", "The referrer took it to the next stage"


class ChallengeStep(models.Model):
    """One tier's turn: when it started, when it was due, and how it ended."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="steps")
    level = models.PositiveSmallIntegerField()
    tier_name = models.CharField(max_length=200)
    rule = models.JSONField(default=dict)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end = models.CharField(max_length=20, choices=StepEnd.choices, blank=True)
    # Written for the referrer to read (the form says so).
    response = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+")

    class Meta:
        ordering = ["level", "started_at", "id"]

    def __str__(self):
        return f"Challenge {self.challenge_id}, stage {self.level}"

    @property
    def answered_late(self) -> bool:
        return bool(self.ended_at and self.end in (StepEnd.ANSWERED, StepEnd.UPHELD)
                    and self.ended_at > self.due_at)
