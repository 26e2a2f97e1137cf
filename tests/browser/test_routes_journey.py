"""Issue 16's routes as a new referrer takes them, axe on every page.

- A 19-year-old with a learning disability: the form suggests the All Age Disability service
  (0 to 25) and says which rule decided; the referral reaches that team's queue, with its clock.
- A LADO allegation from a faith group volunteer: the early question routes it to the LADO,
  which asks its own questions; the LADO decides with its own outcomes within its own clock and
  the referrer is told through the outbox.
"""

import pytest

from core.vocabulary import Outcome, Status
from outbox.models import Channel, Notice
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
    choose(page, "Is the concern about something a person did in their work or volunteering "
                 "with adults?", "No")
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


def test_a_faith_group_volunteer_reports_an_allegation_to_the_lado(
        page, visit, sign_in, referrer, staff_member, password):
    lado = staff_member("lado")
    sign_in(referrer.email, password)
    visit("/referrals/start/")
    choose(page, "Is it urgent?", "No")
    next_page(page)
    page.get_by_label("Full name").fill("Tobi Mensah-Clarke")
    choose(page, "Do you know their age?", "I know roughly how old they are")
    page.get_by_label("Approximate age in years").fill("11")
    choose(page, "Gender", "Male")
    next_page(page)
    choose(page, "Is it safe for the team to contact them?", "Yes")
    choose(page, "Do they need an interpreter?", "No")
    choose(page, "Do they know you are making this referral?", "No")
    next_page(page)
    choose(page, "What is their main need for care or support?", "I'm not sure")
    choose(page, "Do any children live in the same household?", "Yes")
    choose(page, "Is the concern about something a person did in their work or volunteering "
                 "with children?", "Yes")
    next_page(page)

    body = page.locator("main").inner_text()
    assert "Local Authority Designated Officer (LADO)" in body
    assert page.get_by_label(
        "Allegations against people who work with children (LADO)").is_checked()
    next_page(page)

    page.get_by_label("Physical abuse").check()
    page.get_by_label("What happened, or what are you worried about?").fill(
        "At the youth club after Sunday service a volunteer grabbed him by the arm hard enough "
        "to bruise, and told him not to tell his mother.")
    choose(page, "Did it happen once, or is it ongoing?", "It happened once")
    page.get_by_label("When did it happen, or when did it start?").fill("Last Sunday")
    next_page(page)
    choose(page, "Where did it happen?", "Somewhere else")
    choose(page, "Do they have any injuries?", "Yes")
    choose(page, "Have the police been told?", "No")
    next_page(page)
    next_page(page)  # the volunteer is described on the LADO's own page
    assert page.url.endswith("/household/")
    next_page(page)  # the household page (about a child, issue 16): nobody added

    # The LADO's own questions: a wrong blank answer is refused with a specific message.
    assert "The person the concern is about, and their work" in page.content()
    next_page(page)
    assert "Enter their role, for example volunteer youth leader" in page.content()
    page.get_by_label("What is their role?").fill("Volunteer youth club leader")
    page.get_by_label("Who do they work or volunteer for?").fill("A church youth group")
    choose(page, "Does their employer or organisation know about the concern?", "No")
    next_page(page)

    page.get_by_label("Your name").fill("Dana Volunteer")
    page.get_by_label("Your job title or role").fill("Youth group volunteer")
    page.get_by_label("Your organisation").fill("Camberwell Day Centre")
    page.get_by_label("Your email address").fill(referrer.email)
    choose(page, "How do you want to hear what happens?", "In the portal and by email")
    next_page(page)
    next_page(page)  # no files
    assert "Volunteer youth club leader" in page.content()  # check your answers
    next_page(page, "Accept and send")

    referral = Referral.objects.get(person_name="Tobi Mensah-Clarke")
    assert (referral.pathway, referral.team.name) == (
        "lado", "Local Authority Designated Officer (LADO)")
    clock = referral.deadlines.get(kind="concern_decision")
    assert clock.rule["amount"] == 1 and clock.rule["unit"] == "working_days"

    page.context.clear_cookies()
    sign_in(lado.email, password)
    visit("/triage/")
    page.get_by_role("link", name=referral.reference).click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "A church youth group" in page.content()
    page.get_by_role("link", name="Record the decision").click()
    page.wait_for_load_state()
    assert_accessible(page)
    for outcome in Outcome.lado():
        assert page.get_by_label(Outcome(outcome).label, exact=True).count() == 1
    page.get_by_label(Outcome.LADO_STRATEGY.label, exact=True).check()
    page.get_by_label("Outcome, in plain words, for the referrer").fill(
        "The LADO is holding a strategy meeting about the allegation.")
    page.get_by_label("Reason, for the referrer").fill(
        "An allegation of harm by a volunteer needs a multi-agency strategy meeting.")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state()
    assert_accessible(page)
    referral.refresh_from_db()
    assert (referral.outcome, referral.status) == (Outcome.LADO_STRATEGY, Status.CONCERN_DECIDED)
    assert Notice.objects.filter(referral=referral, recipient=referrer, channel=Channel.PORTAL,
                                 kind__startswith="feedback:").exists()


def test_a_pre_birth_referral_with_domestic_abuse_reaches_mash(
        page, visit, sign_in, referrer, password):
    from datetime import timedelta

    from django.utils import timezone

    due = timezone.localdate() + timedelta(days=60)
    sign_in(referrer.email, password)
    visit("/referrals/start/")
    choose(page, "Is it urgent?", "No")
    next_page(page)
    page.get_by_label("Full name").fill("Unborn baby of Ana Lopes")
    choose(page, "Do you know their age?", "The baby is not born yet (a pre-birth referral)")
    choose(page, "Gender", "Not known")
    next_page(page)

    assert "The unborn baby and the parents" in page.content()
    next_page(page)  # nothing typed: specific errors, nothing lost
    assert "Enter the expected date of delivery as a day, month and year" in page.content()
    page.get_by_label("Day", exact=True).fill(str(due.day))
    page.get_by_label("Month", exact=True).fill(str(due.month))
    page.get_by_label("Year", exact=True).fill(str(due.year))
    page.get_by_label("The mother or expectant parent: full name").fill("Ana Lopes")
    page.get_by_label("Their age in years (optional)").fill("19")
    next_page(page)

    choose(page, "Is it safe for the team to contact them?", "No")
    choose(page, "Do they need an interpreter?", "No")
    choose(page, "Do they know you are making this referral?", "No")
    next_page(page)
    choose(page, "What is their main need for care or support?", "I'm not sure")
    choose(page, "Do any children live in the same household?", "No")
    choose(page, "Is the concern about something a person did in their work or volunteering "
                 "with children?", "No")
    next_page(page)
    assert "pre-birth concerns go to the Multi-Agency Safeguarding Hub (MASH)" in page.content()
    next_page(page)

    page.get_by_label("Domestic abuse (including seeing or hearing it)").check()
    page.get_by_label("What happened, or what are you worried about?").fill(
        "Her partner hit her at the antenatal appointment waiting room.")
    choose(page, "Did it happen once, or is it ongoing?",
           "It is ongoing or has happened more than once")
    page.get_by_label("When did it happen, or when did it start?").fill("Since the summer")
    next_page(page)
    # Domestic abuse offers the risk questions (issue 16, part 4): few yes, no MARAC prompt.
    assert "Domestic abuse: risk questions" in page.content()
    for number in range(1, 25):
        page.locator(f'input[name="risk_{number}"][value="{"yes" if number <= 3 else "no"}"]').check()
    choose(page, "In your professional judgement, is the person at high risk of serious harm "
                 "or of being killed?", "No")
    next_page(page)
    assert "MARAC referral" not in page.content()
    choose(page, "Where did it happen?", "A hospital or health setting")
    choose(page, "Do they have any injuries?", "No")
    choose(page, "Have the police been told?", "No")
    next_page(page)
    next_page(page)  # nobody named
    next_page(page)  # the household page (an unborn child, issue 16): nobody added

    choose(page, "Do the parents or carers know about this referral?", "No")
    choose(page, "Do the parents or carers agree to it?", "They have not been asked")
    page.get_by_label("Why do they not know, or not agree?").fill(
        "Telling her partner could put her at greater risk.")
    next_page(page)  # the child's voice is required, or "too young"
    assert "or select that the child is too young to say" in page.content()
    page.get_by_label("The child is too young to say (or is not born yet)").check()
    next_page(page)

    choose(page, "Have you completed a neglect toolkit?", "No")
    choose(page, "Has the family had early help?", "I do not know")
    next_page(page)
    page.get_by_label("Your name").fill("Dana Volunteer")
    page.get_by_label("Your job title or role").fill("Midwife support worker")
    page.get_by_label("Your organisation").fill("Camberwell Day Centre")
    page.get_by_label("Your email address").fill(referrer.email)
    choose(page, "How do you want to hear what happens?", "In the portal and by email")
    next_page(page)
    next_page(page)  # no files
    next_page(page, "Accept and send")

    referral = Referral.objects.get(person_name="Unborn baby of Ana Lopes")
    assert (referral.pathway, referral.person_dob, referral.categories) == (
        "mash", None, ["domestic_abuse"])
    assert referral.answers["expected_delivery"] == due.isoformat()
