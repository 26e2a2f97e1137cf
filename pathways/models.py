"""The four pathways a referral can take, their contact details, and their deadlines."""

from django.db import models
from django.utils import timezone


class Pathway(models.TextChoices):
    OPPD = "oppd", "Older people and physical disabilities (OPPD)"
    MENTAL_HEALTH = "mental-health", "Mental health"
    LEARNING_DISABILITIES = "learning-disabilities", "Learning disabilities"
    MASH = "mash", "Children (MASH)"

    @classmethod
    def adult(cls) -> tuple[str, ...]:
        return (cls.OPPD, cls.MENTAL_HEALTH, cls.LEARNING_DISABILITIES)

    @classmethod
    def is_adult(cls, value: str) -> bool:
        return value in cls.adult()


class ContactKind(models.TextChoices):
    PATHWAY = "pathway", "Pathway team"
    EDT = "edt", "Emergency Duty Team (out of hours)"


class ContactPoint(models.Model):
    """Phone numbers shown before any question is asked; administrators edit them."""

    kind = models.CharField(max_length=20, choices=ContactKind.choices)
    pathway = models.CharField(max_length=32, choices=Pathway.choices, blank=True)
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40)
    hours = models.CharField(max_length=200, help_text="For example: Monday to Friday, 9am to 5pm")
    email = models.EmailField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Deadline(models.Model):
    """One clock on one referral. Opened and met by pathways.deadlines in the caller's
    transaction; the beat sweep records warnings and breaches exactly once."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="deadlines"
    )
    kind = models.CharField(max_length=32)
    starts_at = models.DateTimeField()
    warning_at = models.DateTimeField()
    due_at = models.DateTimeField()
    met_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(
                fields=["due_at"], name="deadline_open_due",
                condition=models.Q(met_at__isnull=True),
            ),
            models.Index(fields=["referral", "kind"]),
        ]

    def __str__(self):
        return f"{self.kind} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.met_at is None
