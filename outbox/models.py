"""The outbox table: one row per notice, written in the transaction of the change that owes it
and sent after commit by a task that takes its id (a rolled-back change sends nothing, a lost
broker message only delays a notice: the requeue sweep finds it)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    NOTIFY = "notify", "GOV.UK Notify email"
    PORTAL = "portal", "In the portal"


class NoticeStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Notice(models.Model):
    kind = models.CharField(max_length=40)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="notices",
    )
    recipient_email = models.EmailField(blank=True)
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.CASCADE,
        related_name="notices",
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    status = models.CharField(
        max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.PENDING
    )
    # General words only: never personal details (they may end up in an email).
    subject = models.CharField(max_length=200)
    body = models.TextField()
    # Same key, same notice: a warning or breach written twice stays one notice.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    provider_reference = models.CharField(max_length=200, blank=True)
    # When the broker should next deliver it: set when queued and when a retry is scheduled.
    # The requeue sweep picks pending notices whose next_try_at is well past (a lost message).
    next_try_at = models.DateTimeField(default=timezone.now)
    # The feedback this notice carries: sending it by email marks the feedback given. The one
    # reference from the outbox to a layer above it (docs/decisions/0011).
    feedback_record = models.ForeignKey(
        "feedback.FeedbackRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="notices"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["created_at"], name="notice_unsent",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["next_try_at"], name="notice_pending_next_try",
                condition=models.Q(status="pending"),
            ),
            models.Index(fields=["recipient", "-created_at"], name="feedback_no_recipie_c78c93_idx"),
        ]
        # The table kept its name when the model moved here from feedback (decision 0011).
        db_table = "feedback_notice"

    def __str__(self):
        return f"{self.kind} to {self.recipient_id or self.recipient_email} ({self.status})"

    @property
    def is_email(self) -> bool:
        return self.channel in (Channel.EMAIL, Channel.NOTIFY)
