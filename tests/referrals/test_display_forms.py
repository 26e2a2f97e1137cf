"""Issue 19: answers_display (check your answers, the PDF, staff's referral page) reads each
step's form built for display (StepForm.for_display): no crispy layout, the stored answers read
once, and no routing rules read when they cannot change which questions exist. What it shows
must be exactly what the question forms built the old way show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.vocabulary import Pathway
from pathways.duties import RISK_FIELD, risk_score
from referrals import services, steps
from referrals.answers import values_load
from referrals.display import (
    Section,
    _display,
    _empty,
    _route_rows,
    answers_display,
    household_member_text,
    summary_label,
)
from tests.factories.referrals import (
    complete_draft,
    pre_birth_overrides,
    referral_submit,
    risk_answers,
)

DOMESTIC = {"concern": {"categories": ["domestic", "physical"]},
            "risk-checklist": risk_answers(3, judgement="yes")}
CHILD_DOMESTIC = {**DOMESTIC, "concern": {"categories": ["domestic_abuse", "neglect"]}}
ALLEGED = {"name": "Pat Example", "relationship": "unknown", "lives_with": "yes",
           "cares_for": "no", "contact_with_others_at_risk": "unknown"}
HOUSEHOLD = [
    {"name": "Jo Child", "relationship": "sibling", "child_or_adult": "child", "age": "7",
     "lives_there": "yes"},
    {"name": "", "relationship": "parent_partner", "child_or_adult": "adult",
     "date_of_birth_0": "1", "date_of_birth_1": "2", "date_of_birth_2": "1990",
     "lives_there": "unknown", "concern": "Heavy drinking"},
]


def answers_display_as_before(referral) -> list[Section]:
    """The implementation before issue 19 (each step's full question form, values loaded again),
    kept here as the reference the display must match."""
    sections = []
    for step in steps.steps_for(referral):
        section = Section(step.key, step.section)
        if step.kind == "alleged":
            for number, person in enumerate(referral.alleged_persons.all(), start=1):
                section.rows.append((f"Person {number}", ", ".join(filter(None, [
                    person.name or "Name not known", person.get_relationship_display(),
                    person.agency_name,
                    f"lives with them: {person.lives_with}", f"cares for them: {person.cares_for}",
                    f"contact with others at risk: {person.contact_with_others_at_risk}",
                ]))))
            if not section.rows:
                section.rows.append(("People alleged to have caused harm", "None named"))
        elif step.kind == "household":
            for number, member in enumerate(referral.household_members.all(), start=1):
                section.rows.append((f"Person {number}",
                                     f"{member.name or 'Name not known'}: "
                                     f"{household_member_text(member)}"))
            if not section.rows:
                section.rows.append(("Other children and adults in the household",
                                     "None named"))
        elif step.kind == "attachments":
            for attachment in referral.attachments.all():
                section.rows.append((attachment.description or "File", attachment.original_name))
            if not section.rows:
                section.rows.append(("Files", "None attached"))
        else:
            form = step.form(referral=referral)
            assert form.helper.layout  # the question page's form, layout and all
            initial = values_load(referral, form.fields)
            for name, field_obj in form.fields.items():
                value = initial.get(name)
                if name == "pathway" and value:
                    value = Pathway(value).value
                if not field_obj.required and _empty(value):
                    continue
                section.rows.append((summary_label(field_obj.label), _display(field_obj, value)))
            if step.key == "pathway":
                section.rows.extend(_route_rows(referral))
            if step.key == "risk-checklist":
                asked = sum(1 for name in form.fields if RISK_FIELD.match(name))
                section.rows.append(("Number of ‘yes’ answers",
                                     f"{risk_score(referral.answers)} of {asked}"))
            if not section.rows:
                section.rows.append(("Answers", "None given"))
        sections.append(section)
    return sections


def _alleged_add(referral, referrer):
    form = steps.BY_KEY["alleged"].form(dict(ALLEGED), referral=referral)
    assert form.is_valid(), form.errors
    services.alleged_person_add(referral=referral, actor=referrer, values=form.values())
    referral.refresh_from_db()
    return referral


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["adult-linked", "child-household", "lado", "pre-birth",
                                  "adult-draft"])
def test_answers_display_matches_the_question_forms_built_the_old_way(referrer, kind):
    today = timezone.localdate()
    if kind == "adult-linked":  # children in the household: the linked MASH questions exist
        referral = referral_submit(referrer, linked=True, urgent=True, consent="no",
                                   feedback_preference="both", overrides=DOMESTIC)
    elif kind == "child-household":
        referral = referral_submit(referrer, child=True, household=HOUSEHOLD,
                                   overrides=CHILD_DOMESTIC)
    elif kind == "lado":
        referral = referral_submit(referrer, lado=True)
    elif kind == "pre-birth":
        referral = referral_submit(referrer, child=True, overrides=pre_birth_overrides(today))
    else:
        referral = _alleged_add(complete_draft(referrer, pathway="mental-health"), referrer)
    keys = {step.key for step in steps.steps_for(referral)}
    shown = answers_display(referral)
    assert shown == answers_display_as_before(referral)
    assert all(section.rows for section in shown)
    if kind == "adult-linked":
        rows = dict(next(s for s in shown if s.key == "pathway").rows)
        assert rows["Do you also want to refer the children to the Multi-Agency Safeguarding "
                    "Hub (MASH)?"] == "Yes"
        assert rows["The children: names and ages, if you know them"] == "Two children, 4 and 7"
        assert "risk-checklist" in keys
    if kind == "child-household":
        assert {"household", "child", "risk-checklist"} <= keys
    if kind == "lado":
        assert "worker" in keys
    if kind == "pre-birth":
        assert "pre-birth" in keys


@pytest.mark.django_db
def test_display_reads_no_routing_rules_without_children_in_the_household(referrer):
    """The pathway step's suggestion decides only whether the linked MASH questions exist, and
    they are offered only with children in the household: display skips the routing query
    (it was read on every staff page view)."""
    referral = referral_submit(referrer)
    assert referral.children_in_household == "no"
    with CaptureQueriesContext(connection) as queries:
        answers_display(referral)
    assert not [q for q in queries if "pathways_routingrule" in q["sql"]]
    linked = referral_submit(referrer, linked=True)
    with CaptureQueriesContext(connection) as queries:
        answers_display(linked)
    assert [q for q in queries if "pathways_routingrule" in q["sql"]]


@pytest.mark.django_db
def test_a_form_built_for_display_has_no_layout_until_a_page_renders_it(referrer):
    draft = complete_draft(referrer)
    for step in steps.steps_for(draft):
        if step.kind != "form":
            continue
        form = step.form.for_display(draft)
        assert "helper" not in form.__dict__
        assert form.loaded == values_load(draft, form.fields)
        assert form.helper.layout  # built on first use, as {% crispy form %} asks for it
