"""Making Safeguarding Personal at closure (issue 15, item 7): an adult referral's closure
records whether the person's desired outcomes were achieved; a child's does not ask."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from audit.models import AuditEvent
from core.vocabulary import AuditAction, EventKind, MspOutcome, Pathway, Status
from referrals.models import ReferralEvent
from tests.factories import triage
from tests.factories.accounts import ReferrerFactory
from tests.factories.referrals import referral_submit
from triage.forms import CloseForm
from triage.transitions import TransitionError, msp_outcome_check

pytestmark = pytest.mark.django_db

CLOSE_FORM = {"reason": "Plan reviewed; risk reduced.", "share": "tell",
              "outcome_text": "The referral is closed.", "feedback_reason": "She is safe now."}


@pytest.fixture
def adult():
    return referral_submit(ReferrerFactory())


def test_an_adult_closure_without_the_answer_is_refused_and_changes_nothing(adult):
    events = ReferralEvent.objects.filter(referral=adult).count()
    for missing in ("", "somewhat"):
        with pytest.raises(TransitionError) as refused:
            triage.close(adult, msp_outcome=missing)
        assert refused.value.errors == {
            "msp_outcome": "Select whether the outcomes the person wanted were achieved"}
    adult.refresh_from_db()
    assert adult.status == Status.SUBMITTED and adult.msp_outcome == ""
    assert ReferralEvent.objects.filter(referral=adult).count() == events


def test_the_answer_is_stored_with_the_closure_through_the_record_writer(adult):
    triage.close(adult, msp_outcome=MspOutcome.PARTLY)
    adult.refresh_from_db()
    assert adult.status == Status.CLOSED and adult.msp_outcome == "partly"
    event = ReferralEvent.objects.get(referral=adult, kind=EventKind.CLOSED)
    assert event.detail["msp_outcome"] == "partly"
    assert AuditEvent.objects.filter(action=AuditAction.REFERRAL_CLOSED,
                                     detail__event=event.pk).count() == 1


def test_a_childs_closure_is_not_asked():
    referral = referral_submit(ReferrerFactory(), child=True)
    triage.close(referral, msp_outcome="fully")  # given anyway: not kept
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED and referral.msp_outcome == ""


@given(pathway=st.sampled_from(Pathway.every()),
       answer=st.one_of(st.sampled_from(MspOutcome.values), st.text(max_size=20)))
def test_the_rule_holds_for_every_pathway_and_answer(pathway, answer):
    """Adults: exactly the four answers are accepted. Others: always blank."""
    if not Pathway.is_adult(pathway):
        assert msp_outcome_check(pathway=pathway, msp_outcome=answer) == ""
    elif answer in MspOutcome.values:
        assert msp_outcome_check(pathway=pathway, msp_outcome=answer) == answer
    else:
        with pytest.raises(TransitionError):
            msp_outcome_check(pathway=pathway, msp_outcome=answer)


def test_the_form_asks_adults_only():
    adult_form = CloseForm(CLOSE_FORM, pathway="oppd")
    assert not adult_form.is_valid()
    assert adult_form.errors["msp_outcome"] == [
        "Select whether the outcomes the person wanted were achieved"]
    assert CloseForm({**CLOSE_FORM, "msp_outcome": "not_asked"}, pathway="oppd").is_valid()
    child_form = CloseForm(CLOSE_FORM, pathway="mash")
    assert "msp_outcome" not in child_form.fields and child_form.is_valid()


def test_the_close_page_shows_what_the_person_wanted_and_keeps_what_was_typed(client, adult):
    manager = triage.worker(adult, manager=True)
    client.force_login(manager)
    url = reverse("triage:action", args=[adult.pk, "close"])
    page = client.get(url).content.decode()
    assert "What the person wanted to happen" in page
    assert "She wants the money to stop going." in page  # the form's answer (factories)
    assert "Were the outcomes the person wanted achieved?" in page
    response = client.post(url, CLOSE_FORM)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select whether the outcomes the person wanted were achieved" in page
    assert "Plan reviewed; risk reduced." in page  # what was typed is kept
    response = client.post(url, {**CLOSE_FORM, "msp_outcome": "not_achieved"})
    assert response.status_code == 302
    adult.refresh_from_db()
    assert adult.status == Status.CLOSED and adult.msp_outcome == "not_achieved"


def test_a_childs_close_page_does_not_ask(client):
    child = referral_submit(ReferrerFactory(), child=True)
    client.force_login(triage.worker(child))
    page = client.get(reverse("triage:action", args=[child.pk, "close"])).content.decode()
    assert "What the person wanted to happen" not in page
    assert "Were the outcomes the person wanted achieved?" not in page
