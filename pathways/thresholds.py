"""The history of the children's threshold levels (issue 15 item 6): each administrator's
change is kept with the row before and after, who and when (pathways.ThresholdLevelChange)."""

from django.db import transaction

from .threshold_models import ThresholdLevel, ThresholdLevelChange

FIELDS = ("code", "number", "name", "summary", "guidance_url", "active")


def threshold_level_snapshot(level: ThresholdLevel | None) -> dict:
    """The row's administrator-set fields as JSON; empty for a level not yet saved."""
    if level is None:
        return {}
    return {name: getattr(level, name) for name in FIELDS}


def threshold_level_history_write(*, level: ThresholdLevel, before: dict, actor,
                                  action: str) -> ThresholdLevelChange | None:
    """Record an administrator's change to a level (after it is saved, in the same
    transaction). A save that changes nothing writes no row."""
    after = threshold_level_snapshot(level)
    if action == "changed" and after == before:
        return None
    with transaction.atomic():
        return ThresholdLevelChange.objects.create(
            level=level, action=action, before=before, after=after,
            changed_by=actor if getattr(actor, "pk", None) else None)
