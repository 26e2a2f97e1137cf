"""Routing rules as rows (issue 16): which team a referral reaches, and why.

Council administrators change them in the Django admin; every save and deletion there writes a
RoutingRuleChange (a snapshot of the row, who and when), so "who changed the LD age band and
when" has an answer. The engine that applies them is pure (pathways.routing.route_decide);
pathways.routing.routing_rules() is the only reader.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class MainNeed(models.TextChoices):
    """What the referrer says is the person's main need (the form's "needs" page)."""

    OLDER_PHYSICAL = "older_physical", "Older age, frailty or a physical disability"
    MENTAL_HEALTH = "mental_health", "Mental health"
    LEARNING_DISABILITY = "learning_disability", "A learning disability or autism"
    NOT_SURE = "not_sure", "I'm not sure"


class RouteKind(models.TextChoices):
    ROUTE = "route", "Decides the team (the first matching rule wins)"
    FLAG = "flag", "Adds a flag only (every matching flag rule applies)"


class Condition(models.TextChoices):
    ANY = "any", "Either"
    YES = "yes", "Yes"
    NO = "no", "No"


class AgeKnown(models.TextChoices):
    ANY = "any", "Known or not"
    KNOWN = "known", "Known (in the age band)"
    UNKNOWN = "unknown", "Not known"


class RouteFlag(models.TextChoices):
    TRANSITION = "transition_planning", "Transition planning (16 or 17 with care and support needs)"
    PIPOT = "pipot", "Person in a position of trust (PiPoT)"


class RoutingRule(models.Model):
    order = models.PositiveSmallIntegerField(
        help_text="Rules are tried from the lowest number; the first matching team rule wins.")
    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=8, choices=RouteKind.choices, default=RouteKind.ROUTE)
    active = models.BooleanField(default=True)
    # Conditions. Blank means "any".
    age_known = models.CharField(max_length=8, choices=AgeKnown.choices, default=AgeKnown.ANY)
    min_age = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Inclusive. Setting an age means the age must be known.")
    max_age = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Inclusive.")
    main_needs = models.JSONField(
        default=list, blank=True,
        help_text="Main needs this rule applies to (pathways.routing.MainNeed values); "
                  "empty means any need.")
    allegation_about_worker = models.CharField(
        max_length=4, choices=Condition.choices, default=Condition.ANY,
        help_text="The concern is about something a person did in their work or volunteering.")
    unborn = models.CharField(max_length=4, choices=Condition.choices, default=Condition.ANY)
    # Outcome.
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="For a team rule. Empty: the front door (settings.FRONT_DOOR_PATHWAY).")
    flag = models.CharField(max_length=32, choices=RouteFlag.choices, blank=True)
    reason = models.CharField(
        max_length=400,
        help_text="What the referrer is told. May use {age}, {need} and {team}.")
    source = models.CharField(
        max_length=300, help_text="Where the rule comes from (law, guidance or local practice).")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return f"{self.order}: {self.name}"

    def clean(self):
        unknown = set(self.main_needs or []) - set(MainNeed.values)
        if unknown:
            raise ValidationError({"main_needs": f"Unknown main needs: {', '.join(sorted(unknown))}. "
                                                 f"Choose from {', '.join(MainNeed.values)}."})
        if (self.min_age is not None and self.max_age is not None
                and self.min_age > self.max_age):
            raise ValidationError({"max_age": "The highest age must not be below the lowest."})
        if self.kind == RouteKind.FLAG and not self.flag:
            raise ValidationError({"flag": "A flag rule needs a flag."})
        if self.kind == RouteKind.FLAG and self.team_id:
            raise ValidationError({"team": "A flag rule does not choose a team."})
        try:
            self.reason.format(age=0, need="", team="")
        except (KeyError, IndexError, ValueError):
            raise ValidationError(
                {"reason": "Use only {age}, {need} and {team} in braces."}) from None


class RoutingRuleChange(models.Model):
    """One administrator's change to a routing rule: the row as saved (or as deleted)."""

    rule = models.ForeignKey(RoutingRule, null=True, on_delete=models.SET_NULL,
                             related_name="changes")
    rule_name = models.CharField(max_length=120)
    action = models.CharField(max_length=10)  # "added", "changed", "deleted"
    snapshot = models.JSONField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.rule_name} {self.action} {self.changed_at:%Y-%m-%d %H:%M}"
