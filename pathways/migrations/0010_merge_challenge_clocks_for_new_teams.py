"""Issues 15 and 16 landed together: issue 15 gave the four pathways of its day a challenge and a
call-back clock; issue 16 added the All Age Disability service and the LADO. They get the same
defaults, so a challenge or a request for advice on their referrals has its clock. Literals, so
the migration keeps meaning what it meant."""

from django.db import migrations

CLOCKS = [
    ("challenge", 5, "working_days", 1, "working_days", "before_due"),
    ("consultation", 0, "working_days", 2, "working_hours", "before_due"),
]
PATHWAYS = ["all-age-disability", "lado"]


def add_defaults(apps, schema_editor):
    ClockPolicy = apps.get_model("pathways", "ClockPolicy")
    for pathway in PATHWAYS:
        for kind, amount, unit, w_amount, w_unit, anchor in CLOCKS:
            ClockPolicy.objects.get_or_create(
                pathway=pathway, kind=kind, variant="",
                defaults={"amount": amount, "unit": unit, "warning_amount": w_amount,
                          "warning_unit": w_unit, "warning_anchor": anchor})


def remove_defaults(apps, schema_editor):
    apps.get_model("pathways", "ClockPolicy").objects.filter(
        pathway__in=PATHWAYS, kind__in=[clock[0] for clock in CLOCKS]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('pathways', '0007_issue15_challenge_consultation_clocks'),
        ('pathways', '0009_lado_clock_policies'),
    ]

    operations = [
        migrations.RunPython(add_defaults, remove_defaults),
    ]
