"""Issue 16: the LADO's clocks. Its initial consideration is the decision clock on the LADO
pathway, within one working day (Working Together 2023 ch. 2 and the London Child Protection
Procedures: the LADO considers an allegation within one working day); feedback to the referrer
and the urgent pick-up as on the other pathways. Literals, so the migration keeps its meaning."""

from django.db import migrations

TWO_WORKING_HOURS = (2, "working_hours", "before_due")
LADO_CLOCKS = [
    ("concern_decision", "", 1, "working_days", *TWO_WORKING_HOURS),
    ("feedback", "", 1, "working_days", *TWO_WORKING_HOURS),
    ("urgent_pickup", "", 1, "elapsed_hours", 0, "elapsed_hours", "before_due"),
]


def add(apps, schema_editor):
    ClockPolicy = apps.get_model("pathways", "ClockPolicy")
    for kind, variant, amount, unit, w_amount, w_unit, anchor in LADO_CLOCKS:
        ClockPolicy.objects.get_or_create(
            pathway="lado", kind=kind, variant=variant,
            defaults={"amount": amount, "unit": unit, "warning_amount": w_amount,
                      "warning_unit": w_unit, "warning_anchor": anchor},
        )


class Migration(migrations.Migration):
    dependencies = [("pathways", "0008_routing_defaults")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
