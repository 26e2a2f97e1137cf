"""Subject access for a person *named in* referrals (UK GDPR Article 15): the adult or child at
risk, or a person alleged to have caused harm. They usually have no account.

The privacy office (a council administrator) searches by full name and date of birth, sent in
a POST body (never in a URL), sees the matching referrals, and downloads a JSON or PDF export.
Searches, exports and refusals are audited with referral ids only, never the name or date.

Redaction (ICO guidance on third-party data in a subject access request; Data Protection Act
2018 Schedule 2 Part 3): the export holds what the portal records about the person, with every
*other* named person's details replaced by REDACTED and listed under `redactions` (what kind of
detail, in which referral, never its value). Withheld by default:
- the person at risk, for an alleged person's request, and anyone else in the referral;
- people alleged to have caused harm, for the person at risk's request;
- the referrer's identity (name, job title, organisation, contact details): referrers are
  third parties and many are volunteers, so identity is withheld unless the council's policy
  says otherwise (`SUBJECT_ACCESS_DISCLOSE_REFERRER`, default False);
- staff's names (notes and decisions carry no author here).
Free text (what happened, internal notes, duty notes, decision rationale, feedback) is included for the
person at risk but may name others: each such entry is marked `review: true` for the
information governance team, who redact it before disclosure. For an alleged person the
account of the concern is withheld pending review (it is mostly about the person at risk, and
the crime and serious-harm exemptions may apply). Nothing is disclosed automatically: the
export is the privacy office's working copy.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from audit.services import audit_record
from core.vocabulary import AuditAction, S42Criterion
from referrals import access
from referrals.models import AllegedPerson, Referral
from referrals.pdf import STATIC_PREFIX, StaticOnlyFetcher

REDACTED = "[REDACTED: third party]"
SCOPE = "named_person"
# How many referrals one search lists (a common name with a date of birth is a handful).
MAX_MATCHES = 200


def _decision_basis(decision) -> dict:
    """What a decision was made on: an adult's three section 42 criteria, one by one, or a
    child's level of need (issue 15 item 6). Only the keys the decision recorded."""
    basis = {}
    criteria = {criterion.label: getattr(decision, f"get_{criterion.value}_display")()
                for criterion in S42Criterion if getattr(decision, criterion.value)}
    if criteria:
        basis["section_42_criteria"] = criteria
    if decision.need_level is not None:
        basis["level_of_need"] = decision.need_level.name
    return basis

def name_normal(name: str) -> str:
    """Case and spacing do not matter: '  mary   EXAMPLE ' is 'mary example'."""
    return " ".join(name.split()).casefold()


def _name_regex(name: str) -> str:
    """A case-insensitive database regex for the whole name, any whitespace between words.
    Each word is escaped, so a name can never act as a pattern."""
    words = [re.escape(word) for word in name.split()]
    return r"^\s*" + r"\s+".join(words) + r"\s*$"


@dataclass
class Matches:
    as_subject: list[Referral] = field(default_factory=list)
    # The name matches but the referral records no date of birth (an approximate age): the
    # privacy office decides whether it is the same person.
    possible_subject: list[Referral] = field(default_factory=list)
    # (alleged person row, referral). Alleged persons have no date of birth in the portal, so
    # these match on the name alone and are always for review.
    as_alleged: list[tuple[AllegedPerson, Referral]] = field(default_factory=list)

    @property
    def referral_ids(self) -> list[int]:
        ids = [r.pk for r in self.as_subject + self.possible_subject]
        ids += [r.pk for _, r in self.as_alleged]
        return sorted(set(ids))

    def __len__(self) -> int:
        return len(self.as_subject) + len(self.possible_subject) + len(self.as_alleged)


def people_find(*, name: str, dob: date) -> Matches:
    """Referrals naming this person (name case- and whitespace-insensitive, date exact)."""
    if not name.split():
        return Matches()
    pattern = _name_regex(name)
    named = Q(person_name__iregex=pattern) | Q(person_other_names__iregex=pattern)
    base = Referral.objects.select_related("team", "organisation").order_by("created_at", "pk")
    alleged = (AllegedPerson.objects.filter(name__iregex=pattern)
               .select_related("referral", "referral__team").order_by("referral_id", "pk"))
    return Matches(
        as_subject=list(base.filter(named, person_dob=dob)[:MAX_MATCHES]),
        possible_subject=list(base.filter(named, person_dob__isnull=True)[:MAX_MATCHES]),
        as_alleged=[(row, row.referral) for row in alleged[:MAX_MATCHES]],
    )


def _check(actor) -> None:
    if not access.is_administrator(actor):
        raise PermissionDenied("Only the privacy office (council administrators) can do this.")


@transaction.atomic
def people_search(*, actor, name: str, dob: date, request=None) -> Matches:
    """The matching referrals; audited once per referral found (ids only) and once for the
    search itself, so each referral's audit shows that it was looked up."""
    _check(actor)
    matches = people_find(name=name, dob=dob)
    for referral_id in matches.referral_ids:
        audit_record(action=AuditAction.PRIVACY_SUBJECT_ACCESS_SEARCHED, actor=actor, request=request,
                     referral_id=referral_id, detail={"scope": SCOPE})
    audit_record(action=AuditAction.PRIVACY_SUBJECT_ACCESS_SEARCHED, actor=actor, request=request,
                 detail={"scope": SCOPE, "matches": len(matches),
                         "referral_ids": matches.referral_ids})
    return matches


# --- the export's content ---------------------------------------------------------------------

class Redactions:
    """What was withheld and where: kinds and referral references, never the values."""

    def __init__(self):
        self.items: list[dict] = []

    def mark(self, reference: str, what: str, value) -> str:
        if value in (None, "", [], {}):
            return ""
        self.items.append({"referral": reference, "withheld": what})
        return REDACTED


def _reference(referral: Referral) -> str:
    return referral.reference or f"draft {referral.pk}"


def _basics(referral: Referral) -> dict:
    return {
        "reference": _reference(referral), "status": referral.status,
        "pathway": referral.pathway, "team": referral.team.name if referral.team_id else "",
        "created_at": referral.created_at, "received_at": referral.received_at,
        "closed_at": referral.closed_at, "urgent": referral.urgent,
    }


def _referrer(referral: Referral, redactions: Redactions) -> dict:
    if settings.SUBJECT_ACCESS_DISCLOSE_REFERRER:
        return {"name": referral.referrer.full_name, "job_title": referral.referrer.job_title,
                "organisation": referral.organisation.name if referral.organisation_id else ""}
    ref = _reference(referral)
    return {"name": redactions.mark(ref, "referrer's name", referral.referrer.full_name),
            "job_title": redactions.mark(ref, "referrer's job title",
                                         referral.referrer.job_title),
            "organisation": redactions.mark(
                ref, "referrer's organisation",
                referral.organisation.name if referral.organisation_id else "")}


# Answers that identify or contact the referrer, or name other people.
REFERRER_ANSWERS = ("referrer_name", "referrer_job_title", "referrer_organisation",
                    "referrer_email", "referrer_phone")
OTHER_PEOPLE_ANSWERS = ("linked_children", "children", "other_professionals", "gp", "school",
                        "oppd_care_provider")


def _answers(referral: Referral, redactions: Redactions) -> dict:
    out = {}
    ref = _reference(referral)
    for key, value in sorted((referral.answers or {}).items()):
        if key in REFERRER_ANSWERS and not settings.SUBJECT_ACCESS_DISCLOSE_REFERRER:
            out[key] = redactions.mark(ref, f"answer '{key}' (the referrer)", value)
        elif key in OTHER_PEOPLE_ANSWERS:
            out[key] = redactions.mark(ref, f"answer '{key}' (other people)", value)
        else:
            out[key] = value
    return out


def _as_subject(referral: Referral, redactions: Redactions, *, possible: bool) -> dict:
    ref = _reference(referral)
    return {
        **_basics(referral),
        "match": "name only: no date of birth recorded" if possible else "name and date of birth",
        "about_you": {
            "name": referral.person_name, "other_names": referral.person_other_names,
            "date_of_birth": referral.person_dob, "age_approx": referral.person_age_approx,
            "address": referral.person_address, "postcode": referral.person_postcode,
            "gender": referral.person_gender,
        },
        "concern": {
            "categories": referral.categories, "pattern": referral.concern_pattern,
            "police_informed": referral.police_informed,
            "crime_reference": referral.crime_reference, "consent": referral.consent,
            "consent_grounds": referral.consent_grounds, "main_need": referral.main_need,
            "outcome": referral.outcome, "rag_rating": referral.rag_rating,
        },
        # Making Safeguarding Personal (issue 15 item 7): recorded at the closure of an adult
        # referral, about the person's own wishes, so theirs to see. Blank until then.
        "desired_outcomes_achieved": {
            "answer": referral.msp_outcome,
            "in_words": referral.get_msp_outcome_display() if referral.msp_outcome else "",
        },
        "answers": {"review": True, "values": _answers(referral, redactions)},
        "referrer": _referrer(referral, redactions),
        "people_alleged_to_have_caused_harm": [
            {"name": redactions.mark(ref, "alleged person's name", p.name),
             "relationship": p.get_relationship_display(),
             "agency_name": redactions.mark(ref, "alleged person's agency", p.agency_name),
             "others_at_risk_details": redactions.mark(ref, "others at risk", p.others_at_risk_details)}
            for p in referral.alleged_persons.all()
        ],
        # Issue 16: other people in the household are third parties: marked for redaction.
        "other_children_and_adults_in_the_household": [
            {"name": redactions.mark(ref, "household member's name", m.name),
             "relationship": m.relationship, "child_or_adult": m.child_or_adult,
             "age": m.age,
             "concern": redactions.mark(ref, "household member's concern", m.concern)}
            for m in referral.household_members.all()
        ],
        "timeline": [
            {"at": e.at, "kind": e.kind, "to_status": e.to_status, "words": e.reason,
             "review": True}
            for e in referral.events.all()
        ],
        "decisions": [
            {"at": d.decided_at, "action": d.action, "outcome": d.outcome, "detail": d.detail,
             "rationale": d.rationale, **_decision_basis(d), "review": True}
            for d in referral.decisions.select_related("need_level")
        ],
        "internal_notes": [
            {"at": n.created_at, "text": n.text, "review": True}
            for n in referral.internal_notes.all()
        ],
        # Issue 16, part 4: the staff's record of each parallel duty (done or not needed, and
        # their note): staff notes like the internal ones, without who recorded them.
        "parallel_duties": [
            {"duty": d.duty.name, "why": d.reason, "opened_at": d.triggered_at,
             "state": d.get_state_display(), "recorded_at": d.recorded_at, "note": d.note,
             "review": True}
            for d in referral.duties.select_related("duty")
        ],
        "feedback_to_referrer": [
            {"at": f.created_at, "outcome": f.outcome_text, "reason": f.reason,
             "signposting": f.signposting, "withheld": f.withheld, "review": True}
            for f in referral.feedback_records.all()
        ],
        "files": [
            {"name": redactions.mark(ref, "file name", a.original_name),
             "content_type": a.content_type, "size": a.size,
             "note": "The file's content is not in this export: information governance opens "
                     "it in the portal."}
            for a in referral.attachments.all()
        ],
    }


def _as_alleged(person: AllegedPerson, referral: Referral, redactions: Redactions) -> dict:
    ref = _reference(referral)
    return {
        **_basics(referral),
        "match": "name only: the portal records no date of birth for alleged persons",
        "about_you": {
            "name": person.name, "relationship": person.get_relationship_display(),
            "agency_name": person.agency_name, "lives_with_the_person": person.lives_with,
            "cares_for_the_person": person.cares_for,
            "contact_with_others_at_risk": person.contact_with_others_at_risk,
            "recorded_at": person.created_at,
        },
        "person_at_risk": {
            "name": redactions.mark(ref, "person at risk's name", referral.person_name),
            "date_of_birth": redactions.mark(ref, "person at risk's date of birth",
                                             referral.person_dob),
            "address": redactions.mark(ref, "person at risk's address",
                                       referral.person_address),
        },
        "others_at_risk_details": redactions.mark(ref, "others at risk",
                                                  person.others_at_risk_details),
        "concern": {
            "categories": referral.categories,
            "account": redactions.mark(ref, "account of the concern (withheld pending review: "
                                            "crime and serious harm exemptions)",
                                       referral.answers.get("what_happened", "")),
        },
        "referrer": _referrer(referral, redactions),
    }


def subject_access_person_data(*, name: str, dob: date, matches: Matches, now) -> dict:
    redactions = Redactions()
    data = {
        "generated_at": now.isoformat(),
        "scope": SCOPE,
        "person": {"name": " ".join(name.split()), "date_of_birth": dob},
        "for_review": (
            "Working copy for the council's information governance team. Other people's "
            "details are replaced by REDACTED and listed under 'redactions'. Entries marked "
            "review=true are free text that may name other people: review them before "
            "disclosure."
        ),
        "referrer_identity": "disclosed" if settings.SUBJECT_ACCESS_DISCLOSE_REFERRER
        else "withheld (third party)",
        "as_person_at_risk": [_as_subject(r, redactions, possible=False)
                              for r in matches.as_subject],
        "possibly_as_person_at_risk": [_as_subject(r, redactions, possible=True)
                                       for r in matches.possible_subject],
        "as_alleged_person": [_as_alleged(p, r, redactions) for p, r in matches.as_alleged],
    }
    data["redactions"] = redactions.items
    return data


PDF_SECTIONS = (
    ("as_person_at_risk", "As the person at risk"),
    ("possibly_as_person_at_risk", "Possibly as the person at risk (no date of birth recorded)"),
    ("as_alleged_person", "As a person alleged to have caused harm"),
)


def _reference_of(entry: dict) -> str:
    return entry["reference"]


def _rows(value, prefix: str = "") -> list[tuple[str, str]]:
    """A nested entry as (label, text) rows for the PDF; free text for review is flagged."""
    if isinstance(value, dict):
        rows = []
        review = value.get("review") is True
        for key, item in value.items():
            if key == "review":
                continue
            label = f"{prefix}{key.replace('_', ' ')}"
            for sub_label, text in _rows(item, f"{label} / " if isinstance(item, (dict, list))
                                         else ""):
                rows.append((sub_label if isinstance(item, (dict, list)) else label,
                             f"{text} [for review]" if review and text else text))
        return rows
    if isinstance(value, list):
        rows = []
        for number, item in enumerate(value, start=1):
            if isinstance(item, (dict, list)):
                rows += _rows(item, f"{prefix}{number} / ")
            else:
                rows.append((f"{prefix}{number}", str(item)))
        return rows
    if value is None:
        return [(prefix.rstrip(" /"), "")]
    if hasattr(value, "isoformat"):
        return [(prefix.rstrip(" /"), value.isoformat())]
    return [(prefix.rstrip(" /"), str(value))]


@transaction.atomic
def subject_access_person_export(*, actor, name: str, dob: date, fmt: str, request=None,
                                 now=None) -> bytes:
    """The export as JSON or PDF bytes; audited (format, scope, referral ids: no name)."""
    _check(actor)
    if fmt not in ("json", "pdf"):
        raise ValueError("Format must be json or pdf.")
    now = now or timezone.now()
    matches = people_find(name=name, dob=dob)
    data = subject_access_person_data(name=name, dob=dob, matches=matches, now=now)
    for referral_id in matches.referral_ids:
        audit_record(action=AuditAction.PRIVACY_SUBJECT_ACCESS_EXPORTED, actor=actor, request=request,
                     referral_id=referral_id, detail={"format": fmt, "scope": SCOPE})
    audit_record(action=AuditAction.PRIVACY_SUBJECT_ACCESS_EXPORTED, actor=actor, request=request,
                 detail={"format": fmt, "scope": SCOPE, "referral_ids": matches.referral_ids,
                         "redactions": len(data["redactions"])})
    if fmt == "json":
        return json.dumps(data, cls=DjangoJSONEncoder, indent=2).encode()
    sections = [
        (title, [(_reference_of(entry), _rows(entry)) for entry in data[key]])
        for key, title in PDF_SECTIONS
    ]
    html = render_to_string("privacy/subject_access_person.html",
                            {"data": data, "sections": sections})
    return HTML(string=html, base_url=STATIC_PREFIX + "/",
                url_fetcher=StaticOnlyFetcher()).write_pdf()
