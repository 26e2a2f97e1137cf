"""Referrals filled in through the step forms and services the referral pages use, then
submitted by referrals.services.referral_submit (which routes, grants the team access, opens
the clocks and acknowledges): the only way a referral leaves draft on the site."""

import copy
import uuid
from datetime import datetime

import factory
from django.utils import timezone

from referrals import services, steps
from referrals.models import Referral

from .accounts import ReferrerFactory

ADULT_ANSWERS = {
    "person": {"person_name": "Mary Example", "age_known": "dob", "person_dob_0": "3",
               "person_dob_1": "4", "person_dob_2": "1941", "person_gender": "female"},
    "contact": {"person_address": "1 Example Road, London", "person_postcode": "SE5 8UH",
                "safe_to_contact": "yes", "interpreter": "no", "person_aware": "yes"},
    "needs": {"main_need": "older_physical", "children_in_household": "no", "allegation_about_worker": "no"},
    "pathway": {"pathway": "oppd"},
    "concern": {"categories": ["financial", "neglect"], "what_happened": "Money goes missing.",
                "concern_pattern": "ongoing", "concern_since": "since June"},
    "concern-details": {"where": "own_home", "injuries": "no", "police_informed": "no"},
    "adult": {"care_support_needs": "yes", "protect_themselves": "no", "capacity_concern": "no",
              "consent": "yes", "adult_wants": "She wants the money to stop going."},
    "pathway-questions": {"oppd_care_package": "yes", "oppd_care_provider": "Acme Care"},
    "referrer": {"referrer_name": "Dana Volunteer", "referrer_job_title": "Support worker",
                 "referrer_organisation": "Camberwell Day Centre",
                 "referrer_email": "volunteer@daycentre.example.org",
                 "feedback_preference": "portal_email"},
}

# The domestic abuse risk questions (issue 16, part 4), asked only when domestic abuse is
# selected: by default every answer "no" and no professional judgement of high risk (no MARAC).
ADULT_ANSWERS["risk-checklist"] = {
    **{f"risk_{number}": "no" for number in range(1, 25)}, "risk_judgement": "no"}


def risk_answers(yes: int, *, judgement: str = "no") -> dict:
    """The checklist with the first `yes` questions answered yes, the rest no."""
    return {**{f"risk_{n}": "yes" if n <= yes else "no" for n in range(1, 25)},
            "risk_judgement": judgement}


CHILD_ANSWERS = {
    **ADULT_ANSWERS,
    "person": {"person_name": "Sam Child", "age_known": "approx", "person_age_approx": "9",
               "person_gender": "male"},
    "needs": {"main_need": "not_sure", "children_in_household": "yes", "allegation_about_worker": "no"},
    "pathway": {"pathway": "mash"},
    "concern": {"categories": ["neglect", "emotional"], "what_happened": "Often hungry.",
                "concern_pattern": "ongoing", "concern_since": "September"},
    "child": {"parents_aware": "yes", "parents_agree": "yes", "school": "Bellenden Primary",
              "child_voice": "He says he is hungry at school; mornings are chaotic."},
    "pathway-questions": {"mash_neglect_toolkit": "no", "mash_early_help": "unknown"},
}

# An allegation against a volunteer who works with children (issue 16): the LADO's route and
# its own questions.
WORKER = {"worker_role": "Volunteer youth leader", "worker_employer": "A church youth group",
          "employer_knows": "no"}
LADO_ANSWERS = {
    **CHILD_ANSWERS,
    "needs": {"main_need": "not_sure", "children_in_household": "yes",
              "allegation_about_worker": "yes"},
    "pathway": {"pathway": "lado"},
    "concern": {"categories": ["physical"], "what_happened": "Grabbed by a volunteer.",
                "concern_pattern": "one_off", "concern_since": "Last Sunday"},
    "worker": WORKER,
}

# A pre-birth referral (issue 16): no date of birth; the expected date of delivery and the
# parents-to-be. `pre_birth_answers(today)` keeps the date in the future.
def pre_birth_overrides(today) -> dict:
    from datetime import timedelta

    due = today + timedelta(days=90)
    return {
        "person": {"person_name": "Unborn baby of Ana Lopes", "age_known": "unborn",
                   "person_age_approx": "", "person_gender": "unknown"},
        "pre-birth": {"expected_delivery_0": str(due.day), "expected_delivery_1": str(due.month),
                      "expected_delivery_2": str(due.year), "parent_name": "Ana Lopes",
                      "parent_age": "19"},
        "child": {"child_voice": "", "child_too_young": "on"},
    }


# Adult pathways and the "main need" answer that routes to each (pathways.routing).
MAIN_NEED = {"oppd": "older_physical", "mental-health": "mental_health",
             "learning-disabilities": "learning_disability",
             "all-age-disability": "learning_disability"}

PATHWAY_QUESTIONS = {
    "oppd": ADULT_ANSWERS["pathway-questions"],
    "mental-health": {"mh_care_coordinator_known": "unknown"},
    "learning-disabilities": {"ld_advocate": "no"},
    "all-age-disability": {"ld_advocate": "no"},
}


def answers_for(*, child=False, pathway=None, consent="yes", feedback_preference="portal_email",
                person_name=None, what_happened=None, linked=False, overrides=None,
                lado=False) -> dict:
    """The answers a referrer types, step by step, for the kind of referral asked for."""
    answers = copy.deepcopy(LADO_ANSWERS if lado else CHILD_ANSWERS if child else ADULT_ANSWERS)
    child = child or lado
    if pathway and not child:
        answers["pathway"]["pathway"] = pathway
        answers["needs"]["main_need"] = MAIN_NEED.get(pathway, "not_sure")
        answers["pathway-questions"] = PATHWAY_QUESTIONS[pathway]
    answers["adult"]["consent"] = consent
    if consent != "yes":
        answers["adult"]["consent_grounds"] = ["others_at_risk"]
    answers["referrer"]["feedback_preference"] = feedback_preference
    if feedback_preference != "portal_email":  # the team must be able to phone them
        answers["referrer"]["referrer_phone"] = "020 7946 0321"
    if person_name:
        answers["person"]["person_name"] = person_name
    if what_happened:
        answers["concern"]["what_happened"] = what_happened
    if linked:
        answers["needs"]["children_in_household"] = "yes"
        answers["pathway"].update({"linked_mash": "yes",
                                   "linked_children": "Two children, 4 and 7"})
    for key, values in (overrides or {}).items():
        answers.setdefault(key, {}).update(values)
    return answers


def household_add(referral, referrer, people) -> None:
    """People in the household (issue 16), each through the step's form and the service."""
    for person in people:
        form = steps.BY_KEY["household"].form(dict(person), referral=referral)
        assert form.is_valid(), form.errors
        services.household_member_add(referral=referral, actor=referrer, values=form.values())


def complete_draft(referrer, *, child=False, urgent=False, linked=False, now=None,
                   urgent_reason="Thoughts of self-harm", through: str | None = None,
                   household=(), **answer_options) -> Referral:
    """A draft with every step filled in through its form and draft_save_step (`through`: up
    to and including that step's key only, as a referrer who stopped there leaves it)."""
    now = now or timezone.now()
    answers = answers_for(child=child, linked=linked, **answer_options)
    urgency = {"urgent": urgent, "urgent_reason": urgent_reason if urgent else ""}
    referral = services.draft_start(actor=referrer, urgency=urgency, now=now)
    for step in steps.STEPS[1:]:
        referral.refresh_from_db()
        if not step.applies(referral) or step.kind != "form":
            continue
        form = step.form(dict(answers.get(step.key, {})), referral=referral)
        assert form.is_valid(), (step.key, form.errors)
        services.draft_save_step(referral=referral, actor=referrer, step_key=step.key,
                                 values=form.values(), now=now)
        if step.key == through:
            referral.refresh_from_db()
            return referral
    if household:
        household_add(referral, referrer, household)
    for key in ("alleged", "household", "attachments"):
        if not steps.BY_KEY[key].applies(referral):
            continue
        referral = services.draft_save_step(referral=referral, actor=referrer, step_key=key,
                                            values={}, now=now)
    referral.refresh_from_db()
    return referral


def partial_draft(referrer, *, until: str, now=None, **answer_options) -> Referral:
    """A draft answered through its forms up to and including the page `until`, as a referrer
    who stopped there would leave it."""
    now = now or timezone.now()
    answers = answers_for(**answer_options)
    referral = services.draft_start(actor=referrer, urgency={"urgent": False, "urgent_reason": ""},
                                    now=now)
    for step in steps.STEPS[1:] if until != "urgency" else ():
        referral.refresh_from_db()
        if step.applies(referral) and step.kind == "form":
            form = step.form(dict(answers.get(step.key, {})), referral=referral)
            assert form.is_valid(), (step.key, form.errors)
            services.draft_save_step(referral=referral, actor=referrer, step_key=step.key,
                                     values=form.values(), now=now)
        if step.key == until:
            break
    referral.refresh_from_db()
    return referral


def referral_submit(referrer, *, now: datetime | None = None, **options) -> Referral:
    """Fill in a draft and submit it, as the check page does."""
    now = now or timezone.now()
    draft = complete_draft(referrer, now=now, **options)
    referral = services.referral_submit(referral=draft, actor=referrer,
                                        submission_key=uuid.uuid4(), now=now)
    referral.refresh_from_db()
    return referral


class ReferralFactory(factory.Factory):
    """A submitted referral. ReferralFactory(child=True, urgent=True, consent="no", ...);
    move it on with tests.factories.triage (e.g. triage.to_status(referral, "enquiry"))."""

    class Meta:
        model = Referral

    referrer = factory.SubFactory(ReferrerFactory)
    child = False
    urgent = False
    linked = False
    pathway = None
    consent = "yes"
    feedback_preference = "portal_email"
    person_name = None
    now = None

    @classmethod
    def _create(cls, model_class, *, referrer, now, **options):
        return referral_submit(referrer, now=now, **options)

    _build = _create


class DraftFactory(ReferralFactory):
    """A complete draft, not yet submitted."""

    @classmethod
    def _create(cls, model_class, *, referrer, now, **options):
        return complete_draft(referrer, now=now, **options)

    _build = _create


_UNSET = object()


def referral_with(referrer, *, pathway: str = "oppd", status: str = "submitted",
                  received_at: datetime | None = None, urgent: bool = False,
                  urgent_reason: str = "Thoughts of self-harm", person_name: str | None = None,
                  person_dob=_UNSET, person_age_approx: int | None = None,
                  person_postcode: str | None = None, person_address: str | None = None,
                  categories=None, what_happened: str | None = None,
                  feedback_preference: str = "portal_email", referrer_phone: str | None = None,
                  assignee=None) -> Referral:
    """A referral described by its fields, made the only way the site makes one: the referrer
    answers each step (`person_dob=None` answers "I know roughly how old they are" with
    `person_age_approx`, or "I do not know"), submits at `received_at` (so the clocks' own
    policy sets every due time from it), `assignee` claims it, and the triage services move it
    on to `status` (tests.factories.triage.to_status). status="draft" stops before submitting."""
    from . import triage  # triage builds on this module

    now = received_at or timezone.now()
    person, contact, concern, referrer_step = {}, {}, {}, {}
    if person_name:
        person["person_name"] = person_name
    if person_dob is None:
        person.update({"age_known": "approx" if person_age_approx is not None else "unknown",
                       "person_age_approx": "" if person_age_approx is None
                       else str(person_age_approx)})
    elif person_dob is not _UNSET:
        person.update({"age_known": "dob", "person_dob_0": str(person_dob.day),
                       "person_dob_1": str(person_dob.month),
                       "person_dob_2": str(person_dob.year)})
    if person_postcode is not None:
        contact["person_postcode"] = person_postcode
    if person_address is not None:
        contact["person_address"] = person_address
    if categories is not None:
        concern["categories"] = list(categories)
    if what_happened:
        concern["what_happened"] = what_happened
    if referrer_phone:
        referrer_step["referrer_phone"] = referrer_phone
    child = pathway == "mash"
    options = {"child": child, "urgent": urgent, "urgent_reason": urgent_reason,
               "feedback_preference": feedback_preference,
               "overrides": {"person": person, "contact": contact, "concern": concern,
                             "referrer": referrer_step}}
    if not child:
        options["pathway"] = pathway
    if status == "draft":
        return complete_draft(referrer, now=now, **options)
    referral = referral_submit(referrer, now=now, **options)
    assert referral.pathway == pathway, (referral.pathway, pathway)
    if assignee is not None:
        triage.claim(referral, assignee, now=now)
        referral.refresh_from_db()
    return triage.to_status(referral, status, now=now)
