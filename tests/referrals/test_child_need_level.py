"""The referrer's own view of the child's level of need (issue 15 item 6, issue 16 item 3): an
optional question on the child step, its choices the threshold rows administrators keep, with
a link to the guidance; the MASH worker sees it when deciding."""

import pytest

from pathways.models import ThresholdLevel
from referrals.forms import ChildForm
from referrals.models import Referral
from tests.factories.referrals import referral_submit
from triage.forms import DecideForm

pytestmark = pytest.mark.django_db

BASE = {"parents_aware": "yes", "parents_agree": "yes", "child_too_young": "on"}


def test_the_question_is_optional_and_offers_the_active_levels_and_not_sure():
    ThresholdLevel.objects.filter(code="level-4").update(active=False)
    form = ChildForm(BASE, referral=Referral())
    assert form.is_valid(), form.errors
    assert [c for c, _ in form.fields["need_level"].choices] == [
        "level-1", "level-2", "level-3", "not_sure"]
    assert 'href="https://www.londonsafeguardingchildrenprocedures.co.uk/"' in str(
        form.fields["need_level"].help_text)
    refused = ChildForm({**BASE, "need_level": "level-4"}, referral=Referral())
    assert refused.errors["need_level"] == [
        "Select one of the levels of need, or I'm not sure"]


def test_the_answer_is_kept_and_shown_to_the_mash_worker(referrer):
    child = referral_submit(referrer, child=True, overrides={"child": {"need_level": "level-2"}})
    assert child.answers["need_level"] == "level-2"
    form = DecideForm(pathway="mash", suggested_level=child.answers["need_level"])
    assert form.fields["need_level"].help_text == (
        "The referrer thought: Level 2: Early help (additional needs).")


def test_an_administrator_renaming_a_level_changes_the_question():
    ThresholdLevel.objects.filter(code="level-2").update(name="Level 2: Support for families")
    form = ChildForm(referral=Referral())
    assert ("level-2", "Level 2: Support for families") in form.fields["need_level"].choices
