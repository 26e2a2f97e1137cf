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


class WebhookEndpoint(models.Model):
    """Where a case-management system wants to hear of changes (issue 17), registered by an
    administrator for an API client (the OAuth application). `pathways` and `active` follow the
    client's grant: the api app copies them here whenever the client changes (api.services), so
    the outbox decides who hears of a change without importing the layer above it."""

    application = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.CASCADE,
        related_name="webhook_endpoints",
    )
    url = models.URLField(max_length=500, help_text="HTTPS address the deliveries are posted to.")
    # The HMAC-SHA256 key: shown once when the endpoint is registered, never again.
    secret = models.CharField(max_length=100, editable=False)
    event_types = models.JSONField(default=list, blank=True)
    pathways = models.JSONField(default=list, blank=True, editable=False)
    active = models.BooleanField(default=True)
    client_suspended = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"Webhook endpoint {self.pk} ({self.url})"


class WebhookDelivery(models.Model):
    """One signed POST of one referral event to one endpoint: written in the transaction of the
    change (referrals.record), sent by the worker after commit (outbox.webhooks), retried with
    back-off, FAILED after WEBHOOK_MAX_ATTEMPTS and replayable from the admin. The payload holds
    ids and words from the vocabulary only: the client reads the referral through the API,
    where the read is audited."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE,
                                 related_name="deliveries")
    # Plain ids: a delivery outlives nothing it names, but it must not lock the referral.
    event_id = models.BigIntegerField()
    referral_id = models.BigIntegerField()
    event_type = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_try_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_once_per_event"),
        ]
        indexes = [
            models.Index(fields=["next_try_at"], name="webhook_pending_next_try",
                         condition=models.Q(status="pending")),
            models.Index(fields=["endpoint", "referral_id", "id"], name="webhook_referral_order"),
        ]
        verbose_name_plural = "webhook deliveries"

    def __str__(self):
        return f"{self.event_type} to endpoint {self.endpoint_id} ({self.status})"
