"""Reading the administrators' settings: clock policies and closure days.

The rule and calendar objects are pure (pathways.clocks, pathways.calendar); this module is the
only place that builds them from the database.
"""

from .calendar import WorkingCalendar
from .clocks import ClockKind, ClockRule, default_rule
from .models import ClockPolicy, ClosureDay


def working_calendar() -> WorkingCalendar:
    """The calendar with the council's closure days (one query; pass it on, don't refetch)."""
    return WorkingCalendar({day.date: day.name for day in ClosureDay.objects.all()})


def policy_rule(pathway: str, kind: ClockKind | str, variant: str = "") -> ClockRule:
    """The administrators' rule for a clock on a pathway, or issue 5's default without a row."""
    policy = ClockPolicy.objects.filter(pathway=pathway, kind=kind, variant=variant or "").first()
    return policy.to_rule() if policy is not None else default_rule(kind, variant)


def rule_to_json(rule: ClockRule) -> dict:
    return {
        "amount": rule.amount,
        "unit": str(rule.unit),
        "warning_amount": rule.warning_amount,
        "warning_unit": str(rule.warning_unit),
        "warning_anchor": str(rule.warning_anchor),
    }


def rule_from_json(data: dict) -> ClockRule:
    return ClockRule(**data)
