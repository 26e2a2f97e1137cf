"""`manage.py clocks explain ...` (the rules, auditable) and `manage.py clocks sweep`.

    clocks explain --pathway {oppd,mental-health,learning-disabilities,mash} --received WHEN
                   [--decided WHEN] [--rag {red,amber,green} --rated WHEN]
                   [--challenged WHEN] [--json]
    clocks explain --pathway ... --consulted WHEN [--json]   (a request for advice's call-back)
    clocks explain REFERENCE [--json]
    clocks sweep [--now WHEN]

WHEN is ISO 8601; without an offset it is Europe/London local time.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from core.vocabulary import AuditAction, ClockKind, Pathway, RagRating
from pathways.clocks import PATHWAYS
from pathways.deadlines import deadline_explain, due_status
from pathways.explain import (
    ExplainedClock,
    as_json,
    as_text,
    explain_scenario,
    explain_started,
    parse_when,
)
from pathways.models import Deadline
from pathways.policies import policy_rule, working_calendar
from referrals.models import Referral
from referrals.sweep import deadlines_sweep


class Command(BaseCommand):
    help = "Explain the clocks (why each is due when it is), or run the deadline sweep once."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{explain,sweep}")
        explain = actions.add_parser(
            "explain",
            help="Print each clock that applies, its due and warning times, and why.",
            description="Without an offset, WHEN means Europe/London local time.",
        )
        explain.add_argument("reference", nargs="?", help="An existing referral's reference.")
        explain.add_argument("--pathway", choices=PATHWAYS)
        explain.add_argument("--received", metavar="WHEN")
        explain.add_argument("--decided", metavar="WHEN")
        explain.add_argument("--rag", choices=[r.value for r in RagRating])
        explain.add_argument("--rated", metavar="WHEN")
        explain.add_argument("--challenged", metavar="WHEN",
                             help="When a referrer challenged the decision (or a stage began): "
                                  "that stage's answer clock.")
        explain.add_argument("--consulted", metavar="WHEN",
                             help="When a request for advice was made: its call-back clock "
                                  "(--received not needed).")
        explain.add_argument("--json", action="store_true", help="Print one JSON object.")
        sweep = actions.add_parser("sweep", help="Record due warnings and breaches now.")
        sweep.add_argument("--now", metavar="WHEN", help="Sweep as if it were this time.")

    def handle(self, *args, action, **options):
        try:
            if action == "sweep":
                return self._sweep(options)
            return self._explain(options)
        except ValueError as error:
            raise CommandError(str(error)) from error

    def _sweep(self, options):
        now = parse_when(options["now"], "--now") if options["now"] else timezone.now()
        report = deadlines_sweep(now=now)
        self.stdout.write(
            f"warned {report.warned}, breached {report.breached}, "
            f"urgent alerts {report.pickup_alerts}, notices {report.notices}"
        )

    def _explain(self, options):
        scenario = [options[k] for k in ("pathway", "received", "decided", "rag", "rated",
                                         "challenged", "consulted")]
        if options["reference"]:
            if any(scenario):
                raise ValueError("Give either a referral REFERENCE or --pathway and --received.")
            return self._explain_referral(options["reference"], options["json"])
        calendar = working_calendar()
        extra = []
        for option, kind, note in (
            ("consulted", ClockKind.CONSULTATION, "Request for advice: call-back clock."),
            ("challenged", ClockKind.CHALLENGE,
             "Challenge to a decision: each stage (tier) has this long to answer; an "
             "unanswered stage passes to the next, whose clock starts then."),
        ):
            if options[option] and options["pathway"]:
                extra.append(explain_started(
                    pathway=options["pathway"], kind=kind,
                    starts=parse_when(options[option], f"--{option}"), calendar=calendar,
                    rule_for=policy_rule, note=note))
        if options["consulted"] and options["pathway"] and not options["received"]:
            return self._write(extra, options)
        if not options["pathway"] or not options["received"]:
            raise ValueError("Give a referral REFERENCE, or both --pathway and --received.")
        clocks = extra + explain_scenario(
            pathway=options["pathway"],
            received=parse_when(options["received"], "--received"),
            decided=parse_when(options["decided"], "--decided") if options["decided"] else None,
            rag=options["rag"],
            rated=parse_when(options["rated"], "--rated") if options["rated"] else None,
            calendar=calendar,
            rule_for=policy_rule,
        )
        clocks = clocks[len(extra):] + extra
        self._write(clocks, options)

    def _write(self, clocks, options):
        if options["json"]:
            self.stdout.write(as_json(clocks))
        else:
            name = Pathway(options["pathway"]).label
            self.stdout.write(as_text(clocks, f"Clocks for a referral to {name}"))

    @transaction.atomic
    def _explain_referral(self, reference, as_json_output):
        referral = Referral.objects.filter(reference__iexact=reference.strip()).first()
        if referral is None:
            raise ValueError(f"There is no referral with the reference {reference!r}.")
        # Every view of a referral is audited, a command line's too.
        audit_record(
            action=AuditAction.REFERRAL_CLOCKS_EXPLAINED,
            referral=referral,
            detail={"via": "manage.py clocks explain"},
        )
        calendar, now = working_calendar(), timezone.now()
        deadlines = (
            Deadline.objects.filter(referral=referral)
            .prefetch_related("pauses")
            .order_by("starts_at", "id")
        )
        clocks = []
        for deadline in deadlines:
            result = deadline_explain(deadline, calendar)
            if result.due is not None and result.due != deadline.due_at:
                note = (
                    f"\nNote: stored due time {deadline.due_at.isoformat()} differs from today's "
                    "calendar (a closure day or policy changed since it was set)."
                )
                result = type(result)(
                    result.starts, result.warning, result.due, result.explanation + note
                )
            status = due_status(deadline, now, calendar).text
            clocks.append(ExplainedClock(deadline.kind, result, deadline.variant, status))
        if as_json_output:
            self.stdout.write(as_json(clocks, reference=referral.reference))
        else:
            heading = f"Clocks for referral {referral.reference}"
            if not clocks:
                heading += "\n\nNo clocks have started (the referral has not been received)."
            self.stdout.write(as_text(clocks, heading))
