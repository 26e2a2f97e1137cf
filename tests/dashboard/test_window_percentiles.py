"""The one-pass window percentiles equal percentile_cont over each window, to the microsecond,
ties, multi-day intervals and empty windows included."""

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count, Q

from dashboard.models import FeedbackTime
from dashboard.sql import PercentileCont
from dashboard.window_percentiles import ALL, window_percentiles

from .factories import london

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_matches_percentile_cont_for_every_window_and_pathway():
    rng = random.Random(7)
    start = london(2025, 1, 1, 0)
    now = london(2026, 4, 20, 12)
    rows = []
    for i in range(400):
        received = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 470))
        hours = rng.choice([1, 1, 2, 24, 26.5, 49]) if i % 3 else rng.random() * 300
        rows.append(FeedbackTime(
            referral_id=i + 1, received_at=received,
            pathway=rng.choice(["oppd", "mash", "mental-health"]), sector="", urgent=False, categories=[], organisation_id=None,
            to_feedback=timedelta(hours=hours, microseconds=rng.randrange(0, 10))))
    FeedbackTime.objects.bulk_create(rows)
    # Feedback times are stored as timestamptz differences: days and time, as in production.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE dashboard_feedbacktime SET to_feedback = "
                       "(received_at + to_feedback) - received_at")
    starts = [london(2025, 3, 1, 0), london(2026, 1, 5, 0), london(2026, 4, 1, 0),
              london(2026, 4, 20, 11), london(2026, 4, 20, 12)]
    found = window_percentiles(starts, now)
    for begin in starts:
        qs = FeedbackTime.objects.filter(received_at__gte=begin, received_at__lte=now)
        aggregates = {"n": Count("pk"), "a": PercentileCont("to_feedback", 0.5),
                      "b": PercentileCont("to_feedback", 0.9)}
        expected = {ALL: qs.aggregate(**aggregates)}
        since = Q(received_at__gte=begin)
        per_pathway = FeedbackTime.objects.filter(
            received_at__gte=starts[0], received_at__lte=now).values("pathway").annotate(
            n=Count("pk", filter=since), a=PercentileCont("to_feedback", 0.5, filter=since),
            b=PercentileCont("to_feedback", 0.9, filter=since)).order_by()
        for row in per_pathway:
            expected[row["pathway"]] = row
        for group, e in expected.items():
            got = found[(group, begin)]
            assert (got["n"], got[0.5], got[0.9]) == (e["n"], e["a"], e["b"]), (group, begin)
    assert found[(ALL, starts[-1])] == {"n": 0, 0.5: None, 0.9: None}
