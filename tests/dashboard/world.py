"""The hand-computed world behind test_figures.py (and the browser test)."""

from . import factories as f
from .factories import london


def world_build() -> dict:
    food_bank = f.organisation("Peckham Food Bank", "voluntary")
    day_centre = f.organisation("Camberwell Day Centre", "voluntary")
    hospital = f.organisation("King's College Hospital", "health")
    housing = f.organisation("Southwark Housing", "housing")
    police = f.organisation("Met Police", "police")
    school = f.organisation("Bellenden Primary", "education")
    r = {}
    r[0] = f.referral(received_at=london(2026, 1, 15, 10), org=food_bank,
                      categories=["physical"], outcome="s42_met")
    # 23:30 BST on 31 March: March in London.
    r[1] = f.referral(received_at=london(2026, 3, 31, 23, 30), org=food_bank,
                      categories=["physical", "financial"], outcome="s42_met", status="enquiry")
    # 00:30 BST on 1 April is 23:30 UTC on 31 March: April in London.
    r[2] = f.referral(received_at=london(2026, 4, 1, 0, 30), pathway="learning-disabilities",
                      org=school, urgent=True, categories=["physical"])
    r[3] = f.referral(received_at=london(2026, 2, 15, 12), pathway="mash", org=hospital,
                      urgent=True, categories=["neglect"], outcome="early_help",
                      status="mash_decided", rag_rating="red")
    r[4] = f.referral(received_at=london(2026, 3, 10, 10), pathway="mental-health",
                      outcome="not_safeguarding", status="closed",
                      closed_at=london(2026, 3, 12, 10))
    # Thursday before Easter, after hours: the clock starts on Tuesday 7 April.
    r[5] = f.referral(received_at=london(2026, 4, 2, 18), org=housing, categories=["financial"],
                      outcome="concern_not_met", status="concern_decided")
    r[6] = f.referral(received_at=london(2026, 4, 17, 10), pathway="mash", org=police,
                      categories=["sexual"], status="rag_rated", rag_rating="green")
    r[7] = f.referral(received_at=london(2026, 4, 20, 9), org=day_centre)
    r[8] = f.referral(received_at=london(2026, 2, 2, 10), org=food_bank, categories=["neglect"],
                      outcome="s42_met", status="closed", closed_at=london(2026, 3, 4, 10))
    r[9] = f.referral(received_at=london(2026, 2, 5, 10), pathway="mental-health", org=hospital,
                      outcome="s42_met", status="enquiry")
    r[10] = f.referral(received_at=london(2026, 2, 9, 10), pathway="learning-disabilities",
                       outcome="s42_met", status="enquiry")

    # Concern decisions (adults): same working day.
    f.deadline(r[1], "concern_decision", starts_at=london(2026, 4, 1, 9),
               due_at=london(2026, 4, 1, 17), met_at=london(2026, 4, 1, 18))
    f.deadline(r[4], "concern_decision", starts_at=london(2026, 3, 10, 10),
               due_at=london(2026, 3, 10, 17), met_at=london(2026, 3, 10, 17))
    f.deadline(r[5], "concern_decision", starts_at=london(2026, 4, 7, 9),
               due_at=london(2026, 4, 7, 17), met_at=london(2026, 4, 7, 16))
    f.deadline(r[2], "concern_decision", starts_at=london(2026, 4, 1, 9),
               due_at=london(2026, 4, 1, 17))
    f.deadline(r[7], "concern_decision", starts_at=london(2026, 4, 20, 9),
               due_at=london(2026, 4, 20, 17))
    f.deadline(r[8], "concern_decision", starts_at=london(2026, 2, 2, 10),
               due_at=london(2026, 2, 2, 17), met_at=london(2026, 2, 2, 16))
    f.deadline(r[9], "concern_decision", starts_at=london(2026, 2, 5, 10),
               due_at=london(2026, 2, 5, 17), met_at=london(2026, 2, 6, 9))
    # MASH decisions: one working day (Friday to Monday for r6).
    f.deadline(r[3], "mash_decision", starts_at=london(2026, 2, 15, 12),
               due_at=london(2026, 2, 16, 12), met_at=london(2026, 2, 16, 11))
    f.deadline(r[6], "mash_decision", starts_at=london(2026, 4, 17, 10),
               due_at=london(2026, 4, 20, 10))
    # RAG: r3 rated amber, then re-rated red; r6 green with no event (falls back).
    f.event(r[3], "rag_rated", at=london(2026, 2, 15, 12, 30), detail={"rating": "amber"})
    f.deadline(r[3], "rag", starts_at=london(2026, 2, 15, 12, 30),
               due_at=london(2026, 2, 16, 12, 30), met_at=london(2026, 2, 15, 20))
    f.event(r[3], "rag_rated", at=london(2026, 2, 17, 9), detail={"rating": "red"})
    f.deadline(r[3], "rag", starts_at=london(2026, 2, 17, 9), due_at=london(2026, 2, 17, 13),
               met_at=london(2026, 2, 17, 14))
    f.deadline(r[6], "rag", starts_at=london(2026, 4, 17, 10), due_at=london(2026, 4, 20, 10),
               met_at=london(2026, 4, 17, 15))
    # Enquiries: within one month, within two, neither (and still open).
    f.event(r[1], "status", at=london(2026, 4, 1, 18), to_status="enquiry")
    f.event(r[8], "status", at=london(2026, 2, 3, 10), to_status="enquiry")
    f.deadline(r[8], "enquiry", starts_at=london(2026, 2, 3, 10), due_at=london(2026, 4, 3, 10),
               met_at=london(2026, 3, 3, 9))
    f.deadline(r[9], "enquiry", starts_at=london(2026, 2, 5, 10), due_at=london(2026, 4, 5, 10),
               met_at=london(2026, 3, 20, 10))
    f.deadline(r[10], "enquiry", starts_at=london(2026, 2, 9, 10),
               due_at=london(2026, 4, 9, 10))
    # A paused overdue clock is not an open breach.
    f.deadline(r[10], "feedback", starts_at=london(2026, 2, 9, 10),
               due_at=london(2026, 2, 10, 10), paused_at=london(2026, 2, 9, 12))

    # Feedback.
    f.feedback(r[3], given_at=london(2026, 2, 16, 11, 30))
    f.notice(r[3], channel="email", sent_at=london(2026, 2, 16, 11, 30))
    f.notice(r[3], channel="portal", sent_at=london(2026, 2, 16, 11, 30))
    f.feedback(r[8], given_at=london(2026, 2, 3, 12))
    f.feedback(r[8], given_at=london(2026, 3, 4, 10), kind="closure")
    f.notice(r[8], channel="notify", sent_at=london(2026, 2, 3, 12))
    f.notice(r[8], channel="portal", sent_at=None)
    f.feedback(r[9], given_at=london(2026, 2, 6, 10), by_phone=True)
    f.feedback(r[10], given_at=None)
    f.notice(r[10], channel="email", sent_at=london(2026, 2, 10, 10), kind="breach:feedback")
    f.feedback(r[1], given_at=london(2026, 4, 1, 18, 30))
    f.notice(r[1], channel="email", sent_at=london(2026, 4, 1, 18, 30))
    f.feedback(r[5], given_at=london(2026, 4, 8, 10), by_phone=True)
    f.notice(r[5], channel="portal", sent_at=london(2026, 4, 8, 10))
    return r
