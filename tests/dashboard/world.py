"""The hand-computed world behind test_figures.py, test_views.py, test_incremental.py and the
dashboard browser test, built through the real services at chosen times (issue 13, part 5):
each referral is submitted at its `received_at` (the clock engine sets every due time), then
rated, decided, planned and closed by its team, and the outbox worker sends its notices, at
the times below; the sweep runs at `now`. Nothing is written by hand.

Who hears how: a referrer who chose "portal and email" gets a portal notice and an email for
each feedback, and the email going out is what gives the feedback (`outbox.send`); a referrer
who chose "phone only" gets a portal notice and is phoned (`feedback_give_by_phone`). r8's
emails go by GOV.UK Notify: its client is faked at the HTTP boundary (tests/feedback/
fake_notify.py), Notify being outside our system.

Times are London. Easter 2026: Good Friday 3 April and Easter Monday 6 April are bank holidays.

| r  | received           | pathway | organisation (sector)     | what happens |
|----|--------------------|---------|---------------------------|--------------|
| 0  | Thu 15 Jan 10:00   | OPPD    | Peckham Food Bank (vol)   | s42 met 15 Jan 11:00, emailed 11:00; plan 10 Feb |
| 1  | Tue 31 Mar 23:30   | OPPD    | Peckham Food Bank (vol)   | s42 met Wed 1 Apr 18:00 (due 17:00: late), emailed 18:30 |
| 2  | Wed 1 Apr 00:30    | LD      | Bellenden Primary (edu)   | urgent; nothing done (concern due 1 Apr 17:00) |
| 3  | Sun 15 Feb 12:00   | MASH    | King's College Hosp (hea) | urgent; amber 12:30; red Mon 16 Feb 06:00 (due 10:00); early help 11:00, emailed 11:30 |
| 4  | Tue 10 Mar 10:00   | MH      | Southwark Carers (other)  | closed 12 Mar 10:00 before a decision; the closure email fails |
| 5  | Thu 2 Apr 18:00    | OPPD    | Southwark Housing (hou)   | phone only; not met Tue 7 Apr 16:00; phoned Wed 8 Apr 10:00 |
| 6  | Fri 17 Apr 10:00   | MASH    | Met Police (police)       | rated green at once; no decision (due Mon 20 Apr 10:00) |
| 7  | Mon 20 Apr 09:00   | OPPD    | Camberwell Day Centre (vol)| nothing yet (due 17:00) |
| 8  | Mon 2 Feb 10:00    | OPPD    | Peckham Food Bank (vol)   | s42 met 16:00 (Notify), sent Tue 3 Feb 12:00; plan Mon 2 Mar 09:00; closed Wed 4 Mar 10:00, sent 10:00 |
| 9  | Thu 5 Feb 10:00    | MH      | King's College Hosp (hea) | phone only; s42 met Fri 6 Feb 09:00 (late); phoned 10:00; plan Fri 20 Mar 10:00 |
| 10 | Mon 9 Feb 10:00    | LD      | Southwark Carers (other)  | phone only; s42 met 18:00 (late); feedback clock paused 19:00, never phoned |
"""

from django.db import transaction
from django.test.utils import override_settings

from core.vocabulary import Outcome
from outbox.models import Channel, Notice, NoticeStatus
from outbox.send import notice_send_now, notices_send_now
from pathways.deadlines import deadline_pause
from tests.factories import triage
from tests.factories.feedback import give_by_phone, sweep
from tests.factories.referrals import referral_with
from tests.feedback.fake_notify import API_KEY, TEMPLATE_ID, FakeNotify

from . import factories as f
from .factories import london

NOW = london(2026, 4, 20, 12, 0)
PHONE = {"feedback_preference": "phone_only"}


def send(referral, *, now) -> None:
    """What the worker does after the change commits: send this referral's pending notices."""
    ids = list(Notice.objects.filter(referral=referral, status=NoticeStatus.PENDING)
               .order_by("pk").values_list("pk", flat=True))
    if ids:
        notices_send_now(ids, now=now)


def send_failing(referral, *, now) -> None:
    """The mail server refuses until the outbox gives up: the emails end FAILED (unsent)."""
    for notice in Notice.objects.filter(referral=referral, status=NoticeStatus.PENDING):
        if notice.channel == Channel.PORTAL:
            notices_send_now([notice.pk], now=now)
            continue
        with override_settings(EMAIL_BACKEND="tests.feedback.backends.DownBackend"):
            while notice_send_now(notice.pk, now=now) is not None:
                pass


class _Notify:
    """GOV.UK Notify configured, its API faked on loopback (the real client talks HTTP)."""

    def __enter__(self):
        self.fake = FakeNotify().start()
        self.settings = override_settings(NOTIFY_API_KEY=API_KEY, NOTIFY_TEMPLATE_ID=TEMPLATE_ID,
                                          NOTIFY_BASE_URL=self.fake.url,
                                          NOTIFY_TIMEOUT_SECONDS=5)
        self.settings.enable()
        return self.fake

    def __exit__(self, *exc):
        self.settings.disable()
        self.fake.stop()


def world_build() -> dict:
    food_bank = f.referrer(f.organisation("Peckham Food Bank", "voluntary"))
    day_centre = f.referrer(f.organisation("Camberwell Day Centre", "voluntary"))
    hospital = f.referrer(f.organisation("King's College Hospital", "health"))
    housing = f.referrer(f.organisation("Southwark Housing", "housing"))
    police = f.referrer(f.organisation("Met Police", "police"))
    school = f.referrer(f.organisation("Bellenden Primary", "education"))
    carers = f.referrer(f.organisation("Southwark Carers", "other"))
    r = {}

    # January (outside the three-month window; in the trend and the 24-month window).
    r[0] = referral_with(food_bank, received_at=london(2026, 1, 15, 10), categories=["physical"])
    triage.decide(r[0], Outcome.S42_MET, now=london(2026, 1, 15, 11))
    send(r[0], now=london(2026, 1, 15, 11))
    # February.
    r[8] = referral_with(food_bank, received_at=london(2026, 2, 2, 10), categories=["neglect"])
    with _Notify():
        triage.decide(r[8], Outcome.S42_MET, now=london(2026, 2, 2, 16))
        send(r[8], now=london(2026, 2, 3, 12))
    r[9] = referral_with(hospital, pathway="mental-health", received_at=london(2026, 2, 5, 10),
                         categories=["neglect"], **PHONE)
    triage.decide(r[9], Outcome.S42_MET, now=london(2026, 2, 6, 9))
    send(r[9], now=london(2026, 2, 6, 9))
    give_by_phone(r[9], now=london(2026, 2, 6, 10))
    r[10] = referral_with(carers, pathway="learning-disabilities",
                          received_at=london(2026, 2, 9, 10), categories=["neglect"],
                          **PHONE)
    triage.decide(r[10], Outcome.S42_MET, now=london(2026, 2, 9, 18))
    send(r[10], now=london(2026, 2, 9, 18))
    with transaction.atomic():
        deadline_pause(referral=r[10], kind="feedback", at=london(2026, 2, 9, 19),
                       reason="police", actor=triage.worker(r[10]))
    triage.plan(r[0], now=london(2026, 2, 10, 10))
    r[3] = referral_with(hospital, pathway="mash", received_at=london(2026, 2, 15, 12),
                         urgent=True, categories=["neglect"])
    triage.rag_rate(r[3], "amber", now=london(2026, 2, 15, 12, 30))
    triage.rag_rate(r[3], "red", now=london(2026, 2, 16, 6))
    r[3].refresh_from_db()
    triage.decide(r[3], Outcome.EARLY_HELP, now=london(2026, 2, 16, 11))
    send(r[3], now=london(2026, 2, 16, 11, 30))
    # March.
    triage.plan(r[8], now=london(2026, 3, 2, 9))
    r[8].refresh_from_db()
    triage.close(r[8], now=london(2026, 3, 4, 10))
    send(r[8], now=london(2026, 3, 4, 10))
    r[4] = referral_with(carers, pathway="mental-health", received_at=london(2026, 3, 10, 10),
                         categories=["neglect"])
    triage.close(r[4], now=london(2026, 3, 12, 10))
    send_failing(r[4], now=london(2026, 3, 12, 10))
    triage.plan(r[9], now=london(2026, 3, 20, 10))
    # 23:30 BST on 31 March: March in London.
    r[1] = referral_with(food_bank, received_at=london(2026, 3, 31, 23, 30),
                         categories=["physical", "financial"])
    # April. 00:30 BST on 1 April is 23:30 UTC on 31 March: April in London.
    r[2] = referral_with(school, pathway="learning-disabilities",
                         received_at=london(2026, 4, 1, 0, 30), urgent=True,
                         categories=["physical"])
    triage.decide(r[1], Outcome.S42_MET, now=london(2026, 4, 1, 18))
    send(r[1], now=london(2026, 4, 1, 18, 30))
    # Thursday before Easter, after hours: the clock runs to Tuesday 7 April 17:00.
    r[5] = referral_with(housing, received_at=london(2026, 4, 2, 18), categories=["financial"],
                         **PHONE)
    triage.decide(r[5], Outcome.CONCERN_NOT_MET, now=london(2026, 4, 7, 16))
    send(r[5], now=london(2026, 4, 7, 16))
    give_by_phone(r[5], now=london(2026, 4, 8, 10))
    r[6] = referral_with(police, pathway="mash", received_at=london(2026, 4, 17, 10),
                         categories=["sexual"])
    triage.rag_rate(r[6], "green", now=london(2026, 4, 17, 10))
    r[7] = referral_with(day_centre, received_at=london(2026, 4, 20, 9), categories=["neglect"])
    sweep(now=NOW)
    for key, referral in r.items():
        referral.refresh_from_db()
        r[key] = referral
    return r
