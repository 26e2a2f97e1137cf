"""`manage.py clocks explain` and `clocks sweep`, run as the board would run them."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from pathways.deadlines import deadline_open, deadline_pause
from pathways.models import ClockPolicy, ClosureDay, Deadline

from .conftest import ldt

pytestmark = pytest.mark.django_db


def clocks(*args) -> str:
    out = StringIO()
    call_command("clocks", *args, stdout=out)
    return out.getvalue()


def test_explain_adult_referral_in_words():
    text = clocks(
        "explain",
        "--pathway",
        "oppd",
        "--received",
        "2026-05-22T18:00",
        "--decided",
        "2026-05-26T11:00",
    )
    assert text.startswith("Clocks for a referral to Older people and physical disabilities (OPPD)")
    assert "concern_decision: Concern decision" in text
    assert "  due:     2026-05-26T17:00:00+01:00  (Tue 26 May 2026 17:00 BST)" in text
    assert "  warning: 2026-05-26T15:00:00+01:00  (Tue 26 May 2026 15:00 BST)" in text
    assert "Mon 25 May 2026 (bank holiday: Spring Bank Holiday)" in text
    assert "enquiry: Section 42 enquiry" in text and "feedback: Feedback to the referrer" in text
    assert "rag:" not in text and "mash_decision" not in text


def test_explain_json_has_one_object_with_offsets():
    data = json.loads(
        clocks(
            "explain",
            "--pathway",
            "mash",
            "--received",
            "2026-03-27T16:00",
            "--rag",
            "amber",
            "--rated",
            "2026-03-27T16:30",
            "--decided",
            "2026-03-30T09:30",
            "--json",
        )
    )
    assert list(data) == ["clocks"]
    assert [c["kind"] for c in data["clocks"]] == ["mash_decision", "rag", "feedback"]
    assert all(
        set(c) == {"kind", "starts", "warning", "due", "explanation"} for c in data["clocks"]
    )
    decision, rag, feedback = data["clocks"]
    # Across the March clock change: GMT before, BST after, offsets included.
    assert decision["starts"] == "2026-03-27T16:00:00+00:00"
    assert decision["due"] == "2026-03-30T16:00:00+01:00"
    assert rag["due"] == "2026-03-30T16:30:00+01:00"
    assert "RAG rating: amber." in rag["explanation"]
    assert feedback["due"] == "2026-03-31T17:00:00+01:00"
    assert "the clocks changed on Sun 29 Mar 2026 (GMT to BST)" in decision["explanation"]


def test_explain_uses_the_councils_policies_and_closure_days():
    ClosureDay.objects.create(date="2026-12-24", name="Council closure day")
    ClockPolicy.objects.filter(pathway="learning-disabilities", kind="feedback").update(amount=2)
    data = json.loads(
        clocks(
            "explain",
            "--pathway",
            "learning-disabilities",
            "--received",
            "2026-12-23T18:00",
            "--decided",
            "2026-12-23T18:30",
            "--json",
        )
    )
    decision, enquiry, feedback = data["clocks"]
    assert decision["due"] == "2026-12-29T17:00:00+00:00"
    assert "Thu 24 Dec 2026 (council closure: Council closure day)" in decision["explanation"]
    assert feedback["due"] == "2026-12-30T17:00:00+00:00"  # 2nd working day after the 23rd


def test_explain_accepts_offsets_and_utc():
    data = json.loads(
        clocks("explain", "--pathway", "oppd", "--received", "2026-07-01T15:30:00Z", "--json")
    )
    assert data["clocks"][0]["starts"] == "2026-07-01T16:30:00+01:00"
    assert data["clocks"][0]["due"] == "2026-07-01T17:00:00+01:00"


@pytest.mark.parametrize(
    "args, message",
    [
        (["explain"], "Give a referral REFERENCE, or both --pathway and --received"),
        (["explain", "--pathway", "oppd"], "both --pathway and --received"),
        (["explain", "--pathway", "oppd", "--received", "tuesday"], "not an ISO 8601 time"),
        (
            ["explain", "--pathway", "oppd", "--received", "2026-03-29T01:30"],
            "does not exist in London",
        ),
        (
            ["explain", "--pathway", "oppd", "--received", "2026-10-25T01:30"],
            "happens twice in London",
        ),
        (
            [
                "explain",
                "--pathway",
                "oppd",
                "--received",
                "2026-03-02T10:00",
                "--rag",
                "red",
                "--rated",
                "2026-03-02T11:00",
            ],
            "only to the mash pathway",
        ),
        (
            ["explain", "--pathway", "mash", "--received", "2026-03-02T10:00", "--rag", "red"],
            "--rag and --rated go together",
        ),
        (
            [
                "explain",
                "--pathway",
                "mash",
                "--received",
                "2026-03-02T10:00",
                "--decided",
                "2026-03-01T10:00",
            ],
            "--decided cannot be before --received",
        ),
        (["explain", "NOPE1"], "no referral with the reference 'NOPE1'"),
        (["explain", "ABC", "--pathway", "oppd"], "either a referral REFERENCE"),
    ],
)
def test_explain_errors_are_specific(args, message):
    with pytest.raises(CommandError, match=message):
        clocks(*args)


def test_explain_an_existing_referral_is_audited(make_referral):
    referral = make_referral("oppd", urgent=True)
    deadline_open(referral=referral, kind="concern_decision", starts=ldt(2026, 3, 2, 10, 0))
    deadline_pause(
        referral=referral, kind="concern_decision", at=ldt(2026, 3, 2, 11, 0), reason="police"
    )
    text = clocks("explain", referral.reference.lower())
    assert f"Clocks for referral {referral.reference}" in text
    assert "status:  Paused since Mon 2 Mar 2026 11:00 GMT." in text
    assert "Paused since Mon 2 Mar 2026 11:00 GMT (Police investigation takes precedence)" in text
    data = json.loads(clocks("explain", referral.reference, "--json"))
    assert data["reference"] == referral.reference
    concern = data["clocks"][0]
    assert concern["kind"] == "concern_decision" and concern["due"] is None
    assert (
        AuditEvent.objects.filter(
            action="referral.clocks_explained", referral_id=referral.pk
        ).count()
        == 2
    )


def test_explain_flags_a_stored_time_the_calendar_no_longer_gives(make_referral):
    referral = make_referral("oppd")
    deadline_open(referral=referral, kind="feedback", starts=ldt(2026, 3, 2, 10, 0))
    ClosureDay.objects.create(date="2026-03-03", name="Council training day")
    text = clocks("explain", referral.reference)
    assert "Note: stored due time 2026-03-03T17:00:00+00:00 differs from today's calendar" in text


def test_sweep_command(make_referral, oppd_people):
    deadline_open(
        referral=make_referral("oppd"), kind="concern_decision", starts=ldt(2026, 3, 2, 10)
    )
    assert clocks("sweep", "--now", "2026-03-02T17:00") == (
        "warned 0, breached 1, urgent alerts 0, notices 4\n"
    )
    assert Deadline.objects.get().breached_at == ldt(2026, 3, 2, 17, 0)


def test_documented_example_is_what_the_command_prints():
    """The board reads this documentation: its example must stay the command's real output."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "docs" / "clocks.md").read_text()
    prompt = "$ python manage.py clocks explain --pathway oppd --received 2026-05-22T18:00\n"
    assert prompt in readme
    example = readme.split(prompt, 1)[1].split("```", 1)[0]
    assert example == clocks("explain", "--pathway", "oppd", "--received", "2026-05-22T18:00")


def test_explain_a_challenge_stage_and_a_consultation_call_back_from_their_policy_rows():
    """Issue 15: both clocks are policy rows; an administrator's change shows at once."""
    text = clocks("explain", "--pathway", "oppd", "--received", "2026-05-21T10:00",
                  "--challenged", "2026-05-22T18:00")
    assert "challenge: Response to a challenge (each tier)" in text
    # Friday 18:00 + 5 working days, skipping the weekend and the Spring Bank Holiday.
    assert "  due:     2026-06-01T17:00:00+01:00  (Mon 1 Jun 2026 17:00 BST)" in text
    ClockPolicy.objects.filter(pathway="mash", kind="consultation").update(amount=1)
    data = json.loads(clocks("explain", "--pathway", "mash", "--consulted", "2026-05-21T10:00",
                             "--json"))
    assert [c["kind"] for c in data["clocks"]] == ["consultation"]
    assert data["clocks"][0]["due"] == "2026-05-22T17:00:00+01:00"
