"""Demo referrals in every state of the life cycle, made through the real transition services
(so each has its timeline, audit rows, feedback owed and clocks). Idempotent: a second run
changes nothing. Needs accounts.demo.demo_people_ensure() first."""

import copy
from dataclasses import replace
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import TeamMembership, User
from core.vocabulary import Outcome, Pathway, S42Criterion
from directory.demo import demo_services_ensure
from directory.models import Service
from outbox.models import Notice, NoticeStatus
from outbox.send import notices_send_now
from referrals.demo import DEMOS, demo_referral_build
from referrals.models import DutyState, Referral
from referrals.services.duties import referral_duty_record
from triage import transitions as t
from triage.transitions import Feedback

from . import services

KEY = "triage-"  # answers["demo_key"] of the referrals made here
# The answers the demo referrals give, one set per pathway: each row below changes the person.
ANSWERS = {answers["pathway"]["pathway"]: answers for _, _, _, answers in DEMOS}
SIGNPOST = Feedback(
    outcome_text="This is not a safeguarding concern.",
    reason="There is no sign of abuse or neglect; she wants help with shopping and bills.",
    signposting="Age UK Lewisham and Southwark: 020 8690 3320. Southwark Carers: 020 7708 4497.",
)
TOLD = Feedback(outcome_text="This is a safeguarding concern and we are acting on it.",
                reason="The concern meets the threshold for a safeguarding response.")
WITHHELD = Feedback(withheld=True, withheld_reason="police_investigation")

# (key, pathway, urgent, hours ago, person name, date of birth, postcode, categories)
PEOPLE = [
    ("new-urgent", "oppd", True, 2, "Margaret Ellison", date(1941, 3, 27), "SE5 8AA",
     ["neglect", "self_neglect"]),
    ("new-overdue", "oppd", False, 30, "Thomas Adeyemi", date(1938, 11, 2), "SE15 4QL",
     ["financial"]),
    ("info", "oppd", False, 5, "Rose Whitfield", date(1950, 6, 14), "SE17 1RT",
     ["psychological"]),
    ("not-concern", "oppd", False, 50, "Harold Brennan", date(1944, 1, 9), "SE22 8HF",
     ["self_neglect"]),
    ("enquiry", "oppd", True, 80, "Patricia Nwosu", date(1936, 9, 30), "SE1 6LN",
     ["physical", "organisational"]),
    ("plan", "oppd", False, 400, "Edward Lowe", date(1947, 4, 4), "SE16 2XU", ["financial"]),
    ("closed", "oppd", False, 700, "Joan Mitchell", date(1939, 12, 12), "SE21 7BQ",
     ["neglect"]),
    ("withdrawn", "oppd", False, 3, "Arthur Kemp", date(1952, 2, 20), "SE24 0PT",
     ["discriminatory"]),
    ("duplicate", "oppd", False, 1, "Margret Elison", date(1941, 3, 27), "SE5 8AA",
     ["neglect"]),
    ("linked", "oppd", False, 6, "Margaret Ellison", date(1941, 3, 27), "SE5 8AA",
     ["psychological"]),
    ("rerouted", "oppd", True, 1, "Kai Robinson", date(date.today().year - 15, 1, 15),
     "SE15 5DQ", ["physical"]),
    ("mh-new", "mental-health", True, 1, "Leon Fraser", date(1990, 8, 8), "SE5 9RS",
     ["self_neglect"]),
    ("mh-not-met", "mental-health", False, 26, "Ayesha Rahman", date(1985, 5, 1), "SE14 6TY",
     ["psychological"]),
    ("ld-new", "learning-disabilities", False, 4, "Daniel Price", date(1999, 10, 19),
     "SE8 3JD", ["financial", "psychological"]),
    ("ld-enquiry", "learning-disabilities", True, 30, "Sophie Turner", date(2001, 7, 7),
     "SE1 7PB", ["sexual"]),
    ("mash-new", "mash", True, 1, "Jayden Cole", date(2016, 4, 12), "SE15 3HW", ["physical"]),
    ("mash-red", "mash", True, 3, "Amara Osei", date(2012, 1, 25), "SE5 7QT", ["neglect"]),
    ("mash-decided", "mash", False, 40, "Lily Hughes", date(2010, 9, 3), "SE22 9EX",
     ["emotional"]),
    ("mash-closed", "mash", False, 300, "Noah Bennett", date(2014, 2, 14), "SE4 1UN",
     ["neglect"]),
    # Issue 16, part 4: referrals that trigger parallel duties (added last, so the references
    # of the rows above stay as they were). Domestic abuse with the risk checklist above the
    # MARAC threshold (recorded as done below), and radicalisation for an adult (Prevent).
    ("oppd-marac", "oppd", False, 20, "Denise Okafor", date(1955, 5, 17), "SE5 0HF",
     ["domestic", "physical"]),
    ("mh-prevent", "mental-health", False, 28, "Ryan Mercer", date(1998, 2, 11), "SE15 2NE",
     ["radicalisation"]),
]
# The domestic abuse risk checklist the rows above answer (referrals.demo.COMMON's, a medium
# risk, otherwise): 16 'yes' answers, at or above the MARAC threshold (14).
RISK_CHECKLISTS = {
    "oppd-marac": {**{f"risk_{n}": "yes" if n <= 16 else "no" for n in range(1, 25)},
                   "risk_judgement": "yes"},
}


def _make(index, key, pathway, urgent, hours, name, dob, postcode, categories, referrer, now):
    """Submitted by the demo referrer through every form and the submission service, as at
    `hours` ago: routing, permissions, acknowledgement and the decision clock are the
    portal's own (issue 20), not rows written here."""
    answers = copy.deepcopy(ANSWERS[Pathway.MASH if pathway == Pathway.MASH else pathway])
    answers["person"] = {"person_name": name, "age_known": "dob", "person_dob_0": str(dob.day),
                         "person_dob_1": str(dob.month), "person_dob_2": str(dob.year),
                         "person_gender": "unknown"}
    answers["pathway"] = {"pathway": pathway}
    answers["contact"] = {"person_address": f"{index} Demo Street, London",
                          "person_postcode": postcode, "safe_to_contact": "yes",
                          "interpreter": "no", "person_aware": "yes"}
    answers["concern"] = {**answers["concern"], "categories": categories,
                          "what_happened": f"Demo referral: {key.replace('-', ' ')}."}
    if key in RISK_CHECKLISTS:
        answers["risk-checklist"] = RISK_CHECKLISTS[key]
    return demo_referral_build(referrer, f"{KEY}{key}", urgent, answers, submit=True,
                               now=now - timedelta(hours=hours))


def _send_pending(referral_id: int) -> None:
    """What the worker does after commit: send the referral's notices, so the decision's
    feedback is given before the demo closes it (closure waits for owed feedback)."""
    notices_send_now(Notice.objects.filter(referral_id=referral_id, status=NoticeStatus.PENDING)
                     .values_list("pk", flat=True))


ALL_MET = {name: "met" for name in S42Criterion.values}


def _criteria(care_needs: str, abuse: str, unable_to_protect: str) -> dict:
    return dict(zip(S42Criterion.values, (care_needs, abuse, unable_to_protect), strict=True))


def _services(*source_ids: str) -> tuple[int, ...]:
    return tuple(Service.objects.filter(source_id__in=source_ids).values_list("pk", flat=True))


@transaction.atomic
def demo_triage_ensure() -> int:
    """Referrals in every state. Returns how many demo referrals exist."""
    demo_services_ensure()  # the directory staff signpost to (issue 15 item 6)
    # The referral work's downloads and the referrer pages check guardian through the user's
    # groups: demo staff belong to their team's group.
    for membership in TeamMembership.objects.select_related("team", "user"):
        membership.user.groups.add(membership.team.group)
    existing = Referral.objects.filter(answers__demo_key__startswith=KEY).count()
    if existing:
        return existing
    referrer = User.objects.get(email="referrer@camberwell-daycentre.example.org")
    staff = {p: User.objects.get(email=f"triage.{p}@council.example.gov.uk")
             for p in Pathway.every()}
    managers = {p: User.objects.get(email=f"manager.{p}@council.example.gov.uk")
                for p in staff}
    now = timezone.now()
    made = {row[0]: _make(i, *row, referrer=referrer, now=now)
            for i, row in enumerate(PEOPLE, start=1)}
    w, m = staff["oppd"], managers["oppd"]

    def pk(key):
        return made[key].pk

    services.referral_claim(referral_id=pk("new-overdue"), actor=w)
    t.referral_info_request(referral_id=pk("info"), actor=w,
                            question="Does she have family nearby who visit?")
    t.referral_decide(referral_id=pk("not-concern"), actor=w, outcome=Outcome.NOT_SAFEGUARDING,
                      detail="signposted",
                      feedback=replace(SIGNPOST, services=_services("demo-0001-carers",
                                                                    "demo-0003-befriending")),
                      criteria=_criteria("met", "not_met", "not_known"))
    t.referral_decide(referral_id=pk("enquiry"), actor=w, outcome=Outcome.S42_MET,
                      detail="council", feedback=TOLD, criteria=ALL_MET)
    t.referral_decide(referral_id=pk("plan"), actor=w, outcome=Outcome.S42_MET,
                      detail="police", feedback=WITHHELD, criteria=ALL_MET)
    t.referral_plan(referral_id=pk("plan"), actor=w, reason="Enquiry complete.")
    t.referral_decide(referral_id=pk("closed"), actor=w, outcome=Outcome.S42_MET,
                      detail="caused", feedback=TOLD, criteria=ALL_MET)
    _send_pending(pk("closed"))
    t.referral_close(referral_id=pk("closed"), actor=m, reason="Plan reviewed; risk reduced.",
                     msp_outcome="fully",
                     feedback=Feedback(outcome_text="The enquiry is finished and the referral "
                                                    "is closed.",
                                       reason="The risk has reduced and she is safe.",
                                       signposting="If you are worried again, call "
                                                   "020 7525 3324."))
    t.referral_withdraw(referral_id=pk("withdrawn"), actor=referrer,
                        reason="Sent for the wrong person.")
    t.referral_merge(referral_id=pk("duplicate"), actor=w, other_id=pk("new-urgent"),
                     reason="Same person, name misspelt.",
                     feedback=Feedback(outcome_text="Your referral has been joined with "
                                                    "another about the same person.",
                                       reason="We will tell you about every decision."))
    # Link and merge stay inside the actor's team (referrals.access.may_link).
    t.referral_link(referral_id=pk("linked"), actor=w, other_id=pk("new-urgent"),
                    reason="Same person; a second concern about her from another visit.")
    t.referral_reroute(referral_id=pk("rerouted"), actor=w, pathway="mash",
                       reason="The young person is 15: a MASH referral.")
    t.referral_decide(referral_id=pk("mh-not-met"), actor=staff["mental-health"],
                      outcome=Outcome.CONCERN_NOT_MET, detail="care_assessment",
                      feedback=replace(TOLD, services=_services("demo-0102-mental-health")),
                      criteria=_criteria("met", "met", "not_met"))
    ld = staff["learning-disabilities"]
    t.referral_decide(referral_id=pk("ld-enquiry"), actor=ld, outcome=Outcome.S42_MET,
                      detail="council", feedback=TOLD, criteria=ALL_MET)
    mash = staff["mash"]
    t.referral_rag_rate(referral_id=pk("mash-red"), actor=mash, rating="amber")
    t.referral_rag_rate(referral_id=pk("mash-red"), actor=mash, rating="red",
                        reason="School reports new bruising.")
    for key, outcome, level in (("mash-decided", Outcome.EARLY_HELP, "level-2"),
                                ("mash-closed", Outcome.NFA, "level-1")):
        t.referral_rag_rate(referral_id=pk(key), actor=mash, rating="green")
        t.referral_decide(referral_id=pk(key), actor=mash, outcome=outcome, need_level=level,
                          feedback=Feedback(outcome_text=Outcome(outcome).label + ".",
                                            reason="Needs are met with family support.",
                                            signposting="Southwark Family Early Help: "
                                                        "020 7525 1922.",
                                            services=_services("demo-0004-family-hub")))
    _send_pending(pk("mash-closed"))
    t.referral_close(referral_id=pk("mash-closed"), actor=mash, reason="No further action.",
                     feedback=Feedback(outcome_text="The referral is closed.",
                                       reason="No further action is needed."))
    services.note_add(referral_id=pk("new-urgent"), actor=w,
                      text="Tried the neighbour twice; will try the GP surgery.")
    # The parallel duties' checklist (issue 16, part 4): MARAC recorded as done; Prevent left
    # for the mental health team to record.
    marac = made["oppd-marac"]
    referral_duty_record(referral=marac, duty_id=marac.duties.get(duty__key="marac").pk,
                         actor=w, state=DutyState.DONE,
                         note="MARAC referral made by the IDVA service; heard next week.")
    return len(made)
