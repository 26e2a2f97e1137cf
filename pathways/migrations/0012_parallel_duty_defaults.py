"""Issue 16, part 4: the default parallel duties, their contact points (phone numbers left blank:
set by the council) and the 24 risk checklist questions. Administrators' rows are kept
(get_or_create). The defaults are read from pathways.duties so a test flush can re-create the
same rows (duties_ensure); they are plain data (strings, numbers, lists)."""

from django.db import migrations


def create(apps, schema_editor):
    from pathways.duties import DEFAULT_DUTIES, DEFAULT_RISK_QUESTIONS, DUTY_CONTACTS

    ContactPoint = apps.get_model("pathways", "ContactPoint")
    ParallelDuty = apps.get_model("pathways", "ParallelDuty")
    RiskQuestion = apps.get_model("pathways", "RiskQuestion")
    for name, hours, order in DUTY_CONTACTS.values():
        ContactPoint.objects.get_or_create(kind="duty", name=name,
                                           defaults={"phone": "", "hours": hours, "order": order})
    contacts = {point.name: point for point in ContactPoint.objects.filter(kind="duty")}
    edt = ContactPoint.objects.filter(kind="edt").order_by("order", "pk").first()
    for duty in DEFAULT_DUTIES:
        key = duty["key"]
        contact = edt if key == "edt" else contacts.get(DUTY_CONTACTS.get(key, ("",))[0])
        values = {name: str(value) if hasattr(value, "label") else value
                  for name, value in duty.items()}
        ParallelDuty.objects.get_or_create(key=key, defaults={**values, "contact": contact})
    for number, text in enumerate(DEFAULT_RISK_QUESTIONS, start=1):
        RiskQuestion.objects.get_or_create(number=number, defaults={"text": text})


class Migration(migrations.Migration):
    dependencies = [("pathways", "0011_parallel_duties")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
