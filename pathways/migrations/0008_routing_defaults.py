"""Issue 16's default routing rules, and the All Age Disability service's clock policies.

Written out as literals (not imported from pathways.routing) so this migration keeps meaning
what it meant when it ran; tests/pathways/test_routing_rules.py checks that the two agree.
The first rules reproduce the routing before issue 16 (under 18 to MASH, adults by main need,
"not sure" to the front door), so referrals already made would be routed the same way; their
team is not touched either way.
"""

from django.db import migrations

RULES = [{'order': 10,
  'name': 'Unborn baby',
  'kind': 'route',
  'age_known': 'any',
  'min_age': None,
  'max_age': None,
  'main_needs': [],
  'allegation_about_worker': 'any',
  'unborn': 'yes',
  'team': 'mash',
  'flag': '',
  'reason': 'This is a referral about an unborn baby: pre-birth concerns go to the Multi-Agency '
            'Safeguarding Hub (MASH).',
  'source': 'Working Together to Safeguard Children 2023, pre-birth referrals; Southwark MASH'},
 {'order': 20,
  'name': 'Allegation against someone who works with children',
  'kind': 'route',
  'age_known': 'any',
  'min_age': None,
  'max_age': 17,
  'main_needs': [],
  'allegation_about_worker': 'yes',
  'unborn': 'any',
  'team': 'lado',
  'flag': '',
  'reason': 'The concern is about something a person did in their work or volunteering with '
            'children: it goes to the Local Authority Designated Officer (LADO).',
  'source': 'Working Together to Safeguard Children 2023, chapter 2 (managing allegations against '
            'people who work with children); SSCB annual report 2018/19 (146 LADO referrals)'},
 {'order': 25,
  'name': "Allegation against a worker, child's age not known",
  'kind': 'route',
  'age_known': 'unknown',
  'min_age': None,
  'max_age': None,
  'main_needs': [],
  'allegation_about_worker': 'yes',
  'unborn': 'any',
  'team': 'lado',
  'flag': '',
  'reason': 'The concern is about something a person did in their work or volunteering with '
            'children: it goes to the Local Authority Designated Officer (LADO).',
  'source': 'Working Together to Safeguard Children 2023, chapter 2'},
 {'order': 30,
  'name': 'Children under 18',
  'kind': 'route',
  'age_known': 'any',
  'min_age': None,
  'max_age': 17,
  'main_needs': [],
  'allegation_about_worker': 'any',
  'unborn': 'any',
  'team': 'mash',
  'flag': '',
  'reason': 'They are {age}, under 18: concerns about children go to the Multi-Agency '
            'Safeguarding Hub (MASH).',
  'source': 'Working Together to Safeguard Children 2023; Children Act 1989 s47'},
 {'order': 35,
  'name': 'Transition planning at 16 and 17',
  'kind': 'flag',
  'age_known': 'any',
  'min_age': 16,
  'max_age': 17,
  'main_needs': ['older_physical', 'mental_health', 'learning_disability'],
  'allegation_about_worker': 'any',
  'unborn': 'any',
  'team': '',
  'flag': 'transition_planning',
  'reason': 'They are {age} with care and support needs: flagged for transition planning.',
  'source': 'Care Act 2014 s58-66 (transition assessments); Southwark All Age Disability service'},
 {'order': 36,
  'name': 'Person in a position of trust (adult)',
  'kind': 'flag',
  'age_known': 'any',
  'min_age': 18,
  'max_age': None,
  'main_needs': [],
  'allegation_about_worker': 'yes',
  'unborn': 'any',
  'team': '',
  'flag': 'pipot',
  'reason': 'The concern is about a person in a position of trust: flagged PiPoT.',
  'source': 'Care and support statutory guidance 14.120-14.132; London Multi-Agency Adult '
            'Safeguarding Policy (PiPoT)'},
 {'order': 40,
  'name': 'Young adults with a disability (18 to 25)',
  'kind': 'route',
  'age_known': 'any',
  'min_age': 18,
  'max_age': 25,
  'main_needs': ['learning_disability', 'older_physical'],
  'allegation_about_worker': 'any',
  'unborn': 'any',
  'team': 'all-age-disability',
  'flag': '',
  'reason': 'They are {age} with {need}: 18 to 25-year-olds with a disability go to the All Age '
            'Disability service (0 to 25).',
  'source': 'Southwark All Age Disability service (SSCB annual report 2018/19, 3.4 and 5.4: AAD '
            '0-25, Learning Disabilities 25+)'},
 {'order': 50,
  'name': 'Adults: older age or a physical disability',
  'kind': 'route',
  'age_known': 'any',
  'min_age': None,
  'max_age': None,
  'main_needs': ['older_physical'],
  'allegation_about_worker': 'any',
  'unborn': 'any',
  'team': 'oppd',
  'flag': '',
  'reason': 'Their main need is {need}: this team handles adult safeguarding concerns for people '
            'with that need.',
  'source': 'Care Act 2014 s42; Southwark adult social care teams'},
 {'order': 60,
  'name': 'Adults: mental health',
  'kind': 'route',
  'age_known': 'any',
  'min_age': None,
  'max_age': None,
  'main_needs': ['mental_health'],
  'allegation_about_worker': 'any',
  'unborn': 'any',
  'team': 'mental-health',
  'flag': '',
  'reason': 'Their main need is {need}: this team handles adult safeguarding concerns for people '
            'with that need.',
  'source': 'Care Act 2014 s42; Southwark adult social care teams'},
 {'order': 70,
  'name': 'Adults: learning disability (25 and over)',
  'kind': 'route',
  'age_known': 'any',
  'min_age': None,
  'max_age': None,
  'main_needs': ['learning_disability'],
  'allegation_about_worker': 'any',
  'unborn': 'any',
  'team': 'learning-disabilities',
  'flag': '',
  'reason': 'Their main need is {need}: this team handles adult safeguarding concerns for people '
            'with that need.',
  'source': 'Care Act 2014 s42; Southwark Learning Disabilities service (25+)'},
 {'order': 99,
  'name': 'Not sure: the front door',
  'kind': 'route',
  'age_known': 'any',
  'min_age': None,
  'max_age': None,
  'main_needs': [],
  'allegation_about_worker': 'any',
  'unborn': 'any',
  'team': '',
  'flag': '',
  'reason': 'You were not sure of their main need, so the referral goes to the {team} front door, '
            'who will pass it on if needed.',
  'source': 'settings.FRONT_DOOR_PATHWAY (local practice, configurable)'}]

TWO_WORKING_HOURS = (2, "working_hours", "before_due")
# The adults' clocks (as 0005 wrote them for the adult pathways): AAD runs the adults' workflow.
AAD_CLOCKS = [
    ("concern_decision", "", 0, "working_days", *TWO_WORKING_HOURS),
    ("enquiry", "", 2, "calendar_months", 1, "calendar_months", "after_start"),
    ("feedback", "", 1, "working_days", *TWO_WORKING_HOURS),
    ("urgent_pickup", "", 1, "elapsed_hours", 0, "elapsed_hours", "before_due"),
]


def add_defaults(apps, schema_editor):
    Team = apps.get_model("accounts", "Team")
    RoutingRule = apps.get_model("pathways", "RoutingRule")
    ClockPolicy = apps.get_model("pathways", "ClockPolicy")
    teams = {team.pathway: team for team in Team.objects.all()}
    for row in RULES:
        row = dict(row)
        team = teams.get(row.pop("team")) if row["team"] else None
        RoutingRule.objects.get_or_create(name=row.pop("name"), defaults={**row, "team": team})
    for kind, variant, amount, unit, w_amount, w_unit, anchor in AAD_CLOCKS:
        ClockPolicy.objects.get_or_create(
            pathway="all-age-disability", kind=kind, variant=variant,
            defaults={"amount": amount, "unit": unit, "warning_amount": w_amount,
                      "warning_unit": w_unit, "warning_anchor": anchor},
        )


class Migration(migrations.Migration):
    dependencies = [("pathways", "0007_routing_rules"), ("accounts", "0003_route_teams")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
