import itertools
import re
from pathlib import Path

from core.vocabulary import Pathway
from referrals import steps
from referrals.models import Referral


def test_step_numbers_do_not_jump_when_the_team_is_chosen():
    assert steps.step_number(Referral(), "urgency") == (1, 13)
    assert steps.step_number(Referral(pathway="oppd"), "urgency") == (1, 13)
    # A child's referral has the household page (issue 16): counted from the age, before the
    # team is chosen.
    assert steps.step_number(Referral(pathway="mash"), "child") == (10, 14)
    assert steps.step_number(Referral(person_age_approx=9), "urgency") == (1, 14)
    assert steps.step_number(Referral(answers={"age_known": "unborn"}), "urgency")[1] == 15
    # An adult with children at home has it too, whichever team.
    assert steps.step_number(Referral(person_age_approx=40, children_in_household="yes"),
                             "urgency") == (1, 14)
    assert steps.step_number(Referral(pathway="oppd", children_in_household="yes"),
                             "urgency") == (1, 14)


def test_adult_and_child_pages():
    adult = [s.key for s in steps.steps_for(Referral(pathway="mental-health"))]
    child = [s.key for s in steps.steps_for(Referral(pathway="mash"))]
    assert "adult" in adult and "child" not in adult
    assert "child" in child and "adult" not in child


def test_resume_goes_to_the_first_page_not_done():
    referral = Referral(pathway="mash", steps_done=["urgency", "person", "contact", "needs"])
    assert steps.first_unfinished(referral).key == "pathway"
    referral.steps_done = [s.key for s in steps.steps_for(referral)]
    assert steps.first_unfinished(referral) is None


NUMBERS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
           "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18}


def test_the_readme_counts_the_pages_there_are():
    """README's "N to M pages follow": the fewest and the most pages any referral has (the
    domestic abuse risk checklist, the household, worker and pre-birth pages included)."""
    counts = {
        len(steps.steps_for(Referral(pathway=pathway, children_in_household=kids,
                                     categories=categories,
                                     answers={"allegation_about_worker": worker,
                                              "age_known": age})))
        for pathway, kids, categories, worker, age in itertools.product(
            Pathway.values, ("no", "yes"), ([], ["domestic"], ["domestic_abuse"]),
            ("no", "yes"), ("dob", "unborn"))}
    readme = Path(__file__).resolve().parents[2].joinpath("README.md").read_text()
    words = re.search(r"(\w+) to (\w+) pages\s+follow", readme)
    assert words, "README no longer says how many pages follow"
    assert (NUMBERS[words[1].lower()], NUMBERS[words[2].lower()]) == (min(counts), max(counts))
