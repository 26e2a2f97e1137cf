"""Issue 16, part 4, in Chromium with axe and the 320 px reflow check on every page: a new
referrer reports domestic abuse, answers the risk questions (15 'yes'), is told on the next
page, on check your answers and on the confirmation to refer to MARAC (with the contact, its
phone "set by the council"), and a worker in the team records the MARAC duty as done on the
staff checklist."""

import pytest

from referrals.models import DutyState, Referral
from tests.factories.accounts import OrganisationFactory, ReferrerFactory

from .conftest import assert_accessible
from .reflow import look

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose(page, question, answer):
    page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


def next_page(page, button="Save and continue"):
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    assert_accessible(page)


def test_a_domestic_abuse_case_prompts_marac(page, visit, sign_in, staff_member, password):
    referrer = ReferrerFactory(organisation=OrganisationFactory(name="Peckham Food Bank",
                                                                sector="voluntary"))
    worker = staff_member("mental-health")
    sign_in(referrer.email, password)
    visit("/referrals/start/")
    choose(page, "Is it urgent?", "No")
    next_page(page)

    page.get_by_label("Full name").fill("Rosa Lindqvist")
    choose(page, "Do you know their age?", "I know roughly how old they are")
    page.get_by_label("Approximate age in years").fill("34")
    choose(page, "Gender", "Female")
    next_page(page)
    choose(page, "Is it safe for the team to contact them?", "No")
    choose(page, "Do they need an interpreter?", "No")
    choose(page, "Do they know you are making this referral?", "Yes")
    next_page(page)
    choose(page, "What is their main need for care or support?", "Mental health")
    choose(page, "Do any children live in the same household?", "No")
    choose(page, "Is the concern about something a person did in their work or volunteering "
                 "with adults?", "No")
    next_page(page)
    next_page(page)  # the suggested team: mental health

    page.get_by_label("Domestic abuse", exact=True).check()
    page.get_by_label("What happened, or what are you worried about?").fill(
        "Her partner has threatened to kill her and follows her to the food bank.")
    choose(page, "Did it happen once, or is it ongoing?",
           "It is ongoing or has happened more than once")
    page.get_by_label("When did it happen, or when did it start?").fill("Since the spring")
    next_page(page)

    # The risk questions: every one needs an answer; an error keeps what was chosen.
    assert "Domestic abuse: risk questions" in page.content()
    page.locator('input[name="risk_1"][value="yes"]').check()
    next_page(page)
    assert "Select yes, no or not known for question 2" in page.locator(
        ".govuk-error-summary").inner_text()
    assert page.locator('input[name="risk_1"][value="yes"]').is_checked()
    for number in range(1, 25):
        answer = "yes" if number <= 15 else "unknown" if number == 20 else "no"
        page.locator(f'input[name="risk_{number}"][value="{answer}"]').check()
    choose(page, "In your professional judgement, is the person at high risk of serious harm "
                 "or of being killed?", "Yes")
    look(page, "duties-risk-questions")
    next_page(page)

    # The next page says what else to do, with the contact.
    banner = page.get_by_test_id("duties").inner_text()
    assert "MARAC referral (high-risk domestic abuse)" in banner
    assert "MARAC coordinator (domestic abuse)" in banner and "set by the council" in banner
    look(page, "duties-prompt")
    choose(page, "Where did it happen?", "Their own home")
    choose(page, "Do they have any injuries?", "No")
    choose(page, "Have the police been told?", "No")
    next_page(page)
    assert not page.get_by_test_id("duties").count()  # told once, not on every page
    next_page(page)  # nobody named

    choose(page, "Do they have needs for care and support?", "Yes")
    choose(page, "Can they protect themselves from the abuse or neglect?", "No")
    choose(page, "Do you have concerns about their mental capacity to make decisions about "
                 "their safety?", "No")
    choose(page, "Have they agreed to this referral?", "Yes, they agree to the referral")
    page.get_by_label("What do they want to happen?").fill("To be safe at home.")
    next_page(page)
    choose(page, "Do they have a care coordinator?", "No")
    next_page(page)
    page.get_by_label("Your name").fill("Dana Volunteer")
    page.get_by_label("Your job title or role").fill("Food bank volunteer")
    page.get_by_label("Your organisation").fill("Peckham Food Bank")
    page.get_by_label("Your email address").fill(referrer.email)
    choose(page, "How do you want to hear what happens?", "In the portal and by email")
    next_page(page)
    next_page(page)  # no files

    check = page.locator("main").inner_text()
    assert "When you send this referral" in check and "MARAC referral" in check
    assert "15 of 24" in check
    next_page(page, "Accept and send")
    sent = page.locator("main").inner_text()
    assert "What else you need to do" in sent and "MARAC referral" in sent
    look(page, "duties-confirmation")

    referral = Referral.objects.get(person_name="Rosa Lindqvist")
    item = referral.duties.get()
    assert (item.duty.key, item.state) == ("marac", DutyState.PENDING)

    page.context.clear_cookies()
    sign_in(worker.email, password)
    visit(f"/triage/referral/{referral.pk}/")
    checklist = page.get_by_test_id("duty-checklist")
    assert "risk checklist: 15 'yes' answers (threshold 14)" in checklist.inner_text()
    look(page, "duties-staff-checklist")
    checklist.get_by_role("radio", name="Not needed").check()
    checklist.get_by_role("button", name="Record MARAC referral").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "Enter why it is not needed" in page.locator("main").inner_text()
    # The page again (no redirect): the error summary, and the choice kept.
    assert page.get_by_test_id("duty-errors").is_visible()
    checklist = page.get_by_test_id("duty-checklist")
    assert checklist.get_by_role("radio", name="Not needed").is_checked()
    look(page, "duties-staff-error")
    checklist.get_by_role("radio", name="Done").check()
    checklist.get_by_role("textbox", name="Reason or detail").fill("Referred to MARAC by the IDVA service")
    checklist.get_by_role("button", name="Record MARAC referral").click()
    page.wait_for_load_state()
    assert_accessible(page)
    item.refresh_from_db()
    assert item.state == DutyState.DONE
    assert ("MARAC referral (high-risk domestic abuse): done (Referred to MARAC by the IDVA "
            "service)") in page.locator("#timeline").inner_text()
