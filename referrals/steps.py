"""The referral's pages, in order, as data.

Each step names its form and when it applies; views walk this list, so adding or re-ordering a
page, or a pathway's questions, needs no new view code.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from core.vocabulary import Pathway
from pathways.duties import domestic_abuse
from pathways.questions import questions_for
from pathways.routing import age_on

from . import forms
from .models import Referral


def always(referral: Referral) -> bool:
    return True


def is_adult(referral: Referral) -> bool:
    return Pathway.is_adult(referral.pathway)


def is_child(referral: Referral) -> bool:
    return referral.pathway == Pathway.MASH


def about_a_worker(referral: Referral) -> bool:
    return referral.answers.get("allegation_about_worker") == "yes"


def is_unborn(referral: Referral) -> bool:
    return referral.answers.get("age_known") == "unborn"


def has_household(referral: Referral) -> bool:
    """Issue 16: children live in the household, or the referral is about a child."""
    return (referral.children_in_household == "yes"
            or referral.pathway in Pathway.about_children())


def domestic_abuse_selected(referral: Referral) -> bool:
    """Issue 16, part 4: domestic abuse (adults' or children's category) offers the risk
    checklist, whose score or the referrer's judgement prompts MARAC."""
    return domestic_abuse(referral.categories)


def has_pathway_questions(referral: Referral) -> bool:
    return bool(questions_for(referral.pathway))


@dataclass(frozen=True)
class Step:
    key: str
    section: str  # heading on check your answers
    form: type
    applies: Callable[[Referral], bool] = always
    # "form": a single question page; "alleged", "household" and "attachments" collect
    # several items.
    kind: str = "form"
    template: str = "referrals/step.html"


STEPS: tuple[Step, ...] = (
    Step("urgency", "Urgency", forms.UrgencyForm, template="referrals/urgency.html"),
    Step("person", "The person", forms.PersonForm),
    Step("pre-birth", "The unborn baby and the parents", forms.PreBirthForm, applies=is_unborn),
    Step("contact", "Where they live and contact", forms.PersonContactForm),
    Step("needs", "Needs and household", forms.NeedsForm),
    Step("pathway", "Receiving team", forms.PathwayForm, template="referrals/pathway.html"),
    Step("concern", "What has happened", forms.ConcernForm),
    Step("risk-checklist", "Domestic abuse risk questions", forms.RiskChecklistForm,
         applies=domestic_abuse_selected, template="referrals/risk_checklist.html"),
    Step("concern-details", "Where, injuries and police", forms.ConcernDetailsForm),
    Step("alleged", "People alleged to have caused harm", forms.AllegedPersonForm,
         kind="alleged", template="referrals/alleged.html"),
    Step("household", "Other children and adults in the household", forms.HouseholdMemberForm, applies=has_household, kind="household", template="referrals/household.html"),  # noqa: E501
    Step("worker", "The person the concern is about", forms.WorkerForm,
         applies=about_a_worker),
    Step("adult", "The adult: needs, capacity and consent", forms.AdultForm, applies=is_adult,
         template="referrals/adult.html"),
    Step("child", "The child: parents, school and professionals", forms.ChildForm,
         applies=is_child),
    Step("pathway-questions", "Questions from the receiving team", forms.PathwayQuestionsForm,
         applies=has_pathway_questions),
    Step("referrer", "Your details", forms.ReferrerForm),
    Step("attachments", "Files", forms.AttachmentForm, kind="attachments",
         template="referrals/attachments.html"),
)

BY_KEY = {step.key: step for step in STEPS}


def steps_for(referral: Referral) -> list[Step]:
    return [step for step in STEPS if step.applies(referral)]


def step_number(referral: Referral, key: str) -> tuple[int, int]:
    """("Step N of M"): M counts the pages that apply plus check your answers.

    Before a team is chosen, count as for the team the person's age points to (a child's
    referral has the household page: issue 16), so M does not jump when the pathway is picked.
    """
    # The referrer's answers still count (a pre-birth, worker or household page applies from
    # them).
    applicable = steps_for(referral if referral.pathway else Referral(
        pathway=_provisional_pathway(referral), answers=referral.answers,
        children_in_household=referral.children_in_household))
    keys = [step.key for step in applicable]
    return keys.index(key) + 1, len(applicable) + 1


def _provisional_pathway(referral: Referral) -> str:
    """Before the team page: MASH for an unborn baby or a known age under 18, else an adult
    team (which one does not change the count)."""
    if is_unborn(referral):
        return Pathway.MASH
    if referral.person_dob is not None:
        age = age_on(referral.person_dob, timezone.localdate())
    else:
        age = referral.person_age_approx
    return Pathway.MASH if age is not None and age < 18 else Pathway.OPPD


def step_after(referral: Referral, key: str) -> Step | None:
    applicable = steps_for(referral)
    keys = [step.key for step in applicable]
    index = keys.index(key)
    return applicable[index + 1] if index + 1 < len(applicable) else None


def step_before(referral: Referral, key: str) -> Step | None:
    applicable = steps_for(referral)
    keys = [step.key for step in applicable]
    index = keys.index(key)
    return applicable[index - 1] if index > 0 else None


def first_unfinished(referral: Referral) -> Step | None:
    """Where a resumed draft continues: the first page that applies and was not completed."""
    for step in steps_for(referral):
        if step.key not in referral.steps_done:
            return step
    return None
