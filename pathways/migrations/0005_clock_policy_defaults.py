"""Issue 5's default clock policies, one row per pathway and clock.

Written out as literals (not imported from pathways.clocks) so this migration keeps meaning
what it meant when it ran; tests/pathways/test_policies.py checks that the two agree.
"""

from django.db import migrations

ADULT = ["oppd", "mental-health", "learning-disabilities"]
TWO_WORKING_HOURS = (2, "working_hours", "before_due")

# (kind, variant, amount, unit, warning amount, warning unit, warning anchor)
ADULT_CLOCKS = [
    ("concern_decision", "", 0, "working_days", *TWO_WORKING_HOURS),
    ("enquiry", "", 2, "calendar_months", 1, "calendar_months", "after_start"),
    ("feedback", "", 1, "working_days", *TWO_WORKING_HOURS),
    ("urgent_pickup", "", 1, "elapsed_hours", 0, "elapsed_hours", "before_due"),
]
MASH_CLOCKS = [
    ("mash_decision", "", 8, "working_hours", *TWO_WORKING_HOURS),
    ("rag", "red", 4, "elapsed_hours", 2, "elapsed_hours", "before_due"),
    ("rag", "amber", 8, "working_hours", *TWO_WORKING_HOURS),
    ("rag", "green", 24, "working_hours", *TWO_WORKING_HOURS),
    ("feedback", "", 1, "working_days", *TWO_WORKING_HOURS),
    ("urgent_pickup", "", 1, "elapsed_hours", 0, "elapsed_hours", "before_due"),
]


def rows():
    for pathway in ADULT:
        for clock in ADULT_CLOCKS:
            yield pathway, clock
    for clock in MASH_CLOCKS:
        yield "mash", clock


def add_defaults(apps, schema_editor):
    ClockPolicy = apps.get_model("pathways", "ClockPolicy")
    for pathway, (kind, variant, amount, unit, w_amount, w_unit, anchor) in rows():
        ClockPolicy.objects.get_or_create(
            pathway=pathway,
            kind=kind,
            variant=variant,
            defaults={
                "amount": amount,
                "unit": unit,
                "warning_amount": w_amount,
                "warning_unit": w_unit,
                "warning_anchor": anchor,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("pathways", "0004_clocks")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
