"""A request for advice before referring (a consultation): "often if confused Diana will call
OPPD for advice". The referrer asks a team a question; the team calls back within the
`consultation` clock (a ClockPolicy row, default the same working day) and records the advice,
or turns it into a draft referral pre-filled from the question."""

from django.conf import settings
from django.db import models

from core.vocabulary import Pathway


class Urgency(models.TextChoices):
    TODAY = "today", "Today: I need to decide what to do today"
    SOON = "soon", "In the next few days"
    NO_RUSH = "no_rush", "No rush"


class ConsultationState(models.TextChoices):
    WAITING = "waiting", "Waiting for a call back"
    ADVISED = "advised", "Advice given"
    CONVERTED = "converted", "The team suggested a referral"


class Consultation(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="consultations")
    organisation = models.ForeignKey("accounts.Organisation", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    pathway = models.CharField(max_length=32, choices=Pathway.choices)
    question = models.TextField()
    urgency = models.CharField(max_length=20, choices=Urgency.choices)
    contact_phone = models.CharField(max_length=40)
    best_time = models.CharField(max_length=200, blank=True)
    requested_at = models.DateTimeField()
    rule = models.JSONField(default=dict)
    due_at = models.DateTimeField()
    warning_at = models.DateTimeField()
    state = models.CharField(max_length=20, choices=ConsultationState.choices,
                             default=ConsultationState.WAITING)
    # Written for the referrer to read (the form says so).
    advice = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    draft = models.ForeignKey("referrals.Referral", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    # The call-back was not made in time: the managers were told, once.
    missed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["team", "due_at"], name="consultation_waiting",
                         condition=models.Q(state="waiting")),
        ]

    def __str__(self):
        return self.reference

    @property
    def called_back_in_time(self) -> bool:
        return self.answered_at is not None and self.answered_at <= self.due_at
