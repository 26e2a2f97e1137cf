"""Every figure against the hand-computed world of world.py (built through the services; its
table says what happens to each referral and when; now = 20 April 2026 12:00 BST, window =
February to April 2026, per month). Each expected figure is worked out by hand from that table
(the comments say how), not read back from the code."""

from datetime import timedelta

import pytest

from core.vocabulary import Role
from dashboard.figures import SLUGS, Context
from dashboard.refresh import summaries_rebuild
from dashboard.scope import Scope
from tests.factories import triage
from tests.factories.accounts import ReferrerFactory
from tests.factories.referrals import referral_with

from .factories import london

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["live", "summary"])
def source(request, world, now):
    """Every figure twice: summed live, and read from the summaries rebuilt as at `now`."""
    if request.param == "summary":
        summaries_rebuild(now=now)
    return request.param

ADMIN = Scope(role=Role.COUNCIL_ADMIN)
NONE = None


def filters(**overrides):
    return {"grain": "month", "months": 3, "pathway": None, "sector": None, "category": None,
            "urgency": None, **overrides}


_SOURCE = {}


def table(slug, now, scope=ADMIN, **overrides):
    return SLUGS[slug](Context(scope=scope, filters=filters(**overrides), now=now,
                               use_summary=_SOURCE.get("use") == "summary"))


@pytest.fixture(autouse=True)
def _use(source):
    _SOURCE["use"] = source
    yield
    _SOURCE.clear()


def rounded(rows):
    return [[round(v, 2) if isinstance(v, float) else v for v in row] for row in rows]


def test_received_by_pathway_puts_2330_bst_on_31_march_in_march(world, now):
    t = table("received-pathway", now)
    assert [c.label for c in t.columns] == [
        "Period", "Older people and physical disabilities (OPPD)", "Mental health",
        "Learning disabilities", "All Age Disability service (0 to 25)", "Children (MASH)",
        "Allegations against people who work with children (LADO)", "Total"]
    # March: r1 (23:30 BST 31 March) and r4. April: r2 (00:30 BST 1 April = 23:30 UTC 31 March,
    # so April in London), r5, r6, r7. January's r0 is outside the window.
    assert t.rows == [
        ["February 2026", 1, 1, 1, 0, 1, 0, 4],
        ["March 2026", 1, 1, 0, 0, 0, 0, 2],
        ["April 2026", 2, 0, 1, 0, 1, 0, 4],
        ["All periods", 4, 2, 2, 0, 2, 0, 10],
    ]


def test_received_by_sector(world, now):
    # Columns: voluntary, health, housing, police, education, council, other, no organisation.
    # Every referral comes from a referrer's organisation (there is no referral without one):
    # February r8 food bank, r9 and r3 the hospital, r10 Southwark Carers (other); March r4
    # Carers, r1 food bank; April r7 day centre, r2 school, r5 housing, r6 police.
    t = table("received-sector", now)
    assert t.rows[-1] == ["All periods", 3, 2, 1, 1, 1, 0, 2, 0, 10]
    assert t.rows[0] == ["February 2026", 1, 2, 0, 0, 0, 0, 1, 0, 4]


def test_received_by_category_counts_each_named_category(world, now):
    # February: r8, r9, r10, r3 neglect. March: r4 neglect, r1 physical and financial. April:
    # r2 physical, r5 financial, r6 sexual, r7 neglect.
    t = table("received-category", now)
    assert [c.label for c in t.columns] == ["Period", "Financial", "Neglect", "Physical", "Sexual"]
    assert t.rows == [
        ["February 2026", 0, 4, 0, 0],
        ["March 2026", 1, 1, 1, 0],
        ["April 2026", 1, 1, 1, 1],
        ["All periods", 2, 6, 2, 1],
    ]


def test_received_by_urgency(world, now):
    assert table("received-urgency", now).rows[-1] == ["All periods", 2, 8, 10]


def test_trend_is_twelve_months_whatever_the_window(world, now):
    t = table("trend-sector", now, grain="week", months=3)
    assert [r[0] for r in t.rows[:2]] == ["May 2025", "June 2025"]
    assert len(t.rows) == 13
    assert t.rows[8] == ["January 2026", 1, 0, 0, 0, 0, 0, 0, 0, 1]
    assert t.rows[-1][-1] == 11
    assert t.chart["kind"] == "line"


def test_filters_narrow_every_referral_figure(world, now):
    assert table("received-pathway", now, sector="health").rows[-1][-1] == 2
    assert table("received-pathway", now, category="physical").rows[1:3] == [
        ["March 2026", 1, 0, 0, 0, 0, 0, 1], ["April 2026", 0, 0, 1, 0, 0, 0, 1]]
    assert table("received-pathway", now, urgency="urgent").rows[-1][-1] == 2
    assert table("received-pathway", now, urgency="not_urgent").rows[-1][-1] == 8
    mash = table("received-pathway", now, pathway="mash")
    assert [c.label for c in mash.columns] == ["Period", "Children (MASH)", "Total"]
    assert mash.rows[-1] == ["All periods", 2, 2]
    # Voluntary adult referrals: r8 decided on time, r1 late, r7 still running (left out).
    assert table("concern-decisions", now, sector="voluntary").rows[-1] == [
        "All periods", 2, 1, 50.0]


def test_week_and_quarter_periods(world, now):
    weeks = table("received-pathway", now, grain="week")
    by_label = {r[0]: r[-1] for r in weeks.rows}
    # Tuesday 31 March 23:30, Wednesday 1 April 00:30 and Thursday 2 April: week of 30 March.
    assert by_label["w/c 30 Mar 2026"] == 3
    quarters = table("received-pathway", now, grain="quarter")
    # The quarters overlapping the last three months: Q1 includes January's r0.
    assert [r[0] for r in quarters.rows] == ["Q1 2026 (Jan–Mar)", "Q2 2026 (Apr–Jun)",
                                            "All periods"]
    assert [r[-1] for r in quarters.rows] == [7, 4, 11]


def test_concern_decisions_same_working_day_use_recorded_due_times(world, now):
    # Each clock counts in the month it started (received). February: r8 decided 16:00, due
    # 17:00 (on time); r9 decided the next morning and r10 at 18:00 (late). March: r1, received
    # 23:30 on 31 March, was due 17:00 on 1 April and decided at 18:00 (late); r4 was closed
    # before a decision, its clock ended: left out. April: r5 arrived after hours on the
    # Thursday before Easter: Good Friday and Easter Monday are bank holidays, so its due time
    # is Tuesday 7 April 17:00 and a decision at 16:00 that day is on time; r2's (due 17:00 on
    # 1 April) is overdue; r7's is still running: left out.
    assert rounded(table("concern-decisions", now).rows) == [
        ["February 2026", 3, 1, 33.33],
        ["March 2026", 1, 0, 0.0],
        ["April 2026", 2, 1, 50.0],
        ["All periods", 6, 2, 33.33],
    ]


def test_mash_decisions_within_one_working_day(world, now):
    # r3, received Sunday 15 February 12:00: due Monday 17:00 (eight working hours from 09:00),
    # decided 11:00. r6, received Friday 17 April 10:00: due Monday 10:00, undecided at 12:00.
    assert table("mash-decisions", now).rows == [
        ["February 2026", 1, 1, 100.0],
        ["March 2026", 0, 0, None],
        ["April 2026", 1, 0, 0.0],
        ["All periods", 2, 1, 50.0],
    ]


def test_rag_timescales_by_the_rating_each_clock_ran_under(world, now):
    # r3 was rated amber, then red at 06:00 on Monday 16 February: the amber clock was
    # restarted (left out) and red was due four hours later, 10:00; the decision at 11:00 met it
    # late. r6 was rated green on Friday 17 April 10:00: 24 working hours run to Wednesday 22
    # April 10:00, not yet due nor met: left out.
    assert table("rag", now).rows == [
        ["February 2026", 1, 0, 0.0, 0, 0, None, 0, 0, None],
        ["March 2026", 0, 0, None, 0, 0, None, 0, 0, None],
        ["April 2026", 0, 0, None, 0, 0, None, 0, 0, None],
        ["All periods", 1, 0, 0.0, 0, 0, None, 0, 0, None],
    ]


def test_enquiries_within_one_and_two_calendar_months(world, now):
    # An enquiry starts with the section 42 decision. February: r8 (2 Feb 16:00, plan 2 March
    # 09:00: within a month), r9 (6 Feb 09:00, plan 20 March: within two), r10 (9 Feb 18:00,
    # never concluded: a month and two months old by now, within neither). April: r1 (1 April
    # 18:00), not yet a month old: started, not yet known.
    assert rounded(table("enquiries", now).rows) == [
        ["February 2026", 3, 3, 1, 33.33, 3, 2, 66.67],
        ["March 2026", 0, 0, 0, None, 0, 0, None],
        ["April 2026", 1, 0, 0, None, 0, 0, None],
        ["All periods", 4, 3, 1, 33.33, 3, 2, 66.67],
    ]


def test_enquiry_month_is_a_calendar_month(world, now):
    # February had three enquiries, all known, one within a month (test above). This one is
    # received and decided (section 42 met) on Friday 27 February at 10:00, which starts the
    # enquiry; one calendar month later is 27 March (not 29 March, 30 days on), so the plan
    # on 28 March concludes it after one month: known, not within it.
    r = referral_with(ReferrerFactory(), received_at=london(2026, 2, 27, 10))
    triage.decide(r, "s42_met", now=london(2026, 2, 27, 10))
    triage.plan(r, now=london(2026, 3, 28, 10))
    summaries_rebuild(now=now)  # the summary source reads what the rebuild saw
    feb = table("enquiries", now).rows[0]
    assert feb[1:4] == [4, 4, 1]


def test_open_breaches_now_and_their_age(world, now):
    # Days overdue at 12:00 on 20 April (bands: under 1, 1-7, 7-30, 30+). r2's concern decision
    # was due 17:00 on 1 April: 18 days 19 hours = 18.79. r6's MASH decision was due 10:00
    # today: 2 hours = 0.08. r10's enquiry, two calendar months from 9 February, was due 17:00
    # on 9 April: 10 days 19 hours = 10.79. r4's closure feedback (its email failed) was due
    # 17:00 on the next working day, Friday 13 March (GMT): to 11:00 UTC today, 37 days 18
    # hours = 37.75. r10's feedback clock is paused: not a breach.
    assert rounded(table("open-breaches", now).rows) == [
        ["Concern decision (same working day)", 1, 0, 0, 1, 0, 18.79],
        ["MASH decision (one working day)", 1, 1, 0, 0, 0, 0.08],
        ["Section 42 enquiry", 1, 0, 0, 1, 0, 10.79],
        ["Feedback to the referrer", 1, 0, 0, 0, 1, 37.75],
        ["All clocks", 4, 1, 0, 2, 1, 37.75],
    ]


def test_feedback_by_channel(world, now):
    # Columns after "given": email, Notify, portal, phone. February's decided: r8, r9, r10,
    # r3; given to all but r10 (phone only, never phoned). Email: r3, and r8's closure; Notify:
    # r8's decision; portal: every decision's portal notice (sent by the worker); phone: r9.
    # March: r1 (emailed); r4 was never decided. April: r5 (portal notice, then phoned).
    # A failed email (r4's closure) and the sweep's breach notices do not count.
    assert rounded(table("feedback-channel", now).rows) == [
        ["February 2026", 4, 3, 75.0, 2, 50.0, 1, 25.0, 4, 100.0, 1, 25.0],
        ["March 2026", 1, 1, 100.0, 1, 100.0, 0, 0.0, 1, 100.0, 0, 0.0],
        ["April 2026", 1, 1, 100.0, 0, 0.0, 0, 0.0, 1, 100.0, 1, 100.0],
        ["All periods", 6, 5, 83.33, 3, 50.0, 1, 16.67, 6, 100.0, 2, 33.33],
    ]


def test_time_to_feedback_exact_median_and_90th_percentile(world, now):
    # Hours from receipt to the first feedback given: Feb r3 23.5 (emailed 11:30 the next
    # day), r8 26 (sent 12:00 the next day), r9 24 (phoned); Mar r1 19 (23:30 to 18:30); Apr
    # r5 136 (18:00 Thursday to 10:00 the Wednesday after; r8's later closure feedback
    # is ignored). Interpolated: Feb p90 = 24 + 0.8 * (26 - 24) = 25.6; overall p90 over
    # [19, 23.5, 24, 26, 136] = 26 + 0.6 * 110 = 92.
    assert rounded(table("feedback-time", now).rows) == [
        ["February 2026", 3, 24.0, 25.6],
        ["March 2026", 1, 19.0, 19.0],
        ["April 2026", 1, 136.0, 136.0],
        ["All periods", 5, 24.0, 92.0],
    ]


def test_closed_without_feedback_is_shown_even_when_not_zero(world, now):
    # Both closures were in March: r8's (feedback given) and r4's, closed before a decision,
    # whose closure email the mail server refused until the outbox gave up.
    assert table("closed-without-feedback", now).rows == [
        ["February 2026", 0, 0],
        ["March 2026", 2, 1],
        ["April 2026", 0, 0],
        ["All periods", 2, 1],
    ]


def test_adult_outcomes(world, now):
    # Decided adult referrals: February r8, r9, r10 (section 42 met, each an enquiry); March
    # r1 (the same); April r5 (concern, section 42 not met). r4 closed undecided: not counted.
    assert rounded(table("adult-outcomes", now).rows) == [
        ["February 2026", 3, 3, 100.0, 3, 100.0, 3, 100.0],
        ["March 2026", 1, 1, 100.0, 1, 100.0, 1, 100.0],
        ["April 2026", 1, 1, 100.0, 0, 0.0, 0, 0.0],
        ["All periods", 5, 5, 100.0, 4, 80.0, 4, 80.0],
    ]


def test_mash_decisions_by_outcome(world, now):
    # No further action, early help, family help, child in need, s47, immediate, total.
    assert table("mash-outcomes", now).rows[-1] == ["All periods", 0, 1, 0, 0, 0, 0, 1]


def test_organisation_scope_sees_only_its_own_referrals(world, now):
    from accounts.models import Organisation

    food_bank = Organisation.objects.get(name="Peckham Food Bank")
    scope = Scope(role=Role.ORGANISATION_LEAD, organisation_id=food_bank.pk,
                  organisation_name=food_bank.name)
    # The food bank's r8 (26 hours to feedback) and r1 (19) in the window (r0 is January):
    # median 22.5, 90th percentile 19 + 0.9 * 7 = 25.3.
    assert table("received-pathway", now, scope=scope).rows[-1] == ["All periods", 2, 0, 0, 0, 0, 0, 2]
    assert table("feedback-channel", now, scope=scope).rows[-1][:4] == [
        "All periods", 2, 2, 100.0]
    assert rounded(table("feedback-time", now, scope=scope).rows)[-1] == [
        "All periods", 2, 22.5, 25.3]


def test_manager_scope_is_fixed_to_the_pathway(world, now):
    scope = Scope(role=Role.TEAM_MANAGER, pathway="oppd", team_name="OPPD")
    # OPPD in the window: r8, r1, r5, r7 (the pathway filter asked for is ignored).
    t = table("received-pathway", now, scope=scope, pathway="mash")
    assert t.rows[-1] == ["All periods", 4, 4]


def test_a_re_rating_counts_under_its_own_rating_and_the_restarted_clock_is_left_out(world,
                                                                                      now):
    # Monday 2 March: received 10:00, rated amber 10:00, re-rated red 11:00 (the amber clock
    # ends, restarted; red is due 15:00, four elapsed hours), decided 13:00: red met on time.
    received = london(2026, 3, 2, 10)
    r = referral_with(ReferrerFactory(), pathway="mash", received_at=received)
    triage.rag_rate(r, "amber", now=received)
    triage.rag_rate(r, "red", now=london(2026, 3, 2, 11))
    r.refresh_from_db()  # rated: the decision does not rate it again
    triage.decide(r, now=london(2026, 3, 2, 13))
    summaries_rebuild(now=now)
    march = table("rag", now).rows[1]
    assert march == ["March 2026", 1, 1, 100.0, 0, 0, None, 0, 0, None]


def test_open_breaches_are_counted_at_most_once_a_minute_per_scope(world, now, settings):
    """DASHBOARD_LIVE_SECONDS: within the minute the same scope gets the same count, with the
    time it was counted (the page says "as at"); after it, or with 0, a new count."""
    from django.core.cache import cache

    settings.DASHBOARD_LIVE_SECONDS = 60
    cache.clear()
    first = table("open-breaches", now)
    # Received Friday 17 April 12:00: its concern decision was due that day at 17:00.
    referral_with(ReferrerFactory(), received_at=now - timedelta(days=3))
    later = now + timedelta(seconds=30)
    cached = table("open-breaches", later)
    assert cached.rows == first.rows and f"{now:%H:%M}" in cached.description
    settings.DASHBOARD_LIVE_SECONDS = 0
    fresh = table("open-breaches", later)
    assert fresh.rows[-1][1] == first.rows[-1][1] + 1
    cache.clear()


def test_msp_counts_the_worlds_two_adult_closures(world, now):
    # r4 (mental health, closed 12 Mar before a decision) and r8 (OPPD, closed 4 Mar), both
    # closed by the triage factory with the desired outcomes fully achieved; both inside the
    # 3 months to 20 April. Live whichever the source: the figure reads the referral table.
    rows = table("msp", now).rows
    assert [row[:6] for row in rows] == [
        ["Older people and physical disabilities (OPPD)", 1, 1, 0, 0, 0],
        ["Mental health", 1, 1, 0, 0, 0], ["All adult pathways", 2, 2, 0, 0, 0]]
    assert rows[-1][6] == 100.0
