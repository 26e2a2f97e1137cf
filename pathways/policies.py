"""Reading the administrators' settings: clock policies and closure days.

The rule and calendar objects are pure (pathways.clocks, pathways.calendar); this module is the
only place that builds them from the database.

Both are read on every submission and most staff pages, and change a few times a year, so each
process keeps them for `CLOCK_SETTINGS_CACHE_SECONDS` (default 60; 0 reads the database every
time, as the test settings do). Saving or deleting a policy or a closure day forgets them at
once in the process that saved it, and again when that transaction commits; other processes
see the change within the TTL (docs/clocks.md). Only a queryset `.update()` or raw SQL, which
send no signals, would wait for the TTL in the saving process too: the admin never does that.
"""

import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save

from core.vocabulary import ClockKind

from .calendar import WorkingCalendar
from .clocks import ClockRule, pathway_default_rule
from .models import ClockPolicy, ClosureDay, ContactPoint, ParallelDuty

DEFAULT_CACHE_SECONDS = 60

T = TypeVar("T")
# name -> (monotonic time loaded, value). Values are immutable (frozen dataclasses, a dict
# nobody mutates), so handing the same object to every caller is safe.
_cache: dict[str, tuple[float, object]] = {}


def _cache_seconds() -> float:
    return getattr(settings, "CLOCK_SETTINGS_CACHE_SECONDS", DEFAULT_CACHE_SECONDS)


def _cached(name: str, load: Callable[[], T]) -> T:
    ttl = _cache_seconds()
    now = time.monotonic()
    hit = _cache.get(name)
    if hit is not None and now - hit[0] < ttl:
        return hit[1]
    value = load()
    if ttl > 0:
        _cache[name] = (now, value)
    return value


def cached_setting(name: str, load: Callable[[], T]) -> T:
    """Another administrators' setting kept as the clock settings are (pathways.duties: the
    parallel duties; issue 16). Saving a ParallelDuty or ContactPoint forgets it."""
    return _cached(name, load)


def clock_settings_forget(**kwargs) -> None:
    """Drop this process's copy of the policies and closure days (a signal receiver too)."""
    _cache.clear()


def _changed(sender, **kwargs) -> None:
    # Now, for reads later in the same transaction; and after commit, in case another thread
    # of this process read the old rows (and kept them) before the change was committed.
    clock_settings_forget()
    transaction.on_commit(clock_settings_forget)


for _model in (ClockPolicy, ClosureDay, ParallelDuty, ContactPoint):
    post_save.connect(_changed, sender=_model,
                      dispatch_uid=f"clock_settings_saved_{_model.__name__}")
    post_delete.connect(_changed, sender=_model,
                        dispatch_uid=f"clock_settings_deleted_{_model.__name__}")
post_migrate.connect(clock_settings_forget, dispatch_uid="clock_settings_migrated")


def working_calendar() -> WorkingCalendar:
    """The calendar with the council's closure days (at most one query; pass it on)."""
    return _cached("calendar", lambda: WorkingCalendar(
        {day.date: day.name for day in ClosureDay.objects.all()}))


def policy_rule(pathway: str, kind: ClockKind | str, variant: str = "") -> ClockRule:
    """The administrators' rule for a clock on a pathway, or issue 5's default without a row."""
    if _cache_seconds() <= 0:
        policy = ClockPolicy.objects.filter(
            pathway=pathway, kind=kind, variant=variant or "").first()
        return policy.to_rule() if policy is not None else pathway_default_rule(
            pathway, kind, variant)
    rules = _cached("policies", lambda: {
        (policy.pathway, policy.kind, policy.variant): policy.to_rule()
        for policy in ClockPolicy.objects.all()
    })
    rule = rules.get((pathway, str(kind), variant or ""))
    return rule if rule is not None else pathway_default_rule(pathway, kind, variant)


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
