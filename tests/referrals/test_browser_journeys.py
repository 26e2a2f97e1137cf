"""The referrer's whole journey in Debian's Chromium, axe-core on every page."""

import io
import uuid

import pytest
from pypdf import PdfReader

from core.vocabulary import Status
from referrals.models import Referral
from tests.browser.conftest import assert_accessible

from .browser_helpers import (
    STEP,
    continue_,
    fill,
    keyboard_continue,
    keyboard_fill,
    step_key,
    tab_to,
)
from .factories import ADULT_ANSWERS, CHILD_ANSWERS, complete_draft

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADULT = {
    **ADULT_ANSWERS,
    "needs": {"main_need": "older_physical", "children_in_household": "yes", "allegation_about_worker": "no"},
    "pathway": {"pathway": "oppd", "linked_mash": "yes",
                "linked_children": "Two boys, 6 and 9"},
    "adult": {"care_support_needs": "yes", "protect_themselves": "no",
              "capacity_concern": "unknown", "consent": "no",
              "consent_grounds": ["others_at_risk", "crime"],
              "adult_wants": "She wants her son to stop taking her money."},
}
ALLEGED = {"name": "Tom Example", "relationship": "paid_carer", "agency_name": "Acme Care",
           "lives_with": "no", "cares_for": "yes", "contact_with_others_at_risk": "yes"}


def test_adult_journey_with_linked_mash_rejected_upload_and_pdf(
        visit, sign_in, page, referrer, password, tmp_path):
    sign_in(referrer.email, password)
    visit("/referrals/start/")
    assert "call 999" in page.content() and "Emergency Duty Team" in page.content()
    # An error first: the summary links to the field and nothing is lost.
    continue_(page)
    assert page.get_by_role("link", name="Select yes if the referral is urgent").is_visible()
    fill(page, {"urgent": "yes", "urgent_reason": "Her carer threatened her this morning"})
    continue_(page)
    seen = []
    while step_key(page) != "check":
        key = step_key(page)
        seen.append(key)
        assert STEP.search(page.content())
        if key == "pathway":
            assert "Suggested team: Older people and physical disabilities" in page.content()
        if key == "alleged":
            fill(page, ALLEGED)
            continue_(page, "Add this person")
            assert "Tom Example" in page.content()
            continue_(page)
            continue
        if key == "household":  # children live there (issue 16): nobody added here
            continue_(page)
            continue
        if key == "attachments":
            svg = tmp_path / "body-map.pdf"
            svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>')
            page.get_by_label("What is this file? (optional)").fill("Body map")
            page.get_by_label("Upload a file").set_input_files(str(svg))
            continue_(page, "Attach file")
            assert "must be a PDF" in page.locator(".govuk-error-summary").inner_text()
            assert page.get_by_label("What is this file? (optional)").input_value() == "Body map"
            good = tmp_path / "body-map-real.pdf"
            good.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
            page.get_by_label("Upload a file").set_input_files(str(good))
            continue_(page, "Attach file")
            assert "body-map-real.pdf" in page.content()
            continue_(page)
            continue
        fill(page, ADULT[key])
        continue_(page)
    assert seen == ["person", "contact", "needs", "pathway", "concern", "concern-details",
                    "alleged", "household", "adult", "pathway-questions", "referrer",
                    "attachments"]
    assert "Check your answers" in page.content() and "Tom Example" in page.content()
    page.get_by_role("button", name="Accept and send").click()
    page.wait_for_url("**/sent/")
    assert_accessible(page)
    reference = page.get_by_test_id("reference").inner_text()
    linked = page.get_by_test_id("linked-reference").inner_text()
    adult = Referral.objects.get(reference=reference)
    assert adult.urgent and adult.pathway == "oppd" and adult.status == Status.SUBMITTED
    assert Referral.objects.get(reference=linked).linked_to == adult
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download a copy of your referral (PDF)").click()
    pdf = PdfReader(io.BytesIO(open(download_info.value.path(), "rb").read()))
    assert reference in "".join(p.extract_text() for p in pdf.pages)


def test_child_journey_keyboard_only(visit, sign_in, page, referrer, password):
    sign_in(referrer.email, password)
    visit("/referrals/start/")
    keyboard_fill(page, {"urgent": "no"})
    keyboard_continue(page)
    while step_key(page) != "check":
        key = step_key(page)
        if key == "alleged":
            keyboard_fill(page, {"relationship": "unknown", "lives_with": "unknown",
                                 "cares_for": "no", "contact_with_others_at_risk": "unknown"})
            keyboard_continue(page, 'button[value="continue"]')
            continue
        if key in ("household", "attachments"):
            keyboard_continue(page, 'button[value="continue"]')
            continue
        answers = dict(CHILD_ANSWERS[key])
        if key == "pathway":
            assert "Suggested team: Children (MASH)" in page.content()
        keyboard_fill(page, answers)
        keyboard_continue(page)
    tab_to(page, "button[data-prevent-double-click]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/sent/")
    page.wait_for_load_state()
    assert_accessible(page)
    referral = Referral.objects.get(reference=page.get_by_test_id("reference").inner_text())
    assert referral.pathway == "mash" and set(referral.categories) == {"neglect", "emotional"}
    assert referral.alleged_persons.get().relationship == "unknown"


def test_leave_and_resume_a_draft(visit, sign_in, page, referrer, password):
    sign_in(referrer.email, password)
    visit("/referrals/start/")
    fill(page, {"urgent": "no"})
    continue_(page)
    fill(page, CHILD_ANSWERS["person"])
    continue_(page)
    assert step_key(page) == "contact"
    draft = Referral.objects.get(referrer=referrer)
    visit("/home/")
    visit(f"/referrals/{draft.pk}/resume/")
    assert step_key(page) == "contact" and "Step 3 of" in page.content()
    page.get_by_role("link", name="Back", exact=True).click()
    assert_accessible(page)
    assert page.get_by_label("Full name").input_value() == "Sam Child"


def test_double_click_and_second_tab_make_one_referral(
        visit, sign_in, page, context, referrer, password):
    draft = complete_draft(referrer)
    sign_in(referrer.email, password)
    visit(f"/referrals/{draft.pk}/check/")
    other_tab = context.new_page()
    other_tab.goto(page.url)
    page.get_by_role("button", name="Accept and send").dblclick()
    page.wait_for_url("**/sent/")
    page.wait_for_load_state()
    assert_accessible(page)
    reference = page.get_by_test_id("reference").inner_text()
    other_tab.get_by_role("button", name="Accept and send").click()
    other_tab.wait_for_url("**/sent/")
    assert other_tab.get_by_test_id("reference").inner_text() == reference
    assert Referral.objects.filter(referrer=referrer).count() == 1
    assert draft.events.count() == 1


def test_right_team_sees_the_pdf_others_do_not(page, live_server, sign_in, referrer, password,
                                              staff_member, teams):
    from referrals import services

    referral = services.referral_submit(referral=complete_draft(referrer), actor=referrer,
                                        submission_key=uuid.uuid4())
    for pathway, status in (("oppd", 200), ("mash", 404)):
        user = staff_member(pathway, email=f"{pathway}@council.example.gov.uk")
        user.groups.add(teams[pathway].group)
        page.context.clear_cookies()
        sign_in(user.email, password)
        response = page.request.get(f"{live_server.url}/referrals/{referral.pk}/pdf/")
        assert response.status == status, pathway
