"""The four pathways a referral can take, their contact details, and their deadlines."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from core.vocabulary import ClockKind, Pathway, RagRating

from .clocks import Anchor, ClockRule, Unit, policy_kinds_for_pathway


class ContactKind(models.TextChoices):
    PATHWAY = "pathway", "Pathway team"
    EDT = "edt", "Emergency Duty Team (out of hours)"
    # Issue 16: the contacts of the parallel duties (MARAC, Prevent...); not on the first page.
    DUTY = "duty", "Parallel duty (MARAC, Prevent and others)"


class ContactPoint(models.Model):
    """Phone numbers shown before any question is asked; administrators edit them."""

    kind = models.CharField(max_length=20, choices=ContactKind.choices)
    pathway = models.CharField(max_length=32, choices=Pathway.choices, blank=True)
    name = models.CharField(max_length=200)
    # Blank: "set by the council", not shown to anyone until an administrator enters it, and
    # listed by `manage.py check` and the administrator's home page (pathways.contacts).
    phone = models.CharField(max_length=40, blank=True,
                             help_text="Leave blank until the council has set the number: a "
                                       "blank number is not shown, and is listed as still to set")
    hours = models.CharField(max_length=200, blank=True,
                             help_text="For example: Monday to Friday, 9am to 5pm")
    email = models.EmailField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


KIND_CHOICES = [(kind.value, kind.label) for kind in ClockKind]
UNIT_CHOICES = [(unit.value, unit.label.capitalize()) for unit in Unit]
ANCHOR_CHOICES = [
    (Anchor.BEFORE_DUE.value, "Before the due time"),
    (Anchor.AFTER_START.value, "After the clock starts"),
]
VARIANT_CHOICES = [("", "(any)")] + [(r.value, f"RAG {r.value}") for r in RagRating]


class ClockPolicy(models.Model):
    """One clock's rule on one pathway; council administrators edit these in Django admin.

    The defaults (data migration 0004) are issue 5's table. A deadline keeps the rule it was
    opened with (Deadline.rule), so editing a policy changes new clocks, not running ones.
    """

    pathway = models.CharField(max_length=32, choices=Pathway.choices)
    kind = models.CharField(max_length=32, choices=KIND_CHOICES)
    variant = models.CharField(
        max_length=8,
        choices=VARIANT_CHOICES,
        blank=True,
        help_text="The RAG rating, for the rag clock only.",
    )
    amount = models.PositiveIntegerField(
        help_text="How long the clock runs. 0 working days means the same working day."
    )
    unit = models.CharField(max_length=20, choices=UNIT_CHOICES)
    warning_amount = models.PositiveIntegerField()
    warning_unit = models.CharField(max_length=20, choices=UNIT_CHOICES)
    warning_anchor = models.CharField(
        max_length=20, choices=ANCHOR_CHOICES, default=Anchor.BEFORE_DUE.value
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pathway", "kind", "variant"]
        verbose_name_plural = "clock policies"
        constraints = [
            models.UniqueConstraint(
                fields=["pathway", "kind", "variant"], name="one_policy_per_clock"
            )
        ]

    def __str__(self):
        variant = f" ({self.variant})" if self.variant else ""
        return f"{self.get_pathway_display()}: {self.get_kind_display()}{variant}"

    def to_rule(self) -> ClockRule:
        return ClockRule(
            amount=self.amount,
            unit=Unit(self.unit),
            warning_amount=self.warning_amount,
            warning_unit=Unit(self.warning_unit),
            warning_anchor=Anchor(self.warning_anchor),
        )

    def clean(self):
        if self.pathway and self.pathway not in Pathway.every():
            raise ValidationError({"pathway": "No clocks run on this pathway yet."})
        if self.pathway and self.kind and self.kind not in policy_kinds_for_pathway(self.pathway):
            raise ValidationError({"kind": "This clock does not run on this pathway."})
        if (self.kind == ClockKind.RAG) != bool(self.variant):
            raise ValidationError(
                {"variant": "Choose a RAG rating for the rag clock, and only for it."}
            )
        try:
            self.to_rule()
        except ValueError as error:
            raise ValidationError({"amount": str(error)}) from error


class ClosureDay(models.Model):
    """A day the council is closed (for example 24 December): not a working day for clocks."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=100, help_text="For example: Council closure day")

    class Meta:
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%d %B %Y}: {self.name}"


class DeadlineQuerySet(models.QuerySet):
    def open(self):
        """Not met and not cancelled: the clocks that can still warn and breach."""
        return self.filter(met_at__isnull=True, cancelled_at__isnull=True)


class Deadline(models.Model):
    """One clock on one referral. Opened, met, paused and resumed by pathways.deadlines in the
    caller's transaction; the beat sweep (referrals.sweep) records warnings and breaches once.

    `rule` is the ClockRule the clock was opened with, so a later policy edit does not move a
    running clock. While a pause is open `paused_at` is set and `due_at`/`warning_at` keep their
    last values; the sweep ignores paused clocks and resuming recomputes both.
    """

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="deadlines"
    )
    kind = models.CharField(max_length=32, choices=KIND_CHOICES)
    variant = models.CharField(max_length=8, blank=True, help_text="RAG rating for rag clocks.")
    rule = models.JSONField(default=dict)
    starts_at = models.DateTimeField()
    warning_at = models.DateTimeField()
    due_at = models.DateTimeField()
    met_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    # Stopped without being met: a re-rating restarted it, or a re-route made it not apply.
    # met_at is set to the same time, so "running" is always met_at IS NULL; reports that count
    # clocks met on time exclude cancelled ones.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["due_at"],
                name="deadline_open_due",
                condition=models.Q(met_at__isnull=True, cancelled_at__isnull=True),
            ),
            models.Index(
                fields=["warning_at"],
                name="deadline_unwarned",
                condition=models.Q(
                    met_at__isnull=True, cancelled_at__isnull=True, warned_at__isnull=True
                ),
            ),
            models.Index(fields=["referral", "kind"]),
            # The sweep's breach step (pathways.due): running clocks not yet breached. A
            # breached clock stays open until met, so deadline_open_due alone would make every
            # sweep re-read the whole backlog of breached ones.
            models.Index(
                fields=["due_at"],
                name="deadline_unbreached",
                condition=models.Q(
                    met_at__isnull=True,
                    cancelled_at__isnull=True,
                    paused_at__isnull=True,
                    breached_at__isnull=True,
                ),
            ),
            # The sweep's urgent pick-up step: "has a running decision clock", probed once per
            # waiting urgent referral. The kinds are referrals.sweep.DECISION_KINDS, in order.
            models.Index(
                fields=["referral"],
                name="deadline_deciding_open",
                condition=models.Q(
                    kind__in=[ClockKind.CONCERN_DECISION.value, ClockKind.MASH_DECISION.value],
                    met_at__isnull=True,
                    cancelled_at__isnull=True,
                ),
            ),
        ]
        constraints = [
            # At most one running clock of a kind per referral (re-rating closes the old one).
            models.UniqueConstraint(
                fields=["referral", "kind"],
                name="one_open_deadline_per_kind",
                condition=models.Q(met_at__isnull=True, cancelled_at__isnull=True),
            )
        ]

    def __str__(self):
        return f"{self.kind} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.cancelled_at is None

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def label(self) -> str:
        label = ClockKind(self.kind).label
        return f"{label} ({self.variant})" if self.variant else label

    @property
    def phrase(self) -> str:
        return clock_phrase(self.kind, self.variant)


def clock_phrase(kind: str, variant: str = "") -> str:
    """A clock's name mid-sentence ("the concern decision", "the RAG response (red)"): the
    Deadline's `phrase`, for a caller holding only its kind and variant (the sweep)."""
    phrase = ClockKind(kind).phrase
    return f"{phrase} ({variant})" if variant else phrase


class PauseReason(models.TextChoices):
    # The London multi-agency policy's legitimate pauses; never silent (reason, person, time).
    POLICE = "police", "Police investigation takes precedence"
    ADVOCATE = "advocate", "Waiting for an advocate"
    CAPACITY = "capacity", "Waiting for a mental capacity assessment"
    AGREED = "agreed", "A timescale agreed with the adult"
    OTHER = "other", "Other (explained in the note)"


class ClockPause(models.Model):
    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="pauses")
    paused_at = models.DateTimeField()
    resumed_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=20, choices=PauseReason.choices)
    note = models.TextField(blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["paused_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline"],
                name="one_open_pause_per_deadline",
                condition=models.Q(resumed_at__isnull=True),
            )
        ]

    def __str__(self):
        return f"{self.get_reason_display()} from {self.paused_at:%Y-%m-%d %H:%M}"


# Routing rules live in their own module to keep this one readable; Django finds them here.
from .duty_models import DutyTrigger, Obligation, ParallelDuty, RiskQuestion  # noqa: E402,F401
from .routing_models import RoutingRule, RoutingRuleChange  # noqa: E402,F401
from .threshold_models import ThresholdLevel, ThresholdLevelChange  # noqa: E402,F401
