"""Parallel duties as rows (issue 16, part 4): what else must or may happen besides the
referral itself (MARAC, Prevent, the duty to notify for modern slavery, private fostering,
the Emergency Duty Team out of hours, PiPoT), who to contact, and the rule that triggers each.

Administrators change the wording, the contact and the threshold in the Django admin; the
trigger kinds are code (pathways.duties applies them, purely). The domestic abuse risk
checklist's questions are rows too (RiskQuestion), so the council can keep them in step with
the checklist it uses.
"""

from django.db import models


class DutyTrigger(models.TextChoices):
    CATEGORIES = "categories", "One of these categories of abuse was selected"
    RISK_CHECKLIST = "risk_checklist", (
        "Domestic abuse risk checklist: 'yes' answers at or above the threshold, or the "
        "referrer's professional judgement")
    PRIVATE_FOSTERING = "private_fostering", (
        "A child lives with someone who is not a parent or close relative for 28 days or more")
    OUT_OF_HOURS_URGENT = "out_of_hours_urgent", "An urgent referral sent outside working hours"
    PIPOT = "pipot", "The concern is about an adult in a position of trust (PiPoT flag)"


class Obligation(models.TextChoices):
    """What the referrer is told about their part."""

    MUST = "must", "You must"
    SHOULD = "should", "You should"
    MAY = "may", "You may"
    DONE_FOR_YOU = "done_for_you", "The portal does it for you"


class ParallelDuty(models.Model):
    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    trigger = models.CharField(max_length=30, choices=DutyTrigger.choices)
    categories = models.JSONField(
        default=list, blank=True,
        help_text="For the 'categories' trigger: the category values (adults' and children's) "
                  "that trigger it, for example [\"modern_slavery\"].")
    threshold = models.PositiveSmallIntegerField(
        null=True, blank=True,
        help_text="For the risk checklist: this many 'yes' answers or more trigger it "
                  "(SafeLives: 14 or more is 'visible high risk').")
    obligation = models.CharField(max_length=20, choices=Obligation.choices)
    referrer_text = models.TextField(
        help_text="What the referrer is told to do, in plain words (no personal details).")
    staff_text = models.TextField(help_text="What staff check before recording it as done.")
    contact = models.ForeignKey("pathways.ContactPoint", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="duties")
    source = models.TextField(help_text="Where the duty comes from (law, guidance, local "
                                        "practice).")

    class Meta:
        ordering = ["order", "key"]
        verbose_name_plural = "parallel duties"

    def __str__(self):
        return self.name


class RiskQuestion(models.Model):
    """One question of the domestic abuse risk checklist (the SafeLives DASH RIC's 24)."""

    number = models.PositiveSmallIntegerField(unique=True)
    text = models.CharField(max_length=300)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.text}"
