"""A decision that explains itself, in Chromium with axe on every page (issue 15 item 6): the
worker records the three section 42 criteria one by one, is stopped when "no enquiry" has no
criterion not met, filters the directory of services (imported from the sample Open Referral UK
feeds) and signposts to one; the referrer reads which criterion was not met, in plain words,
and the service's contact details. Screenshots at 1200 and 320 px."""

import re

import pytest

from core.vocabulary import Outcome, Status
from directory.demo import demo_services_ensure
from tests.browser.reflow import look
from tests.factories.accounts import OrganisationFactory, ReferrerFactory, staff
from tests.factories.referrals import referral_submit, referral_with
from tests.factories.triage import rag_rate

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CRITERIA = (("needs for care and support", "Met"),
            ("at risk of, abuse or neglect", "Met"),
            ("unable to protect themselves", "Met"))


def _criteria(page, answers):
    for (question, _), answer in zip(CRITERIA, answers, strict=True):
        page.get_by_role("group", name=re.compile(question)).get_by_label(
            answer, exact=True).check()


def _submit(page):
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state()
    assert_accessible(page)


def test_worker_records_criteria_and_signposting_referrer_reads_plain_words(page, visit,
                                                                           sign_in, password):
    demo_services_ensure()
    referrer = ReferrerFactory(organisation=OrganisationFactory(name="Peckham Food Bank",
                                                                sector="voluntary"))
    worker = staff("oppd")
    referral = referral_with(referrer, assignee=worker)

    sign_in(worker.email, password)
    visit(f"/triage/referral/{referral.pk}/")
    page.get_by_role("link", name="Record the decision").click()
    page.wait_for_load_state()
    assert_accessible(page)
    # "Not met" for none of the criteria, with a decision that means no enquiry: refused.
    _criteria(page, ["Met", "Met", "Met"])
    page.get_by_label(Outcome.CONCERN_NOT_MET.label, exact=True).check()
    page.locator(".govuk-radios__conditional:not(.govuk-radios__conditional--hidden)") \
        .get_by_label("Signposted to other support").check()
    page.get_by_label("Outcome, in plain words, for the referrer").fill(
        "This is a safeguarding concern, but the council will not make a section 42 enquiry.")
    page.get_by_label("Reason, for the referrer").fill(
        "She decides for herself and has chosen to stay with her son.")
    _submit(page)
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "means no section 42 enquiry: select ‘Not met’ for the criterion" in summary
    # What was typed stays.
    assert "chosen to stay" in page.get_by_label("Reason, for the referrer").input_value()
    look(page, "decision-explained-error")

    _criteria(page, ["Met", "Met", "Not met"])
    page.get_by_label(Outcome.CONCERN_NOT_MET.label, exact=True).check()
    page.locator(".govuk-radios__conditional:not(.govuk-radios__conditional--hidden)") \
        .get_by_label("Signposted to other support").check()
    # The directory, filtered by typing: only the matching services show.
    page.get_by_label("Filter the list").fill("carers")
    boxes = page.locator("[data-portal-filter] .govuk-checkboxes__item:visible")
    assert boxes.count() == 1
    assert "1 of 7 services shown" in page.locator("[data-portal-filter]").inner_text()
    boxes.first.get_by_role("checkbox").check()
    page.get_by_label("Filter the list").fill("")
    assert_accessible(page)
    look(page, "decision-explained-form")
    _submit(page)
    assert page.locator("#status").inner_text() == Status.CONCERN_DECIDED.label
    assert "Unable to protect themselves" in page.locator("main").inner_text()

    page.context.clear_cookies()
    sign_in(referrer.email, password)
    visit("/home/")
    page.get_by_role("link", name="See your referrals and what has happened to them").click()
    page.wait_for_load_state()
    page.get_by_role("link", name=referral.reference).first.click()
    page.wait_for_load_state()
    assert_accessible(page)
    body = page.locator("main").inner_text()
    assert "What we decided, and why" in body
    assert ("We found that the person is able to protect themselves from the abuse or neglect"
            in body)
    assert "threshold" not in body.lower()
    assert "Carers' support and advice line" in body
    assert "020 7946 0101" in body and "hello@carers.example.org" in body
    assert "1 Walworth Road, London, SE17 1AA" in body
    assert "Not met" not in body  # the staff's record stays with the team
    look(page, "decision-explained-referrer")


def test_mash_worker_records_the_level_of_need_referrer_reads_it(page, visit, sign_in,
                                                                 password):
    demo_services_ensure()
    referrer = ReferrerFactory(organisation=OrganisationFactory(name="Bellenden Primary",
                                                                sector="education"))
    worker = staff("mash")
    # The referrer thought level 2 applied (the child step's optional question).
    child = referral_submit(referrer, child=True, overrides={"child": {"need_level": "level-2"}})
    rag_rate(child, "amber", worker)

    sign_in(worker.email, password)
    visit(f"/triage/referral/{child.pk}/decide/")
    level = page.get_by_role("group", name="What is the child's level of need?")
    assert "The referrer thought: Level 2: Early help (additional needs)." in level.inner_text()
    level.get_by_label("Level 3: Family help (complex needs)").check()
    page.get_by_label(Outcome.FAMILY_HELP.label, exact=True).check()
    page.get_by_label("Outcome, in plain words, for the referrer").fill(
        "A family help worker will support the family.")
    page.get_by_label("Reason, for the referrer").fill(
        "The family has agreed to support from several services.")
    page.get_by_label("Filter the list").fill("family hub")
    page.locator("[data-portal-filter] .govuk-checkboxes__item:visible").first \
        .get_by_role("checkbox").check()
    _submit(page)
    assert page.locator("#status").inner_text() == Status.MASH_DECIDED.label

    page.context.clear_cookies()
    sign_in(referrer.email, password)
    visit(f"/feedback/referrals/{child.pk}/")
    body = page.locator("main").inner_text()
    assert ("We decided the child's needs are at Level 3: Family help (complex needs)" in body)
    assert "Family hub: early help for families" in body and "020 7946 0104" in body
    look(page, "decision-level-referrer")
