"""Moving a step's answers between a form and the referral.

A form field whose name is a Referral column is stored in that column; every other field goes
into Referral.answers under its own name. Dates in answers are ISO strings. Keeping this mapping
generic is what lets a step (or a pathway's questions) change without new view code.
"""

from datetime import date

from crispy_forms_gds.fields import DateInputField
from django import forms

from .models import Referral

COLUMNS = {
    f.name for f in Referral._meta.concrete_fields
    if f.name not in {"id", "reference", "status", "referrer", "organisation", "team", "assignee",
                      "linked_to", "answers", "steps_done", "submission_key", "received_at",
                      "closed_at", "created_at", "updated_at", "draft_expires_at",
                      "draft_reminded_at", "rag_rating", "outcome", "msp_outcome"}
}


def _is_date(field) -> bool:
    return isinstance(field, (forms.DateField, DateInputField))


def _is_yes_no_bool(field) -> bool:
    return isinstance(field, forms.TypedChoiceField) and field.coerce is yes_to_bool


def yes_to_bool(value: str) -> bool:
    return value == "yes"


def values_load(referral: Referral, fields: dict) -> dict:
    """Initial values for these form fields from the referral (columns, then answers)."""
    initial = {}
    if referral.pk is None:
        # A referral not yet started has only model defaults: never pre-select an answer.
        return initial
    for name, field in fields.items():
        if name in COLUMNS:
            value = getattr(referral, name)
        else:
            value = referral.answers.get(name)
        if value is None or value == "":
            continue
        if _is_yes_no_bool(field):
            value = "yes" if value else "no"
        elif _is_date(field) and isinstance(value, str):
            value = date.fromisoformat(value)
        initial[name] = value
    return initial


def values_store(referral: Referral, values: dict) -> list[str]:
    """Write cleaned values onto the referral (unsaved); returns the columns changed."""
    changed = []
    for name, value in values.items():
        if name in COLUMNS:
            if value is None and not referral._meta.get_field(name).null:
                value = ""
            setattr(referral, name, value)
            changed.append(name)
        else:
            referral.answers[name] = value.isoformat() if isinstance(value, date) else value
    if values and any(name not in COLUMNS for name in values):
        changed.append("answers")
    return changed
