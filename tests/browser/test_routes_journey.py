"""Issue 16's routes as a new referrer takes them, axe on every page.

A 19-year-old with a learning disability: the form suggests the All Age Disability service
(0 to 25) and says which rule decided; the referral reaches that team's queue, with its clock.
"""

import pytest

from core.vocabulary import Status
from referrals.models import Referral
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose(page, question, answer):
    page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


def next_page(page, button="Save and continue"):
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    assert_accessible(page)


def test_a_19_year_old_with_a_learning_disability_reaches_the_aad_service(
        page, visit, sign_in, referrer, staff_member, password):
    worker = staff_member("all-age-disability")
    sign_in(referrer.email, password)
    visit("/referrals/start/")
    choose(page, "Is it urgent?", "No")
    next_page(page)

    page.get_by_label("Full name").fill("Kemi Adeyemi-Brooks")
    choose(page, "Do you know their age?", "I know roughly how old they are")
    page.get_by_label("Approximate age in years").fill("19")
    choose(page, "Gender", "Female")
    next_page(page)

    choose(page, "Is it safe for the team to contact them?", "Yes")
    choose(page, "Do they need an interpreter?", "No")
    choose(page, "Do they know you are making this referral?", "Yes")
    next_page(page)

    choose(page, "What is their main need for care or support?",
           "A learning disability or autism")
    choose(page, "Do any children live in the same household?", "No")
    next_page(page)

    # The suggestion names the team and the rule's reason; it is pre-selected.
    body = page.locator("main").inner_text()
    assert "Suggested team: All Age Disability service (0 to 25)" in body
    assert "18 to 25-year-olds with a disability" in body
    assert page.get_by_label("All Age Disability service (0 to 25)").is_checked()
    next_page(page)

    page.get_by_label("What kind of abuse or neglect is it?").first  # the group exists
    page.get_by_label("Financial or material abuse (including scams and cuckooing)").check()
    page.get_by_label("What happened, or what are you worried about?").fill(
        "Her bank card is held by a lodger who takes her benefits each week.")
    choose(page, "Did it happen once, or is it ongoing?",
           "It is ongoing or has happened more than once")
    page.get_by_label("When did it happen, or when did it start?").fill("Since September")
    next_page(page)

    choose(page, "Where did it happen?", "Their own home")
    choose(page, "Do they have any injuries?", "No")
    choose(page, "Have the police been told?", "No")
    next_page(page)

    next_page(page)  # nobody named

    choose(page, "Do they have needs for care and support?", "Yes")
    choose(page, "Can they protect themselves from the abuse or neglect?", "No")
    choose(page, "Do you have concerns about their mental capacity to make decisions about "
                 "their safety?", "No")
    choose(page, "Have they agreed to this referral?", "Yes, they agree to the referral")
    page.get_by_label("What do they want to happen?").fill("She wants her card back.")
    next_page(page)

    # The AAD service asks what the learning disabilities team asks.
    choose(page, "Do they have an advocate?", "No")
    next_page(page)

    page.get_by_label("Your name").fill("Dana Volunteer")
    page.get_by_label("Your job title or role").fill("Day centre volunteer")
    page.get_by_label("Your organisation").fill("Camberwell Day Centre")
    page.get_by_label("Your email address").fill(referrer.email)
    choose(page, "How do you want to hear what happens?", "In the portal and by email")
    next_page(page)

    next_page(page)  # no files
    next_page(page, "Accept and send")

    referral = Referral.objects.get(person_name="Kemi Adeyemi-Brooks")
    assert (referral.pathway, referral.team.name, referral.status) == (
        "all-age-disability", "All Age Disability service (0 to 25)", Status.SUBMITTED)
    assert referral.answers["route_rule"] == "Young adults with a disability (18 to 25)"
    assert referral.deadlines.filter(kind="concern_decision").exists()

    page.context.clear_cookies()
    sign_in(worker.email, password)
    visit("/triage/")
    assert referral.reference in page.content()
    page.get_by_role("link", name=referral.reference).click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "All Age Disability service (0 to 25)" in page.content()
