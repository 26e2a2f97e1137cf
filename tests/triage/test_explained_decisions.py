"""Decisions that explain themselves (issue 15 item 6): the section 42 criteria recorded one by
one, the child's level of need from the threshold rows, services from the directory; the rules
the decision form and the service both hold, and what is stored."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.vocabulary import CriterionAnswer, Outcome, S42Criterion
from directory.models import Service
from feedback.models import FeedbackRecord
from pathways.models import ThresholdLevel
from referrals.workflow import OUTCOME_DETAILS
from tests.factories.referrals import referral_submit, referral_with
from tests.factories.triage import decide, feedback, rag_rate, worker
from triage import explain, transitions
from triage.forms import DecideForm
from triage.models import Decision

pytestmark = pytest.mark.django_db

TOLD = {"share": "tell", "outcome_text": "Not a safeguarding concern.",
        "feedback_reason": "What we found.", "signposting": "Citizens Advice."}
NOT_MET_ABUSE = {"s42_care_needs": "met", "s42_abuse": "not_met",
                 "s42_unable_to_protect": "not_known"}
ALL_MET = dict.fromkeys(S42Criterion.values, "met")
NONE_NOT_MET = {"s42_care_needs": "met", "s42_abuse": "not_known",
                "s42_unable_to_protect": "met"}
ANSWERS = st.sampled_from(CriterionAnswer.values)


def _form(data, pathway="oppd", **kwargs):
    form = DecideForm(data, pathway=pathway, **kwargs)
    form.is_valid()
    return form


# --- the form -------------------------------------------------------------------------------

def test_an_adult_decision_asks_each_criterion_and_says_which_is_missing():
    form = _form({**TOLD, "outcome": Outcome.NOT_SAFEGUARDING, "detail_not_safeguarding": "nfa",
                  "s42_care_needs": "met"})
    assert form.errors["s42_abuse"] == [
        "Select whether the criterion ‘abuse or neglect’ is met, not met or not known"]
    assert form.errors["s42_unable_to_protect"] == [
        "Select whether the criterion ‘unable to protect themselves’ is met, not met or not "
        "known"]
    assert "s42_care_needs" not in form.errors
    # The error summary follows the page: the criteria come before the decision.
    assert list(form.fields)[:4] == [*S42Criterion.values, "outcome"]


@pytest.mark.parametrize("outcome", [Outcome.CONCERN_NOT_MET, Outcome.NOT_SAFEGUARDING])
def test_no_enquiry_needs_a_criterion_not_met(outcome):
    detail = {"detail_concern_not_met": "signposted", "detail_not_safeguarding": "nfa"}
    form = _form({**TOLD, **detail, **NONE_NOT_MET, "outcome": outcome})
    assert form.errors["s42_care_needs"] == [
        f"‘{Outcome(outcome).label}’ means no section 42 enquiry: select ‘Not met’ for the "
        "criterion that is not met, so the referrer can be told which one"]
    # What was typed stays.
    assert form["s42_abuse"].value() == "not_known" and form["outcome_text"].value()
    assert _form({**TOLD, **detail, **NOT_MET_ABUSE, "outcome": outcome}).is_valid()


def test_section_42_met_needs_all_three_met():
    form = _form({**TOLD, **NOT_MET_ABUSE, "outcome": Outcome.S42_MET,
                  "detail_s42_met": "council"})
    assert form.errors["s42_abuse"] == [
        "Section 42 criteria met means all three are met: the criterion ‘abuse or neglect’ is "
        "not recorded as met"]
    assert _form({**TOLD, **ALL_MET, "outcome": Outcome.S42_MET,
                  "detail_s42_met": "council"}).is_valid()


@settings(max_examples=60, deadline=None)
@given(outcome=st.sampled_from(Outcome.adult()), care=ANSWERS, abuse=ANSWERS, protect=ANSWERS)
def test_the_criteria_rule_holds_for_every_combination(outcome, care, abuse, protect):
    answers = [care, abuse, protect]
    errors = explain.criteria_errors(outcome=outcome,
                                     criteria=dict(zip(S42Criterion.values, answers, strict=True)))
    if outcome == Outcome.S42_MET:
        assert (not errors) == (answers == ["met"] * 3)
    else:
        assert (not errors) == ("not_met" in answers)


def test_a_mash_decision_records_a_level_from_the_rows_and_shows_the_referrers_view():
    form = _form({**TOLD, "outcome": Outcome.EARLY_HELP}, pathway="mash")
    assert form.errors["need_level"] == ["Select the child's level of need"]
    assert not any(name.startswith("s42_") for name in form.fields)
    ThresholdLevel.objects.filter(code="level-3").update(active=False)
    form = _form({**TOLD, "outcome": Outcome.EARLY_HELP, "need_level": "level-3"},
                 pathway="mash", suggested_level="level-2")
    assert form.errors["need_level"] == ["Select one of the levels of need listed"]
    assert [c for c, _ in form.fields["need_level"].choices] == ["level-1", "level-2", "level-4"]
    assert form.fields["need_level"].help_text == (
        "The referrer thought: Level 2: Early help (additional needs).")
    # Family help is a decision of its own, beside early help.
    assert Outcome.FAMILY_HELP in dict(form.fields["outcome"].choices)
    assert _form({**TOLD, "outcome": Outcome.FAMILY_HELP, "need_level": "level-2"},
                 pathway="mash").is_valid()


def test_services_are_chosen_from_active_rows_and_can_stand_for_signposting():
    shown = Service.objects.create(name="Carers' line", area="Carers", source_id="a")
    gone = Service.objects.create(name="Closed club", active=False, source_id="b")
    form = _form({**TOLD, **NOT_MET_ABUSE, "signposting": "", "outcome": Outcome.NOT_SAFEGUARDING,
                  "detail_not_safeguarding": "signposted", "services": [str(gone.pk)]})
    assert form.errors["services"] == ["Select services from the directory list"]
    assert "signposting" in form.errors  # neither text nor a service: still required
    form = _form({**TOLD, **NOT_MET_ABUSE, "signposting": "", "outcome": Outcome.NOT_SAFEGUARDING,
                  "detail_not_safeguarding": "signposted", "services": [str(shown.pk)]})
    assert form.is_valid(), form.errors
    assert form.feedback().services == (shown.pk,)
    assert dict(form.fields["services"].choices) == {str(shown.pk): "Carers' line – Carers"}


# --- the service ----------------------------------------------------------------------------

def test_the_service_refuses_what_the_form_refuses_and_writes_nothing(referrer):
    referral = referral_submit(referrer)
    before = (Decision.objects.count(), FeedbackRecord.objects.count())
    for criteria, field in ((NONE_NOT_MET, "s42_care_needs"), ({}, "s42_abuse")):
        with pytest.raises(transitions.TransitionError) as error:
            decide(referral, Outcome.NOT_SAFEGUARDING, criteria=criteria)
        assert field in error.value.errors
    gone = Service.objects.create(name="Closed", active=False, source_id="x")
    with pytest.raises(transitions.TransitionError) as error:
        decide(referral, Outcome.NOT_SAFEGUARDING, services=(gone.pk,))
    assert "services" in error.value.errors
    child = referral_submit(referrer, child=True)
    rag_rate(child)
    with pytest.raises(transitions.TransitionError) as error:
        decide(child, Outcome.EARLY_HELP, need_level="level-9")
    assert error.value.errors == {"need_level": "Select one of the levels of need listed"}
    assert (Decision.objects.count(), FeedbackRecord.objects.count()) == before


def test_a_caller_that_leaves_the_criteria_or_level_out_is_refused(referrer):
    """The rules bind the service, not only the form: a caller passing no criteria (adult) or
    no level of need (MASH) is refused with the form's errors, and nothing is written."""
    referral = referral_submit(referrer)
    child = referral_submit(referrer, child=True)
    rag_rate(child)
    before = (Decision.objects.count(), FeedbackRecord.objects.count())
    for outcome in Outcome.adult():
        with pytest.raises(transitions.TransitionError) as error:
            transitions.referral_decide(
                referral_id=referral.pk, actor=worker(referral), outcome=outcome,
                detail=(OUTCOME_DETAILS.get(outcome) or ("",))[0], feedback=feedback(outcome))
        assert set(error.value.errors) == set(S42Criterion.values)
    with pytest.raises(transitions.TransitionError) as error:
        transitions.referral_decide(
            referral_id=child.pk, actor=worker(child), outcome=Outcome.EARLY_HELP,
            feedback=feedback(Outcome.EARLY_HELP))
    assert error.value.errors == {"need_level": "Select the child's level of need"}
    assert (Decision.objects.count(), FeedbackRecord.objects.count()) == before


def test_the_decision_stores_the_criteria_and_the_feedback_says_which_was_not_met(referrer):
    referral = referral_with(referrer, pathway="mental-health")
    service = Service.objects.create(name="Wellbeing hub", phone="020 7946 0112", source_id="w")
    decide(referral, Outcome.CONCERN_NOT_MET, criteria={
        "s42_care_needs": "met", "s42_abuse": "met", "s42_unable_to_protect": "not_met"},
        services=(service.pk,))
    decision = Decision.objects.get(referral=referral, action="decide")
    assert (decision.s42_care_needs, decision.s42_abuse, decision.s42_unable_to_protect) == (
        "met", "met", "not_met")
    record = decision.feedback
    assert list(record.services.all()) == [service]
    assert record.explanation == (
        "The council must make safeguarding enquiries (section 42 of the Care Act 2014) when "
        "all three of these apply to an adult: they have needs for care and support; they are "
        "experiencing, or at risk of, abuse or neglect; and because of those needs they cannot "
        "protect themselves from it. For this referral, this one does not apply:\n"
        "• We found that the person is able to protect themselves from the abuse or neglect: "
        "their care and support needs do not stop them from doing so.")
    assert "threshold" not in record.explanation.lower()


def test_two_criteria_not_met_are_both_named():
    words = explain.criteria_words(outcome=Outcome.NOT_SAFEGUARDING, criteria={
        "s42_care_needs": "not_met", "s42_abuse": "not_met", "s42_unable_to_protect": "not_known"})
    assert "these do not apply" in words
    assert explain.NOT_MET_WORDS[S42Criterion.CARE_NEEDS] in words
    assert explain.NOT_MET_WORDS[S42Criterion.ABUSE] in words
    assert explain.NOT_MET_WORDS[S42Criterion.UNABLE_TO_PROTECT] not in words


def test_section_42_met_says_all_three_apply(referrer):
    referral = referral_submit(referrer)
    decide(referral, Outcome.S42_MET)
    record = Decision.objects.get(referral=referral, action="decide").feedback
    assert record.explanation.startswith("All three things section 42 of the Care Act 2014")


def test_a_mash_decision_stores_the_level_and_tells_it_in_plain_words(referrer):
    child = referral_submit(referrer, child=True)
    level = ThresholdLevel.objects.get(code="level-3")
    decide(child, Outcome.FAMILY_HELP, need_level="level-3")
    decision = Decision.objects.get(referral=child, action="decide")
    assert decision.need_level == level and decision.s42_care_needs == ""
    assert decision.feedback.explanation == (
        "We decided the child's needs are at Level 3: Family help (complex needs), under the "
        f"safeguarding children partnership's threshold document. {level.summary}")


def test_a_level_in_use_cannot_be_deleted(referrer):
    child = referral_submit(referrer, child=True)
    decide(child, Outcome.NFA, need_level="level-1")
    from django.db.models import ProtectedError
    with pytest.raises(ProtectedError):
        ThresholdLevel.objects.get(code="level-1").delete()


def test_the_staff_page_shows_the_criteria_level_and_services(client, referrer):
    referral = referral_submit(referrer)
    service = Service.objects.create(name="Carers' line", source_id="c")
    decide(referral, Outcome.NOT_SAFEGUARDING, services=(service.pk,))
    client.force_login(worker(referral))
    page = client.get(f"/triage/referral/{referral.pk}/").content.decode()
    assert "Experiencing or at risk of abuse or neglect</dt>" in page
    assert "Not met" in page and "Carers&#x27; line" in page
