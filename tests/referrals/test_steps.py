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
