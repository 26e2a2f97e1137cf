"""`clocks explain`: which clocks apply to a referral and why they fall due when they do.

Pure apart from the rule lookup it is given, so the command, tests and any page can share it.
The safeguarding board uses the output to check that the rules are the policy.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from core.vocabulary import ClockKind, Pathway

from .calendar import LONDON, WorkingCalendar, as_utc, format_local, to_local
from .clocks import (
    ADULT_PATHWAYS,
    MASH_PATHWAY,
    ClockResult,
    ClockRule,
    compute,
    decision_kind,
)

RuleLookup = Callable[[str, ClockKind, str], ClockRule]


@dataclass(frozen=True)
class ExplainedClock:
    kind: str
    result: ClockResult
    variant: str = ""
    status: str | None = None  # for an existing referral's clocks: on time, overdue, met...

    def as_json(self) -> dict:
        data = {
            "kind": self.kind,
            "starts": iso(self.result.starts),
            "warning": iso(self.result.warning),
            "due": iso(self.result.due),
            "explanation": self.result.explanation,
        }
        if self.status is not None:
            data["status"] = self.status
        return data


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in London time with its UTC offset, e.g. 2026-03-30T16:00:00+01:00."""
    return to_local(moment).isoformat() if moment is not None else None


def parse_when(text: str, option: str = "WHEN") -> datetime:
    """ISO 8601; without an offset it is London local time. Refuses times that do not exist
    (the hour the clocks skip in March) or happen twice (the hour repeated in October)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{option}: {text!r} is not an ISO 8601 time, such as 2026-03-02T10:00 (London "
            "time) or 2026-03-02T10:00+00:00"
        ) from None
    if moment.tzinfo is not None:
        return as_utc(moment)
    first = moment.replace(tzinfo=LONDON, fold=0)
    second = moment.replace(tzinfo=LONDON, fold=1)
    if to_local(first).replace(tzinfo=None) != moment:
        raise ValueError(
            f"{option}: {moment:%H:%M} on {moment:%d %b %Y} does not exist in London (the clocks "
            "went forward); give an offset, such as +00:00"
        )
    if first.utcoffset() != second.utcoffset():
        raise ValueError(
            f"{option}: {moment:%H:%M} on {moment:%d %b %Y} happens twice in London (the clocks "
            "went back); give an offset: +01:00 for the first, +00:00 for the second"
        )
    return as_utc(first)


def explain_scenario(
    *,
    pathway: str,
    received: datetime,
    calendar: WorkingCalendar,
    rule_for: RuleLookup,
    decided: datetime | None = None,
    rag: str | None = None,
    rated: datetime | None = None,
) -> list[ExplainedClock]:
    """The clocks a referral on `pathway` would have: received -> its decision clock;
    decided -> enquiry (adults) and feedback; a RAG rating -> rag (MASH)."""
    decision = decision_kind(pathway)
    if (rag is None) != (rated is None):
        raise ValueError("--rag and --rated go together: give both or neither")
    if rag is not None and pathway != MASH_PATHWAY:
        raise ValueError("--rag applies only to the mash pathway (RAG ratings are for children)")
    for name, moment in (("--decided", decided), ("--rated", rated)):
        if moment is not None and moment < received:
            raise ValueError(f"{name} cannot be before --received")

    def clock(kind: ClockKind, starts: datetime, variant: str = "") -> ExplainedClock:
        result = compute(rule_for(pathway, kind, variant), starts, calendar)
        if variant:
            result = ClockResult(
                result.starts,
                result.warning,
                result.due,
                f"RAG rating: {variant}.\n{result.explanation}",
            )
        elif kind == decision and pathway in Pathway.allegations():
            # The LADO's decision clock is its initial consideration of the allegation.
            result = ClockResult(result.starts, result.warning, result.due,
                                 f"LADO initial consideration of the allegation.\n"
                                 f"{result.explanation}")
        return ExplainedClock(str(kind), result, variant)

    clocks = [clock(decision, received)]
    if rag is not None:
        clocks.append(clock(ClockKind.RAG, rated, rag))
    if decided is not None:
        if pathway in ADULT_PATHWAYS:  # the section 42 enquiry: adults only
            clocks.append(clock(ClockKind.ENQUIRY, decided))
        clocks.append(clock(ClockKind.FEEDBACK, decided))
    return clocks


def explain_started(*, pathway: str, kind: ClockKind, starts: datetime,
                    calendar: WorkingCalendar, rule_for: RuleLookup,
                    note: str = "") -> ExplainedClock:
    """One clock that starts at `starts` on `pathway` by its policy row: a challenge's tier
    (each tier starts its own) or a request for advice's call-back (issue 15)."""
    result = compute(rule_for(pathway, kind, ""), starts, calendar)
    if note:
        result = ClockResult(result.starts, result.warning, result.due,
                             f"{note}\n{result.explanation}")
    return ExplainedClock(str(kind), result)


def as_json(clocks: list[ExplainedClock], **extra) -> str:
    return json.dumps({**extra, "clocks": [c.as_json() for c in clocks]}, indent=2)


def as_text(clocks: list[ExplainedClock], heading: str) -> str:
    lines = [heading, ""]
    for item in clocks:
        kind = ClockKind(item.kind)
        title = f"{kind.value}: {kind.label}" + (f" ({item.variant})" if item.variant else "")
        lines.append(title)
        if item.status:
            lines.append(f"  status:  {item.status}")
        for name, moment in (
            ("starts", item.result.starts),
            ("warning", item.result.warning),
            ("due", item.result.due),
        ):
            shown = f"{iso(moment)}  ({format_local(moment)})" if moment else "none while paused"
            lines.append(f"  {name + ':':8} {shown}")
        lines.append("  why:")
        lines += [f"    {line}" for line in item.result.explanation.splitlines()]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
