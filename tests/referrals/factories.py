"""Complete drafts built through the same forms and services the pages use."""

from datetime import date

from django.utils import timezone

from referrals import services, steps
from referrals.models import Referral

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


def form_data(values: dict) -> dict:
    return values


def complete_draft(referrer, *, child=False, urgent=False, linked=False, now=None,
                   overrides: dict | None = None) -> Referral:
    """`overrides` maps a step key to answers replacing the defaults' (e.g. consent refused)."""
    now = now or timezone.now()
    answers = CHILD_ANSWERS if child else ADULT_ANSWERS
    answers = {key: {**values, **(overrides or {}).get(key, {})}
               for key, values in answers.items()}
    urgency = {"urgent": urgent, "urgent_reason": "Thoughts of self-harm" if urgent else ""}
    referral = services.draft_start(actor=referrer, urgency=urgency, now=now)
    for step in steps.STEPS[1:]:
        referral.refresh_from_db()
        if not step.applies(referral) or step.kind != "form":
            continue
        data = dict(answers[step.key])
        if step.key == "needs" and linked:
            data["children_in_household"] = "yes"
        if step.key == "pathway" and linked:
            data.update({"linked_mash": "yes", "linked_children": "Two children, 4 and 7"})
        form = step.form(data, referral=referral)
        assert form.is_valid(), (step.key, form.errors)
        services.draft_save_step(referral=referral, actor=referrer, step_key=step.key,
                                 values=form.values(), now=now)
    for key in ("alleged", "attachments"):
        referral = services.draft_save_step(referral=referral, actor=referrer, step_key=key,
                                            values={}, now=now)
    referral.refresh_from_db()
    return referral


__all__ = ["ADULT_ANSWERS", "CHILD_ANSWERS", "complete_draft", "date"]
