"""What the referrer is owed: feedback records. The notices that carry them are the outbox's
(outbox.models.Notice, whose feedback_record points here)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class FeedbackRecord(models.Model):
    """Feedback owed to / given to the referrer about a decision.

    `withheld` with `withheld_reason` is the explicit "detail withheld" answer: the referrer is
    then told that much, never nothing.
    """

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="feedback_records"
    )
    kind = models.CharField(max_length=40)
    outcome_text = models.TextField(help_text="The outcome in plain words.")
    reason = models.TextField(blank=True)
    signposting = models.TextField(blank=True)
    # The decision explained in plain words (issue 15 item 6): which section 42 criterion was
    # not met, or the child's level of need. Written by triage.explain from what staff
    # recorded; held back like the reason when detail is withheld or consent was refused.
    explanation = models.TextField(blank=True)
    # Signposting from the directory, shown with each service's contact details (always
    # shown, like the signposting text: it is public information about public services).
    services = models.ManyToManyField("directory.Service", blank=True, related_name="+")
    withheld = models.BooleanField(default=False)
    withheld_reason = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set when a notice carrying it was sent, or staff recorded giving it by phone.
    given_at = models.DateTimeField(null=True, blank=True)
    given_by_phone = models.BooleanField(default=False)
    phone_summary = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.kind} feedback on {self.referral_id}"

    @property
    def is_given(self) -> bool:
        return self.given_at is not None
