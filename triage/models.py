"""What triage adds to a referral: decisions with their details, internal notes, the history
of who held it, and duplicate links. The referral itself (and its status) lives in referrals."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.vocabulary import CriterionAnswer


class Decision(models.Model):
    """One recorded decision (concern decision, MASH decision, closure, merge) and the feedback
    the referrer was owed with it. Written only by triage.transitions."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="decisions"
    )
    action = models.CharField(max_length=20)
    outcome = models.CharField(max_length=40, blank=True)
    # The outcome's detail: the enquiry type (s42 met) or the other action / signposting kind.
    detail = models.CharField(max_length=40, blank=True)
    # Staff's own rationale: internal, never shown to the referrer.
    rationale = models.TextField(blank=True)
    # Adults' concern decisions: the three section 42 criteria, one by one (issue 15 item 6;
    # core.vocabulary.S42Criterion). Blank on other decisions. The referrer is told in plain
    # words which was not met (triage.explain), never these codes.
    s42_care_needs = models.CharField("has care and support needs", max_length=10, blank=True,
                                      choices=CriterionAnswer.choices)
    s42_abuse = models.CharField("experiencing or at risk of abuse or neglect", max_length=10,
                                 blank=True, choices=CriterionAnswer.choices)
    s42_unable_to_protect = models.CharField("unable to protect themselves", max_length=10,
                                             blank=True, choices=CriterionAnswer.choices)
    # Children's (MASH) decisions: the level of need under the threshold document. A level in
    # use is never deleted (administrators make it inactive).
    # No index: a handful of levels, never deleted (PROTECT's lookup is rare and small), and
    # an index on the existing decision table would have to be built CONCURRENTLY.
    need_level = models.ForeignKey("pathways.ThresholdLevel", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", db_index=False)
    feedback = models.ForeignKey(
        "feedback.FeedbackRecord", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "id"]
        indexes = [models.Index(fields=["referral", "decided_at"])]

    def __str__(self):
        return f"{self.action} {self.outcome} on {self.referral_id}"


class InternalNote(models.Model):
    """A note for the team. Never shown to the referrer (no referrer page reads this table)."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="internal_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["referral", "created_at"])]

    def __str__(self):
        return f"Note on {self.referral_id} at {self.created_at:%Y-%m-%d %H:%M}"


class AssignmentKind(models.TextChoices):
    CLAIM = "claim", "Claimed"
    ASSIGN = "assign", "Assigned"
    RELEASE = "release", "Released"


class Assignment(models.Model):
    """Who held the referral, when: the history behind Referral.assignee."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="assignments"
    )
    kind = models.CharField(max_length=10, choices=AssignmentKind.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    previous = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.kind} {self.referral_id} to {self.assignee_id}"


class DuplicateKind(models.TextChoices):
    LINK = "link", "Linked as a possible duplicate"
    MERGE = "merge", "Merged"


class DuplicateLink(models.Model):
    """`referral` is about the same person as `other`. A merge finishes `referral`; `other`
    carries on and owes feedback to both referrers."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="duplicate_links"
    )
    other = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="duplicate_links_in"
    )
    kind = models.CharField(max_length=10, choices=DuplicateKind.choices)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["referral", "other", "kind"], name="one_link_per_kind"),
            models.CheckConstraint(condition=~models.Q(referral=models.F("other")),
                                   name="duplicate_not_itself"),
        ]

    def __str__(self):
        return f"{self.referral_id} {self.kind} {self.other_id}"
