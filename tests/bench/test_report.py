"""The bench table says "not available: <why>" for a missing feature, never a number."""

from bench.report import Report, Row


def test_a_missing_feature_prints_its_reason_and_no_ratio():
    report = Report(rows=[Row("queue p95 / minimal", "<= 3", unavailable="no triage:queue")])

    text = report.render()

    assert "not available: no triage:queue" in text
    assert report.rows[0].verdict == "-"


def test_verdicts_follow_the_direction_of_the_target():
    assert Row("a", "<= 3", ratio=2.9).verdict == "met"
    assert Row("a", "<= 3", ratio=3.1).verdict == "MISSED"
    assert Row("b", ">= 0.4", ratio=0.3).verdict == "MISSED"
    assert Row("b", ">= 0.4", ratio=0.5).verdict == "met"
    # A sweep fast enough whose second run still changed rows is not met.
    assert Row("c", "<= 3", ratio=1.0, extra_ok=False).verdict == "MISSED"
