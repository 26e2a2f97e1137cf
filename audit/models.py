"""Append-only audit of access and change: who, what, when (UTC), from where."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.vocabulary import AuditAction


class AuditEvent(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # PROTECT, not SET_NULL: rows are append-only (a PostgreSQL trigger refuses UPDATE), so a
    # person with an audit history is disabled, never deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    # Choices for the words on the audit page and admin; rows written before AuditAction keep
    # their stored value (append-only) and show it as it is.
    action = models.CharField(max_length=60, choices=AuditAction.choices)
    # Plain ids, not foreign keys: an audit row outlives the referral it describes.
    referral_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=60, blank=True)
    allowed = models.BooleanField(default=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action}"
