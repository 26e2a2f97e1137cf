"""Parallel duties (issue 16, part 4): which of them a referral's answers trigger, and why.

The rules are rows (pathways.duty_models.ParallelDuty, RiskQuestion: the admin); the engine
(`duties_triggered`) is pure: it takes plain copies of the rows and the facts of one referral
and returns the duties it triggers, each with its reason in words. The form (prompts to the
referrer), submission (the staff checklist's items) and the tests all call the same engine.
Where each default comes from: docs/routing.md, "Parallel duties".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from .calendar import WorkingCalendar
from .duty_models import DutyTrigger, Obligation, ParallelDuty, RiskQuestion
from .models import ContactKind, ContactPoint
from .policies import cached_setting

RISK_FIELD = re.compile(r"^risk_(\d+)$")
RISK_JUDGEMENT = "risk_judgement"
PRIVATE_FOSTERING = "private_fostering"
PRIVATE_FOSTERING_YES = "yes"
PIPOT_FLAG = "pipot"  # pathways.routing_models.RouteFlag.PIPOT
UNSET = "set by the council"

# Categories that offer the risk checklist step: the adults' and the children's domestic abuse.
DOMESTIC_ABUSE = frozenset({"domestic", "domestic_abuse"})


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    email: str
    hours: str

    @property
    def phone_text(self) -> str:
        return self.phone or UNSET


@dataclass(frozen=True)
class DutyRule:
    """A plain copy of a ParallelDuty row (the engine takes no model instances)."""

    pk: int
    key: str
    name: str
    trigger: str
    obligation: str
    referrer_text: str
    staff_text: str
    categories: frozenset[str] = frozenset()
    threshold: int | None = None
    contact: Contact | None = None

    @property
    def obligation_label(self) -> str:
        return Obligation(self.obligation).label


@dataclass(frozen=True)
class DutyFacts:
    """What the engine needs of a referral."""

    categories: frozenset[str] = frozenset()
    risk_score: int = 0
    risk_answered: bool = False
    risk_judgement: bool = False
    private_fostering: bool = False
    pipot: bool = False
    urgent: bool = False
    out_of_hours: bool = False


@dataclass(frozen=True)
class Triggered:
    rule: DutyRule
    reason: str


def risk_score(answers: Mapping) -> int:
    """The checklist's score: the number of 'yes' answers (SafeLives DASH RIC: each 'yes' is
    one risk indicator; 'not known' and 'no' count nothing)."""
    return sum(1 for key, value in answers.items() if RISK_FIELD.match(key) and value == "yes")


def risk_answered(answers: Mapping) -> bool:
    return any(RISK_FIELD.match(key) for key in answers)


def facts_of(*, categories: Iterable[str], answers: Mapping, urgent: bool,
             out_of_hours: bool) -> DutyFacts:
    return DutyFacts(
        categories=frozenset(categories or ()), risk_score=risk_score(answers),
        risk_answered=risk_answered(answers),
        risk_judgement=answers.get(RISK_JUDGEMENT) == "yes",
        private_fostering=answers.get(PRIVATE_FOSTERING) == PRIVATE_FOSTERING_YES,
        pipot=PIPOT_FLAG in (answers.get("route_flags") or ()),
        urgent=urgent, out_of_hours=out_of_hours,
    )


def domestic_abuse(categories: Iterable[str]) -> bool:
    return bool(DOMESTIC_ABUSE & set(categories or ()))


def _reason(rule: DutyRule, facts: DutyFacts) -> str | None:
    """Why `rule` applies to `facts`, in words; None when it does not."""
    if rule.trigger == DutyTrigger.CATEGORIES:
        chosen = sorted(rule.categories & facts.categories)
        return f"category selected: {', '.join(chosen)}" if chosen else None
    if rule.trigger == DutyTrigger.RISK_CHECKLIST:
        if not facts.risk_answered:
            return None
        above = rule.threshold is not None and facts.risk_score >= rule.threshold
        if above and facts.risk_judgement:
            return (f"risk checklist: {facts.risk_score} 'yes' answers (threshold "
                    f"{rule.threshold}) and the referrer judges the risk high")
        if above:
            return f"risk checklist: {facts.risk_score} 'yes' answers (threshold {rule.threshold})"
        if facts.risk_judgement:
            return (f"the referrer judges the risk high (professional judgement; checklist "
                    f"score {facts.risk_score})")
        return None
    if rule.trigger == DutyTrigger.PRIVATE_FOSTERING:
        return ("the child lives with someone who is not a parent or close relative for 28 days "
                "or more" if facts.private_fostering else None)
    if rule.trigger == DutyTrigger.OUT_OF_HOURS_URGENT:
        return ("an urgent referral sent outside working hours"
                if facts.urgent and facts.out_of_hours else None)
    if rule.trigger == DutyTrigger.PIPOT:
        return "the concern is about an adult in a position of trust" if facts.pipot else None
    return None


def duties_triggered(rules: Iterable[DutyRule], facts: DutyFacts) -> list[Triggered]:
    """The duties `facts` trigger, in the rules' order, each with its reason."""
    return [Triggered(rule, reason) for rule in rules
            if (reason := _reason(rule, facts)) is not None]


def out_of_hours(now: datetime, calendar: WorkingCalendar) -> bool:
    """Outside the council's working time (evenings, weekends, bank holidays, closure days)."""
    return not calendar.is_working_time(now)


# --- Reading the rows ------------------------------------------------------------------------

def _contact(point: ContactPoint | None) -> Contact | None:
    if point is None:
        return None
    return Contact(name=point.name, phone=point.phone, email=point.email, hours=point.hours)


def duty_rules() -> list[DutyRule]:
    """The active duties, as plain rules (cached per process like the clock settings:
    pathways.policies; submission pays no query for them)."""
    return cached_setting("duties", lambda: [
        DutyRule(pk=row.pk, key=row.key, name=row.name, trigger=row.trigger,
                 obligation=row.obligation, referrer_text=row.referrer_text,
                 staff_text=row.staff_text, categories=frozenset(row.categories or ()),
                 threshold=row.threshold, contact=_contact(row.contact))
        for row in ParallelDuty.objects.filter(active=True).select_related("contact")
    ])


def risk_threshold() -> int | None:
    """The MARAC threshold (the first active risk-checklist duty's), for the form's words."""
    return next((rule.threshold for rule in duty_rules()
                 if rule.trigger == DutyTrigger.RISK_CHECKLIST), None)


def risk_questions() -> list[RiskQuestion]:
    return list(RiskQuestion.objects.filter(active=True))


# --- Defaults: migration pathways 0011 writes these; duties_ensure re-creates them after a
# test flush. Contacts without a known number are left blank ("set by the council").
DUTY_CONTACTS = {
    "marac": ("MARAC coordinator (domestic abuse)", "Monday to Friday, 9am to 5pm", 20),
    "prevent": ("Prevent team (radicalisation)", "Monday to Friday, 9am to 5pm", 21),
    "nrm": ("Modern slavery single point of contact", "Monday to Friday, 9am to 5pm", 22),
    "private-fostering": ("Private fostering team", "Monday to Friday, 9am to 5pm", 23),
    "pipot": ("PiPoT lead (adults' safeguarding)", "Monday to Friday, 9am to 5pm", 24),
}

DEFAULT_DUTIES = [
    dict(key="marac", name="MARAC referral (high-risk domestic abuse)", order=10,
         trigger=DutyTrigger.RISK_CHECKLIST, threshold=14, obligation=Obligation.SHOULD,
         referrer_text="The answers suggest a high risk of serious harm from domestic abuse. "
                       "Refer the case to the MARAC (the multi-agency risk assessment "
                       "conference) through your organisation's MARAC lead or the MARAC "
                       "coordinator, and offer the person a referral to an independent domestic "
                       "violence adviser (IDVA). This referral does not do that for you.",
         staff_text="Check a MARAC referral has been made (by the referrer's agency or by us) "
                    "and that the children's social care and the IDVA service know.",
         source="SafeLives DASH risk identification checklist (24 questions; 14 or more 'yes' "
                "is visible high risk, or professional judgement); SafeLives MARAC guidance; "
                "Domestic Abuse Act 2021"),
    dict(key="prevent", name="Prevent referral (radicalisation)", order=20,
         trigger=DutyTrigger.CATEGORIES, categories=["radicalisation"],
         obligation=Obligation.SHOULD,
         referrer_text="You said the concern includes radicalisation. If you think someone is "
                       "being drawn into terrorism, also make a Prevent referral to the "
                       "council's Prevent team (who may take it to Channel). If there is an "
                       "immediate risk, call 999.",
         staff_text="Check a Prevent referral has been made and whether the Channel panel "
                    "will consider it.",
         source="Counter-Terrorism and Security Act 2015, s26 (the Prevent duty) and s36 "
                "(Channel); Prevent duty guidance 2023"),
    dict(key="nrm", name="Modern slavery: duty to notify / National Referral Mechanism",
         order=30, trigger=DutyTrigger.CATEGORIES,
         categories=["modern_slavery", "criminal_exploitation"], obligation=Obligation.MUST,
         referrer_text="You said the concern may include modern slavery or exploitation. If "
                       "you work for a public authority with the duty to notify (the police, a "
                       "local authority, the National Crime Agency, the Gangmasters and Labour "
                       "Abuse Authority or the Home Office), you must notify the Home Office "
                       "(an NRM referral, or an anonymous notification for an adult who does "
                       "not consent). Otherwise the council, as a first responder, will "
                       "consider it.",
         staff_text="Check the Home Office has been notified (NRM referral, or duty to notify "
                    "for an adult who does not consent); children need no consent.",
         source="Modern Slavery Act 2015, s52 (duty to notify); Modern Slavery statutory "
                "guidance for England and Wales (NRM first responders)"),
    dict(key="private-fostering", name="Private fostering notification", order=40,
         trigger=DutyTrigger.PRIVATE_FOSTERING, obligation=Obligation.SHOULD,
         referrer_text="A child under 16 (under 18 if disabled) living with someone who is not "
                       "a parent or close relative for 28 days or more is privately fostered. "
                       "The parents and the carer must tell the council; as a professional who "
                       "knows, tell the private fostering team too.",
         staff_text="Check the private fostering team has been notified and will visit within "
                    "7 working days.",
         source="Children Act 1989, s66 and s105 (close relative); Children (Private "
                "Arrangements for Fostering) Regulations 2005; Working Together 2023"),
    dict(key="edt", name="Emergency Duty Team told (out of hours)", order=50,
         trigger=DutyTrigger.OUT_OF_HOURS_URGENT, obligation=Obligation.DONE_FOR_YOU,
         referrer_text="It is outside working hours, so the Emergency Duty Team is emailed when "
                       "you send this urgent referral. If someone is at risk now, phone them; "
                       "if anyone is in immediate danger, call 999.",
         staff_text="Check the Emergency Duty Team saw the referral and record what they did.",
         source="Issue 15, item 4; the council's out-of-hours arrangements (Emergency Duty "
                "Team)"),
    dict(key="pipot", name="Person in a position of trust (PiPoT)", order=60,
         trigger=DutyTrigger.PIPOT, obligation=Obligation.SHOULD,
         referrer_text="The concern is about a person in a position of trust. Tell the "
                       "person's employer or the organisation they volunteer for, unless that "
                       "would put someone at risk or harm a police investigation; the council's "
                       "PiPoT lead will consider what else is needed.",
         staff_text="Check the employer has been told (or why not) and the PiPoT lead has "
                    "considered it.",
         source="Care and support statutory guidance 14.120-14.132; London Multi-Agency Adult "
                "Safeguarding Policy and Procedures (PiPoT)"),
]

# Close paraphrases of the 24 questions of the SafeLives DASH risk identification checklist
# (the checklist is copyright; the council should load its own licensed wording here in the
# admin). Asked about the person at risk, by the professional making the referral.
DEFAULT_RISK_QUESTIONS = [
    "Did the latest incident cause an injury?",
    "Is the person very frightened?",
    "Are they afraid of further injury or violence?",
    "Is the person cut off from family or friends (is the abuser stopping them seeing people)?",
    "Are they feeling depressed or having suicidal thoughts?",
    "Have they separated, or tried to separate, from the abuser in the past year?",
    "Is there conflict over contact with children?",
    "Does the abuser keep texting, calling, contacting, following, stalking or harassing them?",
    "Is the person pregnant, or have they had a baby in the last 18 months?",
    "Is the abuse happening more often?",
    "Is the abuse getting worse?",
    "Does the abuser try to control everything they do, or are they very jealous?",
    "Has the abuser ever used a weapon or an object to hurt them?",
    "Has the abuser ever threatened to kill them or someone else, and they believed it?",
    "Has the abuser ever tried to strangle, choke, suffocate or drown them?",
    "Does the abuser do or say sexual things that make them feel bad or that hurt them?",
    "Is there anyone else who has threatened them, or whom they are afraid of?",
    "Do you know whether the abuser has hurt anyone else (children, relatives, others)?",
    "Has the abuser ever mistreated an animal or a family pet?",
    "Are there money problems, or does the abuser depend on them financially?",
    "Has the abuser had problems in the past year with drugs, alcohol or mental health?",
    "Has the abuser ever threatened or attempted suicide?",
    "Has the abuser ever broken bail, an injunction or a formal contact agreement?",
    "Do you know whether the abuser has been in trouble with the police or has a criminal "
    "record?",
]


def duties_ensure() -> None:
    """Create any missing default duty, its contact point and the risk questions (by key or
    number). Administrators' edits are kept."""
    for name, hours, order in DUTY_CONTACTS.values():
        ContactPoint.objects.get_or_create(
            kind=ContactKind.DUTY, name=name,
            defaults={"phone": "", "hours": hours, "order": order})
    contacts = {point.name: point for point in ContactPoint.objects.filter(kind=ContactKind.DUTY)}
    edt = ContactPoint.objects.filter(kind=ContactKind.EDT).order_by("order", "pk").first()
    for duty in DEFAULT_DUTIES:
        key = duty["key"]
        contact = edt if key == "edt" else contacts.get(DUTY_CONTACTS.get(key, ("",))[0])
        ParallelDuty.objects.get_or_create(key=key, defaults={**duty, "contact": contact})
    for number, text in enumerate(DEFAULT_RISK_QUESTIONS, start=1):
        RiskQuestion.objects.get_or_create(number=number, defaults={"text": text})
