"""Routing rules as rows (issue 16): the defaults, the admin's history, `routing explain`."""

import importlib
import json
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Team
from pathways.models import RoutingRule, RoutingRuleChange
from pathways.routing import DEFAULT_RULES, route_suggest
from tests.referrals.test_routing import TODAY

pytestmark = pytest.mark.django_db


def suggest(age=None, need="not_sure", **facts):
    return route_suggest(main_need=need, today=TODAY, front_door="oppd", age=age, **facts)


@pytest.mark.parametrize(("facts", "pathway", "rule", "flags"), [
    ({"age": 19, "need": "learning_disability"}, "all-age-disability",
     "Young adults with a disability (18 to 25)", []),
    ({"age": 25, "need": "older_physical"}, "all-age-disability",
     "Young adults with a disability (18 to 25)", []),
    ({"age": 26, "need": "learning_disability"}, "learning-disabilities",
     "Adults: learning disability (25 and over)", []),
    ({"age": 22, "need": "mental_health"}, "mental-health", "Adults: mental health", []),
    ({"age": 16, "need": "learning_disability"}, "mash", "Children under 18",
     ["transition_planning"]),
    ({"age": 17, "need": "not_sure"}, "mash", "Children under 18", []),
    ({"age": 15, "need": "mental_health"}, "mash", "Children under 18", []),
    ({"unborn": True}, "mash", "Unborn baby", []),
    ({"age": 9, "allegation_about_worker": True}, "lado",
     "Allegation against someone who works with children", []),
    ({"allegation_about_worker": True}, "lado",
     "Allegation against a worker, child's age not known", []),
    ({"age": 40, "need": "older_physical", "allegation_about_worker": True}, "oppd",
     "Adults: older age or a physical disability", ["pipot"]),
    ({"age": 40}, "oppd", "Not sure: the front door", []),
])
def test_default_rules(facts, pathway, rule, flags):
    suggestion = suggest(**facts)
    assert (suggestion.pathway, suggestion.rule, suggestion.flag_values) == (pathway, rule, flags)
    assert suggestion.source and "{" not in suggestion.reason


def test_the_migration_wrote_the_defaults_it_names():
    migration = importlib.import_module("pathways.migrations.0008_routing_defaults")
    literal = {row["name"]: row for row in migration.RULES}
    assert list(literal) == [rule.name for rule in DEFAULT_RULES]
    for rule in DEFAULT_RULES:
        row = literal[rule.name]
        assert (row["order"], row["team"], row["flag"], row["min_age"], row["max_age"],
                tuple(row["main_needs"]), row["reason"]) == (
            rule.order, rule.pathway, rule.flag, rule.min_age, rule.max_age, rule.main_needs,
            rule.reason)
    assert RoutingRule.objects.count() == len(DEFAULT_RULES)
    assert set(Team.objects.values_list("pathway", flat=True)) >= {
        "oppd", "mental-health", "learning-disabilities", "mash", "all-age-disability", "lado"}


def test_explain_names_the_team_the_rule_and_the_flags():
    out = StringIO()
    call_command("routing", "explain", "--age", "17", "--need", "mental_health", "--json",
                 stdout=out)
    data = json.loads(out.getvalue())
    assert data["pathway"] == "mash"
    assert data["rule"] == "Children under 18"
    assert [f["flag"] for f in data["flags"]] == ["transition_planning"]
    assert data["out_of_hours"]["name"].startswith("Emergency Duty Team")
    out = StringIO()
    call_command("routing", "explain", "--age", "19", "--need", "learning_disability",
                 stdout=out)
    assert "All Age Disability service (0 to 25)" in out.getvalue()
    assert "Rule:   Young adults with a disability (18 to 25)" in out.getvalue()


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user("admin@council.example.gov.uk", "Council Admin", is_council_admin=True,
                      is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_an_administrator_moves_the_age_band_and_the_history_keeps_it(admin_client):
    rule = RoutingRule.objects.get(name="Young adults with a disability (18 to 25)")
    form = {
        "order": rule.order, "name": rule.name, "kind": rule.kind, "active": "on",
        "age_known": rule.age_known, "min_age": "18", "max_age": "24",
        "main_needs": json.dumps(rule.main_needs),
        "allegation_about_worker": rule.allegation_about_worker, "unborn": rule.unborn,
        "team": rule.team_id, "flag": "", "reason": rule.reason, "source": rule.source,
        "changes-TOTAL_FORMS": "0", "changes-INITIAL_FORMS": "0",
    }
    response = admin_client.post(f"/admin/pathways/routingrule/{rule.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    change = RoutingRuleChange.objects.get(rule=rule)
    assert change.action == "changed" and change.snapshot["max_age"] == 24
    assert change.changed_by.email == "admin@council.example.gov.uk"
    assert suggest(age=25, need="learning_disability").pathway == "learning-disabilities"
    # A bad band is refused with a specific message, not saved.
    response = admin_client.post(f"/admin/pathways/routingrule/{rule.pk}/change/",
                                 {**form, "min_age": "30"})
    assert response.status_code == 200
    assert "The highest age must not be below the lowest." in response.content.decode()
    assert RoutingRuleChange.objects.filter(rule=rule).count() == 1
