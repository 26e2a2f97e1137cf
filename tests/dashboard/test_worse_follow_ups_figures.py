"""The "things have got worse" and "follow-ups handed to a colleague" figures against
hand-computed data, everything made through the services (submit, worsen, the outbox worker,
the lead handing a follow-up on).

Things have got worse, 12 months to Friday 20 November 2026:
- OPPD (Camberwell Day Centre, voluntary): a report on Tuesday 6 October at 13:00 (in hours);
  one on Saturday 10 October at 23:00 (out of hours, the EDT emailed and the email sent); one on
  Saturday 17 October at 23:00 (out of hours, the EDT's email failed: not counted as emailed).
- MASH (King's College Hospital, health): one on Saturday 10 October at 23:00 with no EDT
  address set (out of hours, not emailed).
- OPPD, June 2025: outside the window.
So OPPD 3 reports, 2 out of hours, 1 emailed, 1 not; MASH 1, 1, 0, 1; all 4, 3, 1, 2.

Follow-ups handed on: the day centre's lead hands referral A to a colleague and back to the
referrer (2 hand-overs, 1 referral) and referral B to the colleague (1); the hospital's lead
hands C on once. Health 1 hand-over on 1 referral; voluntary 3 on 2; all 4 on 3.
"""

from datetime import UTC, datetime

import pytest
from django.test.utils import override_settings

from core.vocabulary import Role
from dashboard.figures import SLUGS, Context, sections_for, table_for
from dashboard.scope import Scope
from feedback.followup import referral_follow_up_pass
from feedback.worse import referral_worsen
from outbox.models import Notice, NoticeStatus
from outbox.send import notice_send_now, notices_send_now
from tests.factories.accounts import LeadFactory, OrganisationFactory, ReferrerFactory
from tests.factories.referrals import referral_with

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
RECEIVED = datetime(2026, 10, 5, 10, 0, tzinfo=UTC)  # a Monday
TUESDAY = datetime(2026, 10, 6, 12, 0, tzinfo=UTC)  # 13:00 BST: in hours
SATURDAY = datetime(2026, 10, 10, 22, 0, tzinfo=UTC)  # 23:00 BST: out of hours
NEXT_SATURDAY = datetime(2026, 10, 17, 22, 0, tzinfo=UTC)
OLD = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)
EDT = "edt@council.example.gov.uk"
BASE = {"grain": "month", "months": 12, "pathway": None, "sector": None, "category": None,
        "urgency": None}


def _send_edt(*, now, fail=False):
    """The outbox worker sends the EDT's pending emails (the mail server down when `fail`)."""
    ids = list(Notice.objects.filter(kind="worsened_edt", status=NoticeStatus.PENDING)
               .values_list("pk", flat=True))
    if not fail:
        notices_send_now(ids, now=now)
        return
    with override_settings(EMAIL_BACKEND="tests.feedback.backends.DownBackend"):
        for pk in ids:
            while notice_send_now(pk, now=now) is not None:
                pass


@pytest.fixture
def world(settings):
    day_centre = OrganisationFactory(name="Camberwell Day Centre", sector="voluntary")
    hospital = OrganisationFactory(name="King's College Hospital", sector="health")
    volunteer = ReferrerFactory(organisation=day_centre)
    colleague = ReferrerFactory(organisation=day_centre)
    nurse, nurse_colleague = (ReferrerFactory(organisation=hospital),
                              ReferrerFactory(organisation=hospital))
    day_lead, hospital_lead = (LeadFactory(organisation=day_centre),
                               LeadFactory(organisation=hospital))

    def worsened(referrer, pathway, at, received=RECEIVED):
        referral = referral_with(referrer, pathway=pathway, received_at=received)
        referral_worsen(referral=referral, actor=referrer, what_changed="Worse", now=at)
        return referral

    settings.EMERGENCY_DUTY_TEAM_EMAIL = EDT
    worsened(volunteer, "oppd", TUESDAY)
    worsened(volunteer, "oppd", SATURDAY)
    _send_edt(now=SATURDAY)
    worsened(volunteer, "oppd", NEXT_SATURDAY)
    _send_edt(now=NEXT_SATURDAY, fail=True)
    worsened(volunteer, "oppd", datetime(2025, 6, 7, 22, 0, tzinfo=UTC), received=OLD)
    settings.EMERGENCY_DUTY_TEAM_EMAIL = ""
    worsened(nurse, "mash", SATURDAY)

    a, b = (referral_with(volunteer, received_at=RECEIVED) for _ in range(2))
    c = referral_with(nurse, pathway="mash", received_at=RECEIVED)
    referral_follow_up_pass(referral=a, actor=day_lead, colleague_id=colleague.pk, now=TUESDAY)
    referral_follow_up_pass(referral=a, actor=day_lead, colleague_id=volunteer.pk, now=SATURDAY)
    referral_follow_up_pass(referral=b, actor=day_lead, colleague_id=colleague.pk, now=TUESDAY)
    referral_follow_up_pass(referral=c, actor=hospital_lead, colleague_id=nurse_colleague.pk,
                            now=TUESDAY)
    # Out of the window: handed on after `now`.
    referral_follow_up_pass(referral=c, actor=hospital_lead, colleague_id=nurse.pk,
                            now=datetime(2026, 11, 21, 9, 0, tzinfo=UTC))
    return day_centre


def _ctx(scope=None, **filters):
    return Context(scope=scope or Scope(role=Role.COUNCIL_ADMIN), filters={**BASE, **filters},
                   now=NOW)


OPPD = ["Older people and physical disabilities (OPPD)", 3, 2, 1, 1]
MASH = ["Children (MASH)", 1, 1, 0, 1]


def test_things_got_worse_by_pathway_in_and_out_of_hours(world):
    table = SLUGS["worse"](_ctx())
    assert table.rows == [OPPD, MASH, ["All pathways", 4, 3, 1, 2]]
    svg = str(table.chart)
    for label in ("In working hours", "Out of hours, EDT emailed",
                  "Out of hours, not emailed"):
        assert label in svg
    # 18 months back takes in June 2025's report (out of hours, the EDT emailed, still pending).
    assert SLUGS["worse"](_ctx(months=18)).rows[0] == [OPPD[0], 4, 3, 2, 1]


def test_things_got_worse_narrowed_by_scope_and_filters(world):
    manager = Scope(role=Role.TEAM_MANAGER, pathway="mash", team_name="MASH")
    assert SLUGS["worse"](_ctx(manager)).rows == [MASH, ["All pathways", *MASH[1:]]]
    assert SLUGS["worse"](_ctx(sector="voluntary")).rows == [OPPD, ["All pathways", *OPPD[1:]]]
    lead = Scope(role=Role.ORGANISATION_LEAD, organisation_id=world.pk,
                 organisation_name=world.name)
    assert table_for(_ctx(lead), "worse").rows[0] == OPPD  # the referrer's side: a lead's too


def test_follow_ups_handed_on_by_sector(world):
    assert SLUGS["follow-ups"](_ctx()).rows == [
        ["Health", 1, 1], ["Voluntary and community", 3, 2], ["All sectors", 4, 3]]
    assert SLUGS["follow-ups"](_ctx(pathway="mash")).rows == [
        ["Health", 1, 1], ["All sectors", 1, 1]]


def test_follow_ups_are_a_staff_figure_and_worse_sits_with_the_challenges(world):
    lead = Scope(role=Role.ORGANISATION_LEAD, organisation_id=world.pk,
                 organisation_name=world.name)
    assert table_for(_ctx(lead), "follow-ups") is None
    slugs = {s["slug"]: [t.slug for t in s["tables"]] for s in sections_for(_ctx(lead))}
    assert "follow-ups" not in slugs["feedback"] and slugs["challenges"] == ["challenges", "worse"]
    staff = {s["slug"]: [t.slug for t in s["tables"]] for s in sections_for(_ctx())}
    assert staff["feedback"][-1] == "follow-ups"
