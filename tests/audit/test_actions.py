"""Audit actions are one enumerated list (core.vocabulary.AuditAction) in one naming style."""

import re

import pytest

from audit.models import AuditEvent
from audit.services import audit_record, audit_record_bulk, audit_row
from core.vocabulary import AuditAction


def test_a_bare_string_is_refused_and_nothing_is_written(db):
    with pytest.raises(TypeError, match="AuditAction"):
        audit_record(action="referral.viewed", referral_id=1)
    assert not AuditEvent.objects.exists()


def test_the_bulk_form_refuses_a_row_with_an_unknown_action(db):
    with pytest.raises(ValueError):
        audit_record_bulk([AuditEvent(action="referral.view")])
    with pytest.raises(TypeError):
        audit_row(action="deadline.met")
    assert not AuditEvent.objects.exists()


def test_every_action_is_noun_dot_past_tense_and_has_words():
    # "referral.viewed", never "referral.view" or "referral_viewed" beside it.
    for action in AuditAction:
        assert re.fullmatch(r"[a-z]+\.[a-z_]+", action.value), action
        assert action.label and action.label != action.value
    assert len(set(AuditAction.values)) == len(AuditAction)


def test_a_row_from_before_the_list_shows_its_stored_words():
    assert AuditAction.label_of("referral.viewed") == "Viewed a referral"
    assert AuditAction.label_of("referral.decide") == "referral.decide"
