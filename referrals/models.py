"""The referral: who is at risk, what happened, where it goes, and what has happened since.

Statuses and transitions are data in referrals/workflow.py; the status column carries no
`choices` so the workflow table can change without a schema migration.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from pathways.models import Pathway


class Referral(models.Model):
    reference = models.CharField(max_length=12, unique=True)
    pathway = models.CharField(max_length=32, choices=Pathway.choices, blank=True)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    status = models.CharField(max_length=32, default="draft", db_index=True)
    urgent = models.BooleanField(default=False)
    urgent_reason = models.TextField(blank=True)

    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT,
        related_name="referrals",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="assigned_referrals",
    )
    # A linked referral (an adult concern's MASH referral) or the referral this duplicates.
    linked_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="linked_referrals"
    )

    # The person at risk.
    person_name = models.CharField(max_length=200, blank=True)
    person_other_names = models.CharField(max_length=200, blank=True)
    person_dob = models.DateField(null=True, blank=True)
    person_age_approx = models.PositiveSmallIntegerField(null=True, blank=True)
    person_address = models.TextField(blank=True)
    person_postcode = models.CharField(max_length=10, blank=True)

    # The concern.
    categories = models.JSONField(default=list, blank=True)
    answers = models.JSONField(
        default=dict, blank=True, help_text="Answers to the form's questions, by question key."
    )

    # How the referrer wants feedback (referrals.workflow.FeedbackPreference).
    feedback_preference = models.CharField(max_length=20, default="portal_email")
    referrer_phone = models.CharField(max_length=40, blank=True)

    # Triage.
    rag_rating = models.CharField(max_length=8, blank=True)
    outcome = models.CharField(max_length=40, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    received_at = models.DateTimeField(null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["team", "status", "urgent"]),
            models.Index(fields=["referrer", "-created_at"]),
            models.Index(fields=["organisation", "-received_at"]),
        ]
        permissions = [("triage_referral", "Can triage and decide the referral")]

    def __str__(self):
        return self.reference

    @property
    def is_child(self) -> bool:
        return self.pathway == Pathway.MASH


class ReferralEvent(models.Model):
    """The referral's timeline: every transition and update, who, when, from, to and why.

    Written by the workflow services in the same transaction as the change it records.
    `visible_to_referrer` decides whether it appears on the referrer's status page.
    """

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(max_length=40)
    from_status = models.CharField(max_length=32, blank=True)
    to_status = models.CharField(max_length=32, blank=True)
    reason = models.TextField(blank=True)
    visible_to_referrer = models.BooleanField(default=False)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["referral", "at"])]

    def __str__(self):
        return f"{self.referral_id} {self.kind} at {self.at:%Y-%m-%d %H:%M}"


# django-guardian with direct foreign keys (guardian's performance guide): one indexed join
# instead of a generic relation over object_pk strings.
class ReferralUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)


class ReferralGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)
