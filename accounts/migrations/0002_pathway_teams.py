"""The four pathway teams exist from the start: routing needs somewhere to send a referral."""

from django.db import migrations

TEAMS = [
    ("oppd", "OPPD contact centre", "020 7525 3324"),
    ("mental-health", "Mental health safeguarding team", "020 7525 0088"),
    ("learning-disabilities", "Learning disabilities team", "020 7525 2333"),
    ("mash", "Multi-Agency Safeguarding Hub (MASH)", "020 7525 1921"),
]


def create_teams(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Team = apps.get_model("accounts", "Team")
    for pathway, name, phone in TEAMS:
        group, _ = Group.objects.get_or_create(name=f"team:{pathway}")
        Team.objects.get_or_create(
            pathway=pathway, defaults={"name": name, "group": group, "phone": phone}
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_teams, migrations.RunPython.noop)]
