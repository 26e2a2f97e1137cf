"""Parallel duties (issue 16, part 4): the pure engine's trigger rules, the MARAC threshold,
and out-of-hours detection at the calendar's edges (issue 15, item 4)."""

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathways.calendar import WorkingCalendar
from pathways.duties import (
    DEFAULT_DUTIES,
    DEFAULT_RISK_QUESTIONS,
    DutyFacts,
    DutyRule,
    domestic_abuse,
    duties_triggered,
    facts_of,
    out_of_hours,
    risk_score,
)
from pathways.duty_models import DutyTrigger, ParallelDuty, RiskQuestion
from pathways.models import ContactKind

CAL = WorkingCalendar()
CLOSED = WorkingCalendar({date(2026, 12, 24): "Christmas Eve closure"})


def rule(key, trigger, **extra) -> DutyRule:
    return DutyRule(pk=0, key=key, name=key, trigger=trigger, obligation="should",
                    referrer_text="", staff_text="", **extra)


MARAC = rule("marac", DutyTrigger.RISK_CHECKLIST, threshold=14)
PREVENT = rule("prevent", DutyTrigger.CATEGORIES, categories=frozenset({"radicalisation"}))
NRM = rule("nrm", DutyTrigger.CATEGORIES,
           categories=frozenset({"modern_slavery", "criminal_exploitation"}))
FOSTERING = rule("private-fostering", DutyTrigger.PRIVATE_FOSTERING)
EDT = rule("edt", DutyTrigger.OUT_OF_HOURS_URGENT)
PIPOT = rule("pipot", DutyTrigger.PIPOT)
RULES = [MARAC, PREVENT, NRM, FOSTERING, EDT, PIPOT]


def keys(facts: DutyFacts) -> list[str]:
    return [t.rule.key for t in duties_triggered(RULES, facts)]


def risk(yes: int, judgement="no") -> dict:
    return {**{f"risk_{n}": "yes" if n <= yes else "no" for n in range(1, 25)},
            "risk_judgement": judgement}


def test_nothing_triggers_nothing():
    assert keys(DutyFacts()) == []


@pytest.mark.parametrize("yes, judgement, triggered", [
    (13, "no", False),   # one below the threshold: standard or medium risk
    (14, "no", True),    # SafeLives: 14 or more is "visible high risk"
    (24, "no", True),
    (0, "yes", True),    # professional judgement alone
    (13, "yes", True),
])
def test_marac_by_score_or_professional_judgement(yes, judgement, triggered):
    facts = facts_of(categories=["domestic"], answers=risk(yes, judgement), urgent=False,
                     out_of_hours=False)
    assert facts.risk_score == yes
    assert ("marac" in keys(facts)) is triggered


def test_marac_needs_the_checklist_answered():
    facts = facts_of(categories=["domestic"], answers={"risk_judgement": "no"}, urgent=False,
                     out_of_hours=False)
    assert not facts.risk_answered and keys(facts) == []


def test_not_known_counts_nothing():
    answers = {f"risk_{n}": "unknown" for n in range(1, 25)}
    assert risk_score(answers) == 0
    assert risk_score({"risk_1": "yes", "risk_x": "yes", "other": "yes"}) == 1


def test_the_threshold_is_the_rows():
    lower = rule("marac", DutyTrigger.RISK_CHECKLIST, threshold=10)
    facts = facts_of(categories=[], answers=risk(10), urgent=False, out_of_hours=False)
    assert [t.rule.key for t in duties_triggered([lower], facts)] == ["marac"]
    assert duties_triggered([MARAC], facts) == []


@pytest.mark.parametrize("categories, expected", [
    (["radicalisation"], ["prevent"]),
    (["modern_slavery"], ["nrm"]),
    (["criminal_exploitation", "neglect"], ["nrm"]),
    (["radicalisation", "modern_slavery"], ["prevent", "nrm"]),
    (["physical", "neglect", "domestic"], []),
])
def test_categories(categories, expected):
    assert keys(facts_of(categories=categories, answers={}, urgent=False,
                         out_of_hours=False)) == expected


@pytest.mark.parametrize("answer, triggered", [
    ("yes", True), ("under_28", False), ("no", False), ("unknown", False), (None, False)])
def test_private_fostering_only_for_28_days_or_more(answer, triggered):
    answers = {"private_fostering": answer} if answer else {}
    facts = facts_of(categories=[], answers=answers, urgent=False, out_of_hours=False)
    assert ("private-fostering" in keys(facts)) is triggered


def test_pipot_from_the_routing_flag():
    facts = facts_of(categories=[], answers={"route_flags": ["pipot"]}, urgent=False,
                     out_of_hours=False)
    assert keys(facts) == ["pipot"]
    assert keys(facts_of(categories=[], answers={"route_flags": ["transition_planning"]},
                         urgent=False, out_of_hours=False)) == []


@pytest.mark.parametrize("urgent, late, triggered", [
    (True, True, True), (True, False, False), (False, True, False), (False, False, False)])
def test_edt_only_for_an_urgent_referral_out_of_hours(urgent, late, triggered):
    facts = facts_of(categories=[], answers={}, urgent=urgent, out_of_hours=late)
    assert ("edt" in keys(facts)) is triggered


def test_reasons_say_why():
    facts = facts_of(categories=["domestic", "radicalisation"], answers=risk(15, "yes"),
                     urgent=False, out_of_hours=False)
    reasons = {t.rule.key: t.reason for t in duties_triggered(RULES, facts)}
    assert reasons["marac"] == ("risk checklist: 15 'yes' answers (threshold 14) and the "
                                "referrer judges the risk high")
    assert reasons["prevent"] == "category selected: radicalisation"


def test_domestic_abuse_offers_the_checklist_for_adults_and_children():
    assert domestic_abuse(["domestic"]) and domestic_abuse(["domestic_abuse", "neglect"])
    assert not domestic_abuse(["physical"]) and not domestic_abuse([])


@given(st.lists(st.sampled_from(["yes", "no", "unknown"]), min_size=24, max_size=24),
       st.sampled_from(["yes", "no"]), st.integers(min_value=1, max_value=24))
def test_marac_triggers_exactly_at_or_above_the_threshold_or_on_judgement(
        answers, judgement, threshold):
    """Always: MARAC <=> (number of yes >= threshold) or judgement yes."""
    stored = {f"risk_{n}": a for n, a in enumerate(answers, start=1)} | {
        "risk_judgement": judgement}
    facts = facts_of(categories=["domestic"], answers=stored, urgent=False, out_of_hours=False)
    marac = rule("marac", DutyTrigger.RISK_CHECKLIST, threshold=threshold)
    expected = answers.count("yes") >= threshold or judgement == "yes"
    assert bool(duties_triggered([marac], facts)) is expected


# --- Out of hours at the calendar's edges (Europe/London; UTC given) --------------------------

@pytest.mark.parametrize("moment, late", [
    (datetime(2026, 11, 3, 8, 59, 59, tzinfo=UTC), True),    # Tue 08:59:59 GMT: not yet open
    (datetime(2026, 11, 3, 9, 0, tzinfo=UTC), False),        # Tue 09:00 GMT: open
    (datetime(2026, 11, 3, 16, 59, 59, tzinfo=UTC), False),  # Tue 16:59:59: still open
    (datetime(2026, 11, 3, 17, 0, tzinfo=UTC), True),        # Tue 17:00: closed
    (datetime(2026, 7, 7, 8, 0, tzinfo=UTC), False),         # Tue 09:00 BST is 08:00 UTC
    (datetime(2026, 7, 7, 16, 0, tzinfo=UTC), True),         # Tue 17:00 BST is 16:00 UTC
    (datetime(2026, 11, 7, 12, 0, tzinfo=UTC), True),        # Saturday noon
    (datetime(2026, 12, 25, 12, 0, tzinfo=UTC), True),       # Christmas Day (bank holiday)
    (datetime(2026, 12, 28, 12, 0, tzinfo=UTC), True),       # Boxing Day (substitute day)
    (datetime(2026, 8, 31, 12, 0, tzinfo=UTC), True),        # Summer bank holiday (Monday)
    (datetime(2026, 12, 24, 12, 0, tzinfo=UTC), False),      # a working day without a closure
])
def test_out_of_hours_at_the_calendars_edges(moment, late):
    assert out_of_hours(moment, CAL) is late


def test_a_closure_day_is_out_of_hours():
    noon = datetime(2026, 12, 24, 12, 0, tzinfo=UTC)
    assert out_of_hours(noon, CLOSED) and not out_of_hours(noon, CAL)


@pytest.mark.parametrize("moment, opens", [
    (datetime(2026, 11, 3, 12, 0, tzinfo=UTC), None),
    (datetime(2026, 11, 3, 7, 30, tzinfo=UTC), datetime(2026, 11, 3, 9, 0, tzinfo=UTC)),
    (datetime(2026, 11, 3, 17, 0, tzinfo=UTC), datetime(2026, 11, 4, 9, 0, tzinfo=UTC)),
    (datetime(2026, 11, 6, 18, 0, tzinfo=UTC), datetime(2026, 11, 9, 9, 0, tzinfo=UTC)),
    # Christmas: Thu 24 (working), Fri 25 and Mon 28 (bank holidays): Tuesday 29th.
    (datetime(2026, 12, 24, 18, 0, tzinfo=UTC), datetime(2026, 12, 29, 9, 0, tzinfo=UTC)),
    # Summer time: 9am BST is 08:00 UTC.
    (datetime(2026, 7, 4, 12, 0, tzinfo=UTC), datetime(2026, 7, 6, 8, 0, tzinfo=UTC)),
])
def test_next_opening(moment, opens):
    assert CAL.next_opening(moment) == opens


def test_next_opening_skips_a_closure_day():
    wednesday_night = datetime(2026, 12, 23, 20, 0, tzinfo=UTC)
    assert CLOSED.next_opening(wednesday_night) == datetime(2026, 12, 29, 9, 0, tzinfo=UTC)
    assert CAL.next_opening(wednesday_night) == datetime(2026, 12, 24, 9, 0, tzinfo=UTC)


# --- The rows -------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_default_rows_are_there_with_their_contacts_and_sources():
    duties = {d.key: d for d in ParallelDuty.objects.select_related("contact")}
    assert set(duties) == {d["key"] for d in DEFAULT_DUTIES} == {
        "marac", "prevent", "nrm", "private-fostering", "edt", "pipot"}
    assert duties["marac"].threshold == 14
    assert duties["edt"].contact.kind == ContactKind.EDT
    for key, duty in duties.items():
        assert duty.source, key
        if key != "edt":
            # No invented numbers: the council sets them.
            assert duty.contact.kind == ContactKind.DUTY and duty.contact.phone == "", key
    assert RiskQuestion.objects.count() == len(DEFAULT_RISK_QUESTIONS) == 24
