"""The decision form says what is wrong when a next step does not fit the decision, and keeps
the checks without JavaScript (issue 18, item 7)."""

import pytest
from crispy_forms.utils import render_crispy_form

from core.vocabulary import Outcome
from triage.forms import DecideForm

pytestmark = pytest.mark.django_db

TOLD = {"share": "tell", "outcome_text": "Not a concern.", "feedback_reason": "No abuse.",
        "signposting": "Citizens Advice.",
        # The three section 42 criteria (issue 15 item 6): abuse or neglect not met.
        "s42_care_needs": "met", "s42_abuse": "not_met", "s42_unable_to_protect": "not_known"}


def test_a_next_step_from_another_decision_is_refused_in_words_that_say_why():
    form = DecideForm({**TOLD, "outcome": Outcome.NOT_SAFEGUARDING, "detail_s42_met": "police"},
                      pathway="oppd")
    assert not form.is_valid()
    assert form.errors["detail_not_safeguarding"] == [
        "‘Police-led’ does not fit the decision ‘Not a safeguarding concern’: choose "
        "‘Signposted to other support’, ‘Referred to another service’ or ‘No further action’"]


def test_no_next_step_names_the_ones_that_fit():
    form = DecideForm({**TOLD, "outcome": Outcome.S42_MET}, pathway="oppd")
    assert not form.is_valid()
    assert form.errors["detail_s42_met"] == [
        "Select who makes the enquiry for ‘A safeguarding concern: section 42 criteria met’: "
        "‘Made by the council’, ‘Caused to another organisation’ or ‘Police-led’"]


def test_the_step_that_fits_is_the_decisions_detail():
    form = DecideForm({**TOLD, "outcome": Outcome.NOT_SAFEGUARDING,
                       "detail_not_safeguarding": "nfa"}, pathway="oppd")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["detail"] == "nfa"


def test_each_decision_reveals_only_its_own_steps_and_withheld_reasons_only_when_withheld():
    html = render_crispy_form(DecideForm(pathway="oppd"))
    # one question per adult decision, each inside that decision's conditional reveal
    for outcome in (Outcome.S42_MET, Outcome.CONCERN_NOT_MET, Outcome.NOT_SAFEGUARDING):
        assert f'name="detail_{outcome}"' in html
    assert html.count('data-aria-controls="conditional-outcome-') == 3
    assert 'aria-controls="' not in html.replace('data-aria-controls="', "")
    withheld = html.index('id="conditional-share-2"')
    assert html.index('name="withheld_reason"') > withheld
    assert html.count("What is the decision?") == 1 and "The decision</legend>" not in html


def test_a_child_decision_has_no_next_step_question():
    form = DecideForm({**TOLD, "outcome": Outcome.NFA, "need_level": "level-1"}, pathway="mash")
    assert not any(name.startswith("detail_") for name in form.fields)
    assert form.is_valid(), form.errors
