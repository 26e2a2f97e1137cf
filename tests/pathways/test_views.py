# The clocks page (triage/clock_views.py) with the clock fixtures of this folder.
"""The staff clocks page: see why, pause with a reason, resume; team staff only, audited."""

import pytest
from guardian.shortcuts import assign_perm

from audit.models import AuditEvent
from pathways.deadlines import deadline_open
from pathways.models import ClockPause, Deadline

from .conftest import ldt

pytestmark = pytest.mark.django_db


@pytest.fixture
def granted(make_referral, teams):
    """A referral as submission leaves it: its team's group may view and triage it."""

    def make(pathway="oppd", **extra):
        referral = make_referral(pathway, **extra)
        for perm in ("referrals.view_referral", "referrals.triage_referral"):
            assign_perm(perm, teams[pathway].group, referral)
        deadline_open(
            referral=referral,
            kind="concern_decision" if pathway != "mash" else "mash_decision",
            starts=ldt(2026, 3, 2, 10, 0),
        )
        return referral

    return make


def url(referral):
    return f"/clocks/referral/{referral.pk}/"


def test_team_staff_see_each_clock_and_why(client, granted, oppd_people):
    referral = granted("oppd")
    client.force_login(oppd_people["worker"])
    response = client.get(url(referral))
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Referral {referral.reference}" in body and "Concern decision" in body
    assert "It starts on a working day before 17:00, so it is due that day." in body
    assert "Overdue" in body  # 2 March 2026 has passed
    assert "Alex" not in body  # the person's name is not needed here
    event = AuditEvent.objects.get(action="referral.clocks_viewed")
    assert (event.referral_id, event.actor) == (referral.pk, oppd_people["worker"])


def test_other_teams_and_referrers_are_refused_and_audited(client, granted, staff_member, referrer):
    referral = granted("oppd")
    for person in (staff_member("mash", "manager"), referrer):
        client.force_login(person)
        assert client.get(url(referral)).status_code == 404
        assert client.post(url(referral), {"reason": "police"}).status_code == 404
    assert not ClockPause.objects.exists()
    refused = AuditEvent.objects.filter(action="access.refused", referral_id=referral.pk)
    assert refused.count() == 4 and not refused.filter(allowed=True).exists()
    client.logout()
    assert client.get(url(referral)).status_code == 302  # to sign in


def test_pause_needs_a_reason_and_keeps_what_was_typed(client, granted, oppd_people):
    referral = granted("oppd")
    client.force_login(oppd_people["worker"])
    response = client.post(url(referral), {"kind": "concern_decision", "note": "DC Patel, 4512"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and "Select why the clock is paused" in body
    assert "DC Patel, 4512" in body
    response = client.post(url(referral), {"kind": "concern_decision", "reason": "other"})
    assert "Explain why the clock is paused" in response.content.decode()
    assert not ClockPause.objects.exists()


def test_pause_then_resume(client, granted, oppd_people):
    referral = granted("oppd")
    worker = oppd_people["worker"]
    client.force_login(worker)
    response = client.post(
        url(referral), {"kind": "concern_decision", "reason": "police", "note": "DC Patel"}
    )
    assert response.status_code == 302 and response.headers["Location"] == url(referral)
    pause = ClockPause.objects.get()
    assert (pause.reason, pause.note, pause.paused_by) == ("police", "DC Patel", worker)
    page = client.get(url(referral)).content.decode()
    assert "The concern decision clock is paused." in page
    assert (
        "Police investigation takes precedence" in page
        and "Resume the concern decision clock" in page
    )
    assert "Pause a clock" not in page  # nothing left to pause
    response = client.post(f"{url(referral)}resume/", {"kind": "concern_decision"})
    assert response.status_code == 302
    deadline = Deadline.objects.get(referral=referral)
    assert deadline.paused_at is None and deadline.pauses.get().resumed_by == worker
    assert "The concern decision clock has resumed." in client.get(url(referral)).content.decode()
    assert {"deadline.paused", "deadline.resumed"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )


def test_resume_without_a_pause_says_so(client, granted, oppd_people):
    referral = granted("oppd")
    client.force_login(oppd_people["worker"])
    response = client.post(f"{url(referral)}resume/", {"kind": "concern_decision"}, follow=True)
    assert "There is no paused concern decision clock to resume." in response.content.decode()
    assert client.get(f"{url(referral)}resume/").status_code == 405
