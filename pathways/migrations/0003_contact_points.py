"""Phone numbers shown before the first question. Administrators edit them in Django admin."""

from django.db import migrations

CONTACTS = [
    ("pathway", "oppd", "OPPD contact centre", "020 7525 3324", "Monday to Friday, 9am to 5pm", 1),
    ("pathway", "mental-health", "Mental health safeguarding team", "020 7525 0088",
     "Monday to Friday, 9am to 5pm", 2),
    ("pathway", "learning-disabilities", "Learning disabilities team", "020 7525 2333",
     "Monday to Friday, 9am to 5pm", 3),
    ("pathway", "mash", "Multi-Agency Safeguarding Hub (MASH)", "020 7525 1921",
     "Monday to Friday, 9am to 5pm", 4),
    ("edt", "", "Emergency Duty Team (out of hours)", "020 7525 5000",
     "Evenings, weekends and bank holidays", 5),
]


def create(apps, schema_editor):
    ContactPoint = apps.get_model("pathways", "ContactPoint")
    for kind, pathway, name, phone, hours, order in CONTACTS:
        ContactPoint.objects.get_or_create(
            kind=kind, pathway=pathway,
            defaults={"name": name, "phone": phone, "hours": hours, "order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("pathways", "0002_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
