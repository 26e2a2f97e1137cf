"""`manage.py routing explain ...`: which team a referral would reach, and which rule decided.

    routing explain --age N --need {older_physical,mental_health,learning_disability,not_sure}
                    [--allegation-about-worker] [--unborn] [--json]
    routing rules [--json]

Like `clocks explain` for deadlines: it reads the same rows the form reads (pathways.routing),
so the safeguarding board can check that the rules are the policy (docs/routing.md).
"""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pathways.models import ContactKind, ContactPoint
from pathways.routing import MainNeed, RouteFlag, route_suggest, routing_rules


class Command(BaseCommand):
    help = "Explain where a referral would be routed and why, or list the routing rules."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{explain,rules}")
        explain = actions.add_parser(
            "explain", help="Print the team a referral would reach, the rule and the flags.")
        explain.add_argument("--age", type=int, help="The person's age in years (omit: unknown).")
        explain.add_argument("--need", choices=MainNeed.values, default=MainNeed.NOT_SURE)
        explain.add_argument("--allegation-about-worker", action="store_true",
                             help="The concern is about something a person did in their work "
                                  "or volunteering.")
        explain.add_argument("--unborn", action="store_true", help="An unborn baby.")
        explain.add_argument("--json", action="store_true", help="Print one JSON object.")
        rules = actions.add_parser("rules", help="List the active rules in order.")
        rules.add_argument("--json", action="store_true")

    def handle(self, *args, action, **options):
        if action == "rules":
            return self._rules(options["json"])
        if options["age"] is not None and options["age"] < 0:
            raise CommandError("--age cannot be negative.")
        if options["unborn"] and options["age"] is not None:
            raise CommandError("An unborn baby has no age: give --unborn or --age, not both.")
        suggestion = route_suggest(
            main_need=options["need"], today=timezone.localdate(),
            front_door=settings.FRONT_DOOR_PATHWAY, age=options["age"],
            allegation_about_worker=options["allegation_about_worker"],
            unborn=options["unborn"])
        edt = ContactPoint.objects.filter(kind=ContactKind.EDT).first()
        data = {
            "pathway": suggestion.pathway,
            "team": suggestion.team,
            "rule": suggestion.rule,
            "source": suggestion.source,
            "reason": suggestion.reason,
            "flags": [{"flag": flag, "label": RouteFlag(flag).label, "rule": rule}
                      for flag, rule in suggestion.flags],
            "not_matched": [{"rule": rule, "because": why} for rule, why in suggestion.passed],
            "out_of_hours": ({"name": edt.name, "phone": edt.phone, "hours": edt.hours}
                             if edt else None),
        }
        if options["json"]:
            self.stdout.write(json.dumps(data, indent=2))
            return
        lines = [f"Team:   {data['team']} ({data['pathway']})",
                 f"Rule:   {data['rule']}",
                 f"Source: {data['source']}",
                 f"Reason: {data['reason']}"]
        for flag in data["flags"]:
            lines.append(f"Flag:   {flag['label']} (rule: {flag['rule']})")
        for passed in data["not_matched"]:
            lines.append(f"  not: {passed['rule']}: {passed['because']}")
        if edt:
            lines.append(f"Out of hours: {edt.name}, {edt.phone} ({edt.hours})")
        self.stdout.write("\n".join(lines))

    def _rules(self, as_json):
        rules = routing_rules()
        if as_json:
            self.stdout.write(json.dumps([
                {"order": r.order, "name": r.name, "kind": str(r.kind), "pathway": r.pathway,
                 "flag": r.flag, "source": r.source} for r in rules], indent=2))
            return
        for r in rules:
            target = r.flag if r.kind == "flag" else (r.pathway or "front door")
            self.stdout.write(f"{r.order:>4}  {r.name}  ->  {target}   [{r.source}]")
