import pytest
from django.core.management import call_command
from django.utils import timezone

from core.vocabulary import Role
from dashboard.figures import SLUGS, Context
from dashboard.models import SummaryRefresh
from dashboard.scope import Scope
from learning.demo import PAGE_COMMENTS
from learning.models import ReferrerFeedback, Source
from referrals.models import Referral

# The demo is made once per run by `demo_data` (tests/demo.py); the `demo` fixture loads it and
# sets DEMO_HISTORY_PER_MONTH to the number it was made with.
pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_history_is_made_once_and_summarised(demo, settings):
    count = Referral.objects.filter(answers__demo_key__startswith="history-").count()
    assert count == 12 * settings.DEMO_HISTORY_PER_MONTH
    assert SummaryRefresh.objects.count() == 1
    # Issue 15 item 8, through learning's services: one history referral in three rated after
    # sending (every fourth of those with a sentence), and the six comments from the feedback
    # link (one not signed in, so with no sector).
    rated = -(-count // 3)
    after = ReferrerFeedback.objects.filter(source=Source.AFTER_REFERRAL)
    assert after.count() == rated and after.exclude(comment="").count() == -(-rated // 4)
    page = ReferrerFeedback.objects.filter(source=Source.PAGE)
    assert page.count() == len(PAGE_COMMENTS) == 6 and page.filter(sector="").count() == 1
    call_command("demo_data", verbosity=0)
    assert Referral.objects.filter(answers__demo_key__startswith="history-").count() == count
    assert ReferrerFeedback.objects.count() == rated + 6  # made once
    # "What referrers tell us" shows them: the six page answers (ratings 4, 2, 5, 3, 4, 1,
    # average 19 / 6) all fall in the last 12 months; the newest comment first.
    ctx = Context(scope=Scope(role=Role.COUNCIL_ADMIN), now=timezone.now(),
                  filters={"grain": "month", "months": 12, "pathway": None, "sector": None,
                           "category": None, "urgency": None})
    ratings = {row[0]: row for row in SLUGS["referrer-ratings"](ctx).rows}
    # Very good to very poor: 5 once, 4 twice, 3, 2 and 1 once each.
    assert ratings["Feedback link"][1] == 6 and ratings["Feedback link"][3:] == [1, 2, 1, 1, 1]
    assert ratings["Feedback link"][2] == pytest.approx(19 / 6)
    assert 0 < ratings["After sending a referral"][1] <= rated
    comments = SLUGS["referrer-comments"](ctx).rows
    assert comments[0][3] == PAGE_COMMENTS[-1][4] and len(comments) == 10
    # Every closed demo referral had feedback: the "must be zero" figure is zero in the demo.
    assert not Referral.objects.filter(answers__demo_key__startswith="history-", status="closed",
                                       feedback_records__isnull=True).exists()


def test_demo_history_stores_each_referrals_next_clock_for_the_queue(demo):
    """The demo's clocks come from the deadline services, which store each referral's first
    running clock for the triage queue."""
    from django.db.models import Min, Q

    history = Referral.objects.filter(answers__demo_key__startswith="history-").annotate(
        first_open=Min("deadlines__due_at", filter=Q(deadlines__met_at__isnull=True,
                                                     deadlines__cancelled_at__isnull=True)))
    assert history.filter(first_open__isnull=False).exists()
    assert [(r.reference, r.next_due_at) for r in history if r.next_due_at != r.first_open] == []
