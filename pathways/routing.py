"""Where a referral should go: a suggestion the referrer may accept or change.

The rules are rows (pathways.routing_models.RoutingRule, changed in the admin with a history);
`route_decide` applies them and is pure: it takes the rules and the facts and says which team
and which rule decided, with every flag rule that matched. `routing_rules()` is the only reader.
`python manage.py routing explain` prints the same decision (docs/routing.md).

The defaults (DEFAULT_RULES, copied into rows by migration pathways 0007) keep the old routing
(children under 18 to MASH, adults by main need, "not sure" to the front door) and add issue 16's
routes: unborn babies to MASH, allegations against people who work with children to the LADO,
18 to 25-year-olds with a disability to the All Age Disability service, and the transition flag
for 16 and 17-year-olds with care and support needs. Staff can re-route later; the original
clock keeps running.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.forms.models import model_to_dict

from accounts.models import Team
from core.vocabulary import Pathway

from .routing_models import (
    AgeKnown,
    Condition,
    MainNeed,
    RouteFlag,
    RouteKind,
    RoutingRule,
    RoutingRuleChange,
)

ADULT_AGE = 18

__all__ = ["MainNeed", "RouteFlag", "Facts", "Rule", "Suggestion", "age_on", "route_decide",
           "route_suggest", "routing_rules", "routing_rules_ensure", "DEFAULT_RULES"]


@dataclass(frozen=True)
class Facts:
    main_need: str = ""
    age: int | None = None
    allegation_about_worker: bool = False
    unborn: bool = False


@dataclass(frozen=True)
class Rule:
    """A routing rule as the engine sees it (a row, or a default before the rows exist)."""

    order: int
    name: str
    reason: str
    source: str
    kind: str = RouteKind.ROUTE
    pathway: str = ""  # "" = the front door
    team_name: str = ""
    flag: str = ""
    age_known: str = AgeKnown.ANY
    min_age: int | None = None
    max_age: int | None = None
    main_needs: tuple[str, ...] = ()
    allegation_about_worker: str = Condition.ANY
    unborn: str = Condition.ANY

    def mismatch(self, facts: Facts) -> str | None:
        """Why this rule does not apply to these facts, or None when it does."""
        banded = self.min_age is not None or self.max_age is not None
        if self.age_known == AgeKnown.UNKNOWN and facts.age is not None:
            return "the age is known"
        if (self.age_known == AgeKnown.KNOWN or banded) and facts.age is None:
            return "the age is not known"
        if self.min_age is not None and facts.age < self.min_age:
            return f"under {self.min_age}"
        if self.max_age is not None and facts.age > self.max_age:
            return f"over {self.max_age}"
        if self.main_needs and facts.main_need not in self.main_needs:
            return "another main need"
        for condition, fact, words in (
            (self.allegation_about_worker, facts.allegation_about_worker,
             "an allegation about a worker"),
            (self.unborn, facts.unborn, "an unborn baby"),
        ):
            if condition == Condition.YES and not fact:
                return f"not {words}"
            if condition == Condition.NO and fact:
                return words
        return None


@dataclass(frozen=True)
class Suggestion:
    pathway: str
    reason: str
    rule: str = ""
    source: str = ""
    team: str = ""  # the receiving team's name
    flags: tuple[tuple[str, str], ...] = ()  # (flag, the rule that raised it)
    passed: tuple[tuple[str, str], ...] = field(default=(), compare=False)  # (rule, why not)

    @property
    def label(self) -> str:
        return Pathway(self.pathway).label

    @property
    def flag_values(self) -> list[str]:
        return [flag for flag, _ in self.flags]


def age_on(dob: date, today: date) -> int:
    """Whole years between the date of birth and today."""
    years = today.year - dob.year
    if (today.month, today.day) < (dob.month, dob.day):
        years -= 1
    return years


def route_decide(rules: list[Rule], facts: Facts, *, front_door: str,
                 team_names: dict[str, str] | None = None) -> Suggestion:
    """The first matching team rule decides; every matching flag rule adds its flag.

    Without a matching team rule (an administrator deleted the catch-all) the front door
    receives it, so a referral always has somewhere to go.
    """
    flags, passed = [], []
    decided = None
    for rule in sorted(rules, key=lambda r: (r.order, r.name)):
        why_not = rule.mismatch(facts)
        if rule.kind == RouteKind.FLAG:
            if why_not is None and rule.flag not in [f for f, _ in flags]:
                flags.append((rule.flag, rule.name))
            continue
        if decided is not None:
            continue
        if why_not is None:
            decided = rule
        else:
            passed.append((rule.name, why_not))
    pathway = (decided.pathway if decided else "") or front_door
    names = team_names or {}
    team = (decided.team_name if decided and decided.pathway else "") or names.get(
        pathway, Pathway(pathway).label)
    need = MainNeed(facts.main_need).label.lower() if facts.main_need in MainNeed.values else ""
    template = decided.reason if decided else (
        "No routing rule matched, so the referral goes to the {team}, who will pass it on if "
        "needed.")
    reason = template.format(age=facts.age if facts.age is not None else "unknown", need=need,
                             team=team)
    return Suggestion(pathway=pathway, reason=" ".join(reason.split()),
                      rule=decided.name if decided else "(no rule: the front door)",
                      source=decided.source if decided else "settings.FRONT_DOOR_PATHWAY",
                      team=team,
                      flags=tuple(flags), passed=tuple(passed))


def _rule_from_row(row: RoutingRule) -> Rule:
    return Rule(
        order=row.order, name=row.name, reason=row.reason, source=row.source, kind=row.kind,
        pathway=row.team.pathway if row.team_id else "",
        team_name=row.team.name if row.team_id else "", flag=row.flag, age_known=row.age_known,
        min_age=row.min_age, max_age=row.max_age, main_needs=tuple(row.main_needs or ()),
        allegation_about_worker=row.allegation_about_worker, unborn=row.unborn,
    )


def routing_rules() -> list[Rule]:
    """The active rules, in order (one query)."""
    return [_rule_from_row(row) for row in
            RoutingRule.objects.filter(active=True).select_related("team")]


def route_suggest(
    *,
    main_need: str,
    today: date,
    front_door: str,
    dob: date | None = None,
    age: int | None = None,
    allegation_about_worker: bool = False,
    unborn: bool = False,
    rules: list[Rule] | None = None,
) -> Suggestion:
    """The suggested pathway, the rule that decided and a one-line reason.

    A date of birth wins over an approximate age; with neither the age counts as unknown (an
    unborn baby has neither).
    """
    known_age = age_on(dob, today) if dob is not None else age
    if unborn:
        known_age = None
    facts = Facts(main_need=main_need or "", age=known_age,
                  allegation_about_worker=allegation_about_worker, unborn=unborn)
    if rules is None:
        rules = routing_rules()
    return route_decide(rules, facts, front_door=front_door)


def routing_rule_history_write(*, rule: RoutingRule, actor, action: str) -> RoutingRuleChange:
    """Record an administrator's change to a rule: the row as it is now (before a deletion).

    The admin calls this after saving (or before deleting) in the same transaction, so a rule
    never changes without its history row (docs/routing.md)."""
    snapshot = model_to_dict(rule)
    snapshot["team"] = rule.team.pathway if rule.team_id else ""
    with transaction.atomic():
        return RoutingRuleChange.objects.create(
            rule=rule if action != "deleted" else None, rule_name=rule.name, action=action,
            snapshot=snapshot, changed_by=actor if getattr(actor, "pk", None) else None)


# --- Defaults: migration pathways 0007 writes these rows; routing_rules_ensure re-creates
# them after a test flush. Each names where it comes from (docs/routing.md has the table).
WT2023 = "Working Together to Safeguard Children 2023"
ANY_CARE_NEED = ("older_physical", "mental_health", "learning_disability")
DEFAULT_RULES: list[Rule] = [
    Rule(10, "Unborn baby", kind=RouteKind.ROUTE, pathway=Pathway.MASH, unborn=Condition.YES,
         reason="This is a referral about an unborn baby: pre-birth concerns go to the "
                "Multi-Agency Safeguarding Hub (MASH).",
         source=f"{WT2023}, pre-birth referrals; Southwark MASH"),
    Rule(20, "Allegation against someone who works with children", pathway=Pathway.LADO,
         allegation_about_worker=Condition.YES, max_age=ADULT_AGE - 1,
         reason="The concern is about something a person did in their work or volunteering with "
                "children: it goes to the Local Authority Designated Officer (LADO).",
         source=f"{WT2023}, chapter 2 (managing allegations against people who work with "
                "children); SSCB annual report 2018/19 (146 LADO referrals)"),
    Rule(25, "Allegation against a worker, child's age not known", pathway=Pathway.LADO,
         allegation_about_worker=Condition.YES, age_known=AgeKnown.UNKNOWN,
         reason="The concern is about something a person did in their work or volunteering with "
                "children: it goes to the Local Authority Designated Officer (LADO).",
         source=f"{WT2023}, chapter 2"),
    Rule(30, "Children under 18", pathway=Pathway.MASH, max_age=ADULT_AGE - 1,
         reason="They are {age}, under 18: concerns about children go to the Multi-Agency "
                "Safeguarding Hub (MASH).",
         source=f"{WT2023}; Children Act 1989 s47"),
    Rule(35, "Transition planning at 16 and 17", kind=RouteKind.FLAG,
         flag=RouteFlag.TRANSITION, min_age=16, max_age=ADULT_AGE - 1, main_needs=ANY_CARE_NEED,
         reason="They are {age} with care and support needs: flagged for transition planning.",
         source="Care Act 2014 s58-66 (transition assessments); Southwark All Age Disability "
                "service"),
    Rule(36, "Person in a position of trust (adult)", kind=RouteKind.FLAG,
         flag=RouteFlag.PIPOT, min_age=ADULT_AGE, allegation_about_worker=Condition.YES,
         reason="The concern is about a person in a position of trust: flagged PiPoT.",
         source="Care and support statutory guidance 14.120-14.132; London Multi-Agency "
                "Adult Safeguarding Policy (PiPoT)"),
    Rule(40, "Young adults with a disability (18 to 25)", pathway=Pathway.ALL_AGE_DISABILITY,
         min_age=ADULT_AGE, max_age=25,
         main_needs=("learning_disability", "older_physical"),
         reason="They are {age} with {need}: 18 to 25-year-olds with a disability go to the "
                "All Age Disability service (0 to 25).",
         source="Southwark All Age Disability service (SSCB annual report 2018/19, 3.4 and 5.4: "
                "AAD 0-25, Learning Disabilities 25+)"),
    Rule(50, "Adults: older age or a physical disability", pathway=Pathway.OPPD,
         main_needs=("older_physical",),
         reason="Their main need is {need}: this team handles adult safeguarding concerns for "
                "people with that need.",
         source="Care Act 2014 s42; Southwark adult social care teams"),
    Rule(60, "Adults: mental health", pathway=Pathway.MENTAL_HEALTH,
         main_needs=("mental_health",),
         reason="Their main need is {need}: this team handles adult safeguarding concerns for "
                "people with that need.",
         source="Care Act 2014 s42; Southwark adult social care teams"),
    Rule(70, "Adults: learning disability (25 and over)", pathway=Pathway.LEARNING_DISABILITIES,
         main_needs=("learning_disability",),
         reason="Their main need is {need}: this team handles adult safeguarding concerns for "
                "people with that need.",
         source="Care Act 2014 s42; Southwark Learning Disabilities service (25+)"),
    Rule(99, "Not sure: the front door",
         reason="You were not sure of their main need, so the referral goes to the {team} front "
                "door, who will pass it on if needed.",
         source="settings.FRONT_DOOR_PATHWAY (local practice, configurable)"),
]


def routing_rules_ensure() -> None:
    """Create any missing default rule (by name). Administrators' edits are kept."""
    teams = {team.pathway: team for team in Team.objects.all()}
    for rule in DEFAULT_RULES:
        RoutingRule.objects.get_or_create(name=rule.name, defaults={
            "order": rule.order, "kind": rule.kind, "age_known": rule.age_known,
            "min_age": rule.min_age, "max_age": rule.max_age,
            "main_needs": list(rule.main_needs),
            "allegation_about_worker": rule.allegation_about_worker, "unborn": rule.unborn,
            "team": teams.get(rule.pathway) if rule.pathway else None, "flag": rule.flag,
            "reason": rule.reason, "source": rule.source,
        })
