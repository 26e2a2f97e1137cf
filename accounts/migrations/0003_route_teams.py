"""Issue 16: the All Age Disability service (0 to 25) and the LADO join the four teams.

Existing referrals keep their team: this only adds teams (referrals point at a team row, which
is not touched). Literals, not imported, so the migration keeps meaning what it meant.
"""

from django.db import migrations, models

TEAMS = [
    ("all-age-disability", "All Age Disability service (0 to 25)", "020 7525 2333"),
    ("lado", "Local Authority Designated Officer (LADO)", ""),
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
    dependencies = [("accounts", "0002_pathway_teams")]
    operations = [
        migrations.AlterField(
            model_name="team",
            name="pathway",
            field=models.CharField(
                choices=[
                    ("oppd", "Older people and physical disabilities (OPPD)"),
                    ("mental-health", "Mental health"),
                    ("learning-disabilities", "Learning disabilities"),
                    ("mash", "Children (MASH)"),
                    ("all-age-disability", "All Age Disability service (0 to 25)"),
                    ("lado", "Allegations against people who work with children (LADO)"),
                ],
                max_length=32,
                unique=True,
            ),
        ),
        migrations.RunPython(create_teams, migrations.RunPython.noop),
    ]
