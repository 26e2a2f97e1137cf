"""The escalation route's default tiers (issue 15): team manager, head of service, then the
Safeguarding Adults Board's (adults) or the Safeguarding Children Partnership's (children)
route. Literals, so the migration keeps meaning what it meant; administrators edit the rows."""

from django.db import migrations

ADULT = ["oppd", "mental-health", "learning-disabilities"]
COMMON = [
    (1, "Team manager", "The team's manager looks at the decision again and answers you."),
    (2, "Head of service", "The head of service for the team looks at the decision and the "
                           "team manager's answer, and answers you."),
]
BOARD = {
    "adult": (3, "Safeguarding Adults Board escalation route",
              "The Safeguarding Adults Board's professional disagreement route: a senior "
              "manager independent of the team reviews the disagreement and answers you."),
    "child": (3, "Safeguarding Children Partnership escalation route",
              "The Safeguarding Children Partnership's escalation route: the partnership's "
              "senior leads review the disagreement and answer you."),
}


def add_tiers(apps, schema_editor):
    Tier = apps.get_model("challenges", "ChallengeTier")
    for pathway in [*ADULT, "mash"]:
        board = BOARD["child" if pathway == "mash" else "adult"]
        for level, name, words in [*COMMON, board]:
            Tier.objects.get_or_create(pathway=pathway, level=level,
                                       defaults={"name": name, "referrer_words": words})


class Migration(migrations.Migration):
    dependencies = [("challenges", "0001_initial")]
    operations = [migrations.RunPython(add_tiers, migrations.RunPython.noop)]
