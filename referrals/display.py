"""Answers as labelled rows, for check your answers, the PDF and staff pages.

Walks the same step registry and forms as the question pages, so labels and choice names are
never written twice.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from core.vocabulary import Pathway
from pathways.duties import RISK_FIELD, risk_score
from pathways.routing import RouteFlag

from . import choices as c
from . import steps
from .ages import age_band
from .models import Referral


@dataclass
class Section:
    key: str
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)


def _display(field_obj, value) -> str:
    if value is None or value == "" or value == []:
        return "Not given"
    choices = dict(getattr(field_obj, "choices", []) or [])
    if isinstance(value, list):
        return "\n".join(str(choices.get(v, v)) for v in value)
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(choices.get(value, value))


def _empty(value) -> bool:
    return value is None or value == "" or value == []


OPTIONAL = re.compile(r"\s*\(optional\)\s*$", re.IGNORECASE)


def summary_label(label) -> str:
    """A question's label as a summary row's key: "(optional)" belongs on the question page,
    not in the summary of what was answered (GOV.UK check answers pattern)."""
    return OPTIONAL.sub("", str(label))


def answers_display(referral: Referral) -> list[Section]:
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
            form = step.form.for_display(referral)
            initial = form.loaded
            for name, field_obj in form.fields.items():
                value = initial.get(name)
                if name == "pathway" and value:
                    value = Pathway(value).value
                if not field_obj.required and _empty(value):
                    continue  # an optional question left blank, or one that did not apply
                section.rows.append((summary_label(field_obj.label), _display(field_obj, value)))
            if step.key == "pathway":
                section.rows.extend(_route_rows(referral))
            if step.key == "risk-checklist":
                asked = sum(1 for name in form.fields if RISK_FIELD.match(name))
                section.rows.append(("Number of ‘yes’ answers",
                                     f"{risk_score(referral.answers)} of {asked}"))
            if not section.rows:  # every question optional and none answered
                section.rows.append(("Answers", "None given"))
        sections.append(section)
    return sections


def household_member_text(member) -> str:
    """One household member in words (check your answers, the PDF, staff's page, the step's
    own list): relationship, child or adult, age, date of birth, whether they live there, and
    for an adult any concern."""
    relationship = dict(c.HouseholdRelationship.choices).get(member.relationship,
                                                             member.relationship)
    kind = {"child": "a child (under 18)", "adult": "an adult (18 or over)"}.get(
        member.child_or_adult, "not known whether a child or an adult")
    parts = [str(relationship), kind]
    if member.age is not None:
        parts.append(f"aged {member.age}")
    if member.date_of_birth:
        parts.append(f"born {_display(None, member.date_of_birth)}")
    lives = dict(c.YES_NO_UNKNOWN).get(member.lives_there, member.lives_there)
    parts.append(f"lives in the household: {str(lives).lower()}")
    text = "; ".join(parts)
    if member.concern:
        text += f"\nConcern: {member.concern}"
    return text


def _route_rows(referral: Referral) -> list[tuple[str, str]]:
    """The routing rule that suggested the team and its flags (issue 16), when recorded."""
    rows = []
    flags = referral.answers.get("route_flags") or []
    if flags:
        labels = dict(RouteFlag.choices)
        rows.append(("Flags", "\n".join(str(labels.get(flag, flag)) for flag in flags)))
    return rows


@dataclass(frozen=True)
class DraftSummary:
    """How a draft reads in the referrer's list: whose (initials or age band, never the name),
    the team, the last page reached, and when it is deleted."""

    referral: Referral
    whose: str
    team: str
    reached: str
    step_number: int
    step_total: int


def initials(name: str) -> str:
    return " ".join(part[0].upper() for part in name.split() if part[:1].isalpha())


def draft_summary(referral: Referral, *, today: date) -> DraftSummary:
    if referral.person_name.strip():
        whose = f"Person with initials {initials(referral.person_name)}"
    else:
        band = age_band(dob=referral.person_dob, approx=referral.person_age_approx, today=today)
        whose = f"Person aged {band}" if band != "Not known" else "Person not named yet"
    done = [step for step in steps.steps_for(referral) if step.key in referral.steps_done]
    last = done[-1] if done else None
    number, total = steps.step_number(referral, last.key) if last else (0, 0)
    if not total:
        total = steps.step_number(referral, "urgency")[1]
    return DraftSummary(
        referral=referral, whose=whose,
        team=Pathway(referral.pathway).label if referral.pathway else "Not chosen yet",
        reached=last.section if last else "Not started", step_number=number, step_total=total,
    )
