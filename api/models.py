"""API clients: systems (not people) that read referrals ready for hand-over (issue 17).

Each is an OAuth 2.0 client-credentials application (django-oauth-toolkit's Application holds
its id and hashed secret) plus what an administrator granted it here: the pathways it may read
and the scopes it holds. A suspended client gets no token and its tokens stop working.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Scope(models.TextChoices):
    REFERRALS_READ = "referrals:read", "Read referrals ready for hand-over"
    HANDOVER_WRITE = "handover:write", "Acknowledge a hand-over"
    EVENTS_READ = "events:read", "Read the events feed"


class ApiClient(models.Model):
    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.CASCADE,
        related_name="api_client", editable=False,
    )
    name = models.CharField(max_length=100, unique=True,
                            help_text="The system, e.g. 'Mosaic (adult social care)'.")
    pathways = models.JSONField(default=list, help_text="Pathways whose referrals it may read.")
    scopes = models.JSONField(default=list, help_text="What it may do.")
    rate_per_minute = models.PositiveIntegerField(
        null=True, blank=True, help_text="Requests a minute; empty for the portal's default.")
    suspended_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "API client"

    def __str__(self):
        return self.name

    @property
    def suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def client_id(self) -> str:
        return self.application.client_id

    def holds(self, scope: str) -> bool:
        return not self.suspended and scope in self.scopes

    def audit_detail(self) -> dict:
        """How an audit row names the client (no personal data: a system's name and id)."""
        return {"client": self.pk, "client_name": self.name}
