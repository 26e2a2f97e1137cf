"""Every figure against the hand-computed world in conftest.py (now = 20 April 2026 12:00 BST,
window = February to April 2026, per month)."""

from datetime import timedelta

import pytest

from core.vocabulary import Role
from dashboard.figures import SLUGS, Context
from dashboard.refresh import summaries_rebuild
from dashboard.scope import Scope

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
    t = table("received-sector", now)
    assert t.rows[-1] == ["All periods", 3, 2, 1, 1, 1, 0, 0, 2, 10]
    assert t.rows[0] == ["February 2026", 1, 2, 0, 0, 0, 0, 0, 1, 4]


def test_received_by_category_counts_each_named_category(world, now):
    t = table("received-category", now)
    assert [c.label for c in t.columns] == ["Period", "Financial", "Neglect", "Physical", "Sexual"]
    assert t.rows == [
        ["February 2026", 0, 2, 0, 0],
        ["March 2026", 1, 0, 1, 0],
        ["April 2026", 1, 0, 1, 1],
        ["All periods", 2, 2, 2, 1],
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
    # r5 arrived after hours on the Thursday before Easter: Good Friday and Easter Monday are
    # bank holidays, so its due time is Tuesday 7 April 17:00 and a decision at 16:00 that day
    # is on time. r4 met exactly at its due time: on time. r7's clock is still running: left out.
    assert rounded(table("concern-decisions", now).rows) == [
        ["February 2026", 2, 1, 50.0],
        ["March 2026", 1, 1, 100.0],
        ["April 2026", 3, 1, 33.33],
        ["All periods", 6, 3, 50.0],
    ]


def test_mash_decisions_within_one_working_day(world, now):
    assert table("mash-decisions", now).rows == [
        ["February 2026", 1, 1, 100.0],
        ["March 2026", 0, 0, None],
        ["April 2026", 1, 0, 0.0],
        ["All periods", 2, 1, 50.0],
    ]


def test_rag_timescales_by_the_rating_each_clock_ran_under(world, now):
    # r3 was rated amber (met) then red (late); its referral now says red. r6 has no event and
    # falls back to the referral's rating, green.
    assert table("rag", now).rows == [
        ["February 2026", 1, 0, 0.0, 1, 1, 100.0, 0, 0, None],
        ["March 2026", 0, 0, None, 0, 0, None, 0, 0, None],
        ["April 2026", 0, 0, None, 0, 0, None, 1, 1, 100.0],
        ["All periods", 1, 0, 0.0, 1, 1, 100.0, 1, 1, 100.0],
    ]


def test_enquiries_within_one_and_two_calendar_months(world, now):
    assert rounded(table("enquiries", now).rows) == [
        ["February 2026", 3, 3, 1, 33.33, 3, 2, 66.67],
        ["March 2026", 0, 0, 0, None, 0, 0, None],
        ["April 2026", 0, 0, 0, None, 0, 0, None],
        ["All periods", 3, 3, 1, 33.33, 3, 2, 66.67],
    ]


def test_enquiry_month_is_a_calendar_month(world, now):
    from tests.dashboard import factories as f

    r = f.referral(received_at=f.london(2026, 2, 27, 10), outcome="s42_met")
    # Started 27 February; one calendar month later is 27 March (not 29 March, 30 days on).
    f.deadline(r, "enquiry", starts_at=f.london(2026, 2, 27, 10), due_at=f.london(2026, 4, 27),
               met_at=f.london(2026, 3, 28, 10))
    summaries_rebuild(now=now)  # the summary source reads what the rebuild saw
    feb = table("enquiries", now).rows[0]
    assert feb[1:4] == [4, 4, 1]


def test_open_breaches_now_and_their_age(world, now):
    assert rounded(table("open-breaches", now).rows) == [
        ["Concern decision (same working day)", 1, 0, 0, 1, 0, 18.79],
        ["MASH decision (one working day)", 1, 1, 0, 0, 0, 0.08],
        ["Section 42 enquiry", 1, 0, 0, 1, 0, 11.08],
        ["All clocks", 3, 1, 0, 2, 0, 18.79],
    ]


def test_feedback_by_channel(world, now):
    # Pending notices and non-feedback notices do not count; an owed, ungiven record does not.
    assert rounded(table("feedback-channel", now).rows) == [
        ["February 2026", 4, 3, 75.0, 1, 25.0, 1, 25.0, 1, 25.0, 1, 25.0],
        ["March 2026", 2, 1, 50.0, 1, 50.0, 0, 0.0, 0, 0.0, 0, 0.0],
        ["April 2026", 1, 1, 100.0, 0, 0.0, 0, 0.0, 1, 100.0, 1, 100.0],
        ["All periods", 7, 5, 71.43, 2, 28.57, 1, 14.29, 2, 28.57, 2, 28.57],
    ]


def test_time_to_feedback_exact_median_and_90th_percentile(world, now):
    # Hours to first feedback: Feb 23.5, 26, 24; Mar 19; Apr 136 (r8's later closure feedback
    # is ignored). Interpolated: Feb p90 = 24 + 0.8 * (26 - 24) = 25.6; overall p90 over
    # [19, 23.5, 24, 26, 136] = 26 + 0.6 * 110 = 92.
    assert rounded(table("feedback-time", now).rows) == [
        ["February 2026", 3, 24.0, 25.6],
        ["March 2026", 1, 19.0, 19.0],
        ["April 2026", 1, 136.0, 136.0],
        ["All periods", 5, 24.0, 92.0],
    ]


def test_closed_without_feedback_is_shown_even_when_not_zero(world, now):
    assert table("closed-without-feedback", now).rows == [
        ["February 2026", 0, 0],
        ["March 2026", 2, 1],
        ["April 2026", 0, 0],
        ["All periods", 2, 1],
    ]


def test_adult_outcomes(world, now):
    assert rounded(table("adult-outcomes", now).rows) == [
        ["February 2026", 3, 3, 100.0, 3, 100.0, 3, 100.0],
        ["March 2026", 2, 1, 50.0, 1, 50.0, 1, 50.0],
        ["April 2026", 1, 1, 100.0, 0, 0.0, 0, 0.0],
        ["All periods", 6, 5, 83.33, 4, 66.67, 4, 66.67],
    ]


def test_mash_decisions_by_outcome(world, now):
    assert table("mash-outcomes", now).rows[-1] == ["All periods", 0, 1, 0, 0, 0, 1]


def test_organisation_scope_sees_only_its_own_referrals(world, now):
    from accounts.models import Organisation

    food_bank = Organisation.objects.get(name="Peckham Food Bank")
    scope = Scope(role=Role.ORGANISATION_LEAD, organisation_id=food_bank.pk,
                  organisation_name=food_bank.name)
    assert table("received-pathway", now, scope=scope).rows[-1] == ["All periods", 2, 0, 0, 0, 0, 0, 2]
    assert table("feedback-channel", now, scope=scope).rows[-1][:4] == [
        "All periods", 2, 2, 100.0]
    assert rounded(table("feedback-time", now, scope=scope).rows)[-1] == [
        "All periods", 2, 22.5, 25.3]


def test_manager_scope_is_fixed_to_the_pathway(world, now):
    scope = Scope(role=Role.TEAM_MANAGER, pathway="oppd", team_name="OPPD")
    t = table("received-pathway", now, scope=scope, pathway="mash")
    assert t.rows[-1] == ["All periods", 4, 4]


def test_a_clocks_own_rating_wins_and_cancelled_clocks_are_left_out(world, now):
    from pathways.models import Deadline
    from tests.dashboard import factories as f

    assert any(field.name == "variant" for field in Deadline._meta.get_fields())
    r = f.referral(received_at=f.london(2026, 3, 2, 10), pathway="mash", rag_rating="green")
    f.event(r, "rag_rated", at=f.london(2026, 3, 2, 10), detail={"rating": "amber"})
    own = f.deadline(r, "rag", starts_at=f.london(2026, 3, 2, 10),
                     due_at=f.london(2026, 3, 2, 14), met_at=f.london(2026, 3, 2, 13))
    Deadline.objects.filter(pk=own.pk).update(variant="red")
    cancelled = f.deadline(r, "rag", starts_at=f.london(2026, 3, 3, 10),
                           due_at=f.london(2026, 3, 3, 14))
    Deadline.objects.filter(pk=cancelled.pk).update(cancelled_at=f.london(2026, 3, 3, 11))
    summaries_rebuild(now=now)
    march = table("rag", now).rows[1]
    assert march == ["March 2026", 1, 1, 100.0, 0, 0, None, 0, 0, None]


def test_open_breaches_are_counted_at_most_once_a_minute_per_scope(world, now, settings):
    """DASHBOARD_LIVE_SECONDS: within the minute the same scope gets the same count, with the
    time it was counted (the page says "as at"); after it, or with 0, a new count."""
    from django.core.cache import cache

    from tests.dashboard import factories as f

    settings.DASHBOARD_LIVE_SECONDS = 60
    cache.clear()
    first = table("open-breaches", now)
    r = f.referral(received_at=now - timedelta(days=3))
    f.deadline(r, "concern_decision", starts_at=now - timedelta(days=3),
               due_at=now - timedelta(days=2))
    later = now + timedelta(seconds=30)
    cached = table("open-breaches", later)
    assert cached.rows == first.rows and f"{now:%H:%M}" in cached.description
    settings.DASHBOARD_LIVE_SECONDS = 0
    fresh = table("open-breaches", later)
    assert fresh.rows[-1][1] == first.rows[-1][1] + 1
    cache.clear()
