"""Demo referrals: one submitted referral per pathway and one draft, and issue 16's routes (a
LADO allegation about a faith group volunteer, a 19-year-old with a learning disability who
reaches the All Age Disability service, a pre-birth referral). Idempotent.

Built through the same forms and services as the pages, so the demo shows real data (routing,
clocks, acknowledgements, permissions) and a broken form would fail here too.
"""

import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from . import services, steps
from .models import Referral

COMMON = {
    "contact": {"person_address": "12 Demo Street, London", "person_postcode": "SE5 8UH",
                "safe_to_contact": "yes", "interpreter": "no", "person_aware": "yes"},
    "concern-details": {"where": "own_home", "injuries": "no", "police_informed": "no"},
    "adult": {"care_support_needs": "yes", "protect_themselves": "no", "capacity_concern": "no",
              "consent": "yes", "adult_wants": "To stay at home and feel safe."},
    "child": {"parents_aware": "yes", "parents_agree": "yes", "school": "Bellenden Primary",
              "child_voice": "He says he is hungry at school; mornings are chaotic."},
    # The domestic abuse risk questions (issue 16, part 4), asked when domestic abuse is chosen:
    # a medium-risk pattern (8 yes), no professional judgement of high risk.
    "risk-checklist": {**{f"risk_{n}": "yes" if n <= 8 else "no" for n in range(1, 25)},
                       "risk_judgement": "no"},
}

DEMOS = [
    ("demo-oppd", "referrer@camberwell-daycentre.example.org", True, {
        "person": {"person_name": "Edith Demo", "age_known": "approx", "person_age_approx": "84",
                   "person_gender": "female"},
        "needs": {"main_need": "older_physical", "children_in_household": "no", "allegation_about_worker": "no"},
        "pathway": {"pathway": "oppd"},
        "concern": {"categories": ["financial"], "concern_pattern": "ongoing",
                    "concern_since": "since the summer",
                    "what_happened": "Her pension is withdrawn by a neighbour each week."},
        "pathway-questions": {"oppd_care_package": "yes", "oppd_care_provider": "Demo Care Ltd"},
    }),
    ("demo-mh", "referrer@kch.example.nhs.uk", False, {
        "person": {"person_name": "Alex Demo", "age_known": "approx", "person_age_approx": "35",
                   "person_gender": "unknown"},
        "needs": {"main_need": "mental_health", "children_in_household": "no", "allegation_about_worker": "no"},
        "pathway": {"pathway": "mental-health"},
        "concern": {"categories": ["self_neglect"], "concern_pattern": "ongoing",
                    "concern_since": "October",
                    "what_happened": "Not eating, flat in poor condition after discharge."},
        "pathway-questions": {"mh_care_coordinator_known": "unknown"},
    }),
    ("demo-ld", "referrer@camberwell-daycentre.example.org", False, {
        "person": {"person_name": "Jordan Demo", "age_known": "approx", "person_age_approx": "27",
                   "person_gender": "male"},
        "needs": {"main_need": "learning_disability", "children_in_household": "no", "allegation_about_worker": "no"},
        "pathway": {"pathway": "learning-disabilities"},
        "concern": {"categories": ["psychological", "financial"], "concern_pattern": "ongoing",
                    "concern_since": "two months",
                    "what_happened": "New 'friends' stay at his flat and take his money."},
        "pathway-questions": {"ld_advocate": "no", "ld_support_provider": "Demo Living"},
    }),
    ("demo-mash", "referrer@bellenden.example.sch.uk", False, {
        "person": {"person_name": "Casey Demo", "age_known": "approx", "person_age_approx": "8",
                   "person_gender": "female"},
        "needs": {"main_need": "not_sure", "children_in_household": "yes", "allegation_about_worker": "no"},
        "pathway": {"pathway": "mash"},
        "concern": {"categories": ["neglect"], "concern_pattern": "ongoing",
                    "concern_since": "September",
                    "what_happened": "Arrives hungry, same clothes all week."},
        "pathway-questions": {"mash_neglect_toolkit": "no", "mash_early_help": "no"},
        # Issue 16: the family's other children and the adults in the household.
        "household": [
            {"name": "Riley Demo", "relationship": "sibling", "child_or_adult": "child",
             "age": "4", "lives_there": "yes"},
            {"name": "Sam Demo", "relationship": "parent", "child_or_adult": "adult",
             "age": "31", "lives_there": "yes"},
            {"name": "Chris Demo", "relationship": "parent_partner", "child_or_adult": "adult",
             "lives_there": "unknown",
             "concern": "Stays most weekends; the school has heard shouting when he is there."},
        ],
    }),
]

# Issue 16's routes, each through the routing the referrer sees (the suggested team is the one
# chosen). Kept out of DEMOS: the triage demo and the dashboard history take one answer set per
# pathway from DEMOS.
ROUTE_DEMOS = [
    ("demo-lado", "referrer@bellenden.example.sch.uk", False, {
        "person": {"person_name": "Tobi Demo", "age_known": "approx", "person_age_approx": "11",
                   "person_gender": "male"},
        "needs": {"main_need": "not_sure", "children_in_household": "yes",
                  "allegation_about_worker": "yes"},
        "pathway": {"pathway": "lado"},
        "concern": {"categories": ["physical"], "concern_pattern": "one_off",
                    "concern_since": "Last Sunday",
                    "what_happened": "He says a volunteer at his Saturday faith school grabbed "
                                     "his arm hard and shouted at him; there is a bruise."},
        "worker": {"worker_role": "Volunteer teacher at a Saturday faith school",
                   "worker_employer": "A local faith group's Saturday school",
                   "employer_knows": "no"},
        "household": [{"name": "Ada Demo", "relationship": "parent", "child_or_adult": "adult",
                       "age": "38", "lives_there": "yes"}],
    }),
    ("demo-aad", "referrer@camberwell-daycentre.example.org", False, {
        "person": {"person_name": "Morgan Demo", "age_known": "approx", "person_age_approx": "19",
                   "person_gender": "female"},
        "needs": {"main_need": "learning_disability", "children_in_household": "no",
                  "allegation_about_worker": "no"},
        "pathway": {"pathway": "all-age-disability"},
        "concern": {"categories": ["financial"], "concern_pattern": "ongoing",
                    "concern_since": "since she left college in July",
                    "what_happened": "An older 'boyfriend' holds her bank card and phone."},
        "pathway-questions": {"ld_advocate": "no", "ld_support_provider": "None yet"},
    }),
    ("demo-prebirth", "referrer@kch.example.nhs.uk", False, {
        "person": {"person_name": "Unborn baby of Jo Demo", "age_known": "unborn",
                   "person_gender": "unknown"},
        "needs": {"main_need": "not_sure", "children_in_household": "yes",
                  "allegation_about_worker": "no"},
        "pathway": {"pathway": "mash"},
        "concern": {"categories": ["domestic_abuse"], "concern_pattern": "ongoing",
                    "concern_since": "since the booking appointment",
                    "what_happened": "At the antenatal booking she disclosed her partner hits "
                                     "her; he came to the next appointment and answered for her."},
        "pathway-questions": {"mash_neglect_toolkit": "no", "mash_early_help": "no"},
        "household": [{"name": "Jo Demo", "relationship": "parent", "child_or_adult": "adult",
                       "age": "22", "lives_there": "yes"},
                      {"name": "Pat Demo", "relationship": "parent", "child_or_adult": "adult",
                       "lives_there": "yes", "concern": "Disclosed as violent to Jo."},
                      {"name": "Kim Demo", "relationship": "sibling", "child_or_adult": "child",
                       "age": "3", "lives_there": "yes"}],
    }),
]


def _pre_birth(today) -> dict:
    """The expected date of delivery, four months ahead of the day the demo is made."""
    due = today + timedelta(days=120)
    return {"expected_delivery_0": str(due.day), "expected_delivery_1": str(due.month),
            "expected_delivery_2": str(due.year), "parent_name": "Jo Demo", "parent_age": "22",
            "other_parent": "Pat Demo"}


def _answers(user, answers, key):
    return {
        **COMMON, "pre-birth": _pre_birth(timezone.localdate()), **answers,
        "referrer": {"referrer_name": user.full_name, "referrer_job_title": "Demo worker",
                     "referrer_organisation": user.membership.organisation.name,
                     "referrer_email": user.email, "feedback_preference": "portal_email"},
    }


def demo_referral_build(user, key, urgent, answers, *, submit: bool,
                        now: datetime | None = None) -> Referral:
    """A referral from `answers` (step key -> form data) through every form and service, as at
    `now` (the dashboard's demo history submits months back)."""
    now = now or timezone.now()
    referral = services.draft_start(
        actor=user, now=now,
        urgency={"urgent": urgent, "urgent_reason": "Demo: at risk today" if urgent else ""})
    referral.answers["demo_key"] = key
    referral.save(update_fields=["answers"])
    pages = _answers(user, answers, key)
    for step in steps.STEPS[1:]:
        referral.refresh_from_db()
        if not step.applies(referral):
            continue
        values = {}
        if step.kind == "household":
            for person in pages.get("household", []):
                form = step.form(dict(person), referral=referral)
                if not form.is_valid():
                    raise ValueError(f"Demo household for {key}: {form.errors.as_json()}")
                services.household_member_add(referral=referral, actor=user,
                                              values=form.values())
        if step.kind == "form":
            form = step.form(pages[step.key], referral=referral)
            if not form.is_valid():
                raise ValueError(f"Demo answers for {key}/{step.key}: {form.errors.as_json()}")
            values = form.values()
        referral = services.draft_save_step(referral=referral, actor=user, step_key=step.key,
                                            values=values, now=now)
        if not submit and step.key == "concern":
            return referral
    return services.referral_submit(referral=referral, actor=user, submission_key=uuid.uuid4(),
                                    now=now)


@transaction.atomic
def demo_referrals_ensure() -> list[str]:
    """Create the demo referrals that are missing; returns a line per referral."""
    lines = []
    for key, email, urgent, answers in [*DEMOS, *ROUTE_DEMOS, ("demo-draft", *DEMOS[0][1:])]:
        user = User.objects.filter(email=email).select_related("membership").first()
        if user is None:
            continue
        referral = Referral.objects.filter(referrer=user, answers__demo_key=key).first()
        if referral is None:
            referral = demo_referral_build(user, key, urgent, answers,
                                           submit=key != "demo-draft")
        lines.append(f"{referral.reference or 'draft ' + str(referral.pk)} "
                     f"{referral.pathway or 'no pathway yet'} by {email}")
    return lines
