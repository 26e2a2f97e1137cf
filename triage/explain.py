"""Decisions that explain themselves (issue 15 item 6): the rules for what staff record with a
decision (the three section 42 criteria for adults, the level of need for children, services
from the directory), and the plain words the referrer reads about it.

The complaint this answers is the vague "doesn't meet threshold" reply: the referrer is told
which of the three section 42 criteria was not met, or which level of need the child's
situation was judged to be at, in words a volunteer understands.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from core.vocabulary import CriterionAnswer, Outcome, Pathway, S42Criterion
from directory.models import Service
from pathways.models import ThresholdLevel

CRITERIA = tuple(S42Criterion.values)  # the Decision columns, in the Act's order
MET, NOT_MET, NOT_KNOWN = CriterionAnswer.MET, CriterionAnswer.NOT_MET, CriterionAnswer.NOT_KNOWN

# Decisions that mean no section 42 enquiry: at least one criterion must be not met.
NO_ENQUIRY = (Outcome.CONCERN_NOT_MET, Outcome.NOT_SAFEGUARDING)

# For the staff form: the question for each criterion (the Act's words, shortened).
QUESTIONS = {
    S42Criterion.CARE_NEEDS: "Does the adult have needs for care and support?",
    S42Criterion.ABUSE: "Is the adult experiencing, or at risk of, abuse or neglect?",
    S42Criterion.UNABLE_TO_PROTECT: "As a result of those needs, is the adult unable to "
                                    "protect themselves from the abuse or neglect?",
}
SHORT = {
    S42Criterion.CARE_NEEDS: "care and support needs",
    S42Criterion.ABUSE: "abuse or neglect",
    S42Criterion.UNABLE_TO_PROTECT: "unable to protect themselves",
}

# What the referrer reads when a criterion was not met: which one, in plain words.
NOT_MET_WORDS = {
    S42Criterion.CARE_NEEDS:
        "We did not find that the person has needs for care and support (for example because "
        "of an illness, a disability, frailty or a mental health condition).",
    S42Criterion.ABUSE:
        "We did not find that the person is being abused or neglected, or is at risk of it.",
    S42Criterion.UNABLE_TO_PROTECT:
        "We found that the person is able to protect themselves from the abuse or neglect: "
        "their care and support needs do not stop them from doing so.",
}
LAW = ("The council must make safeguarding enquiries (section 42 of the Care Act 2014) when "
       "all three of these apply to an adult: they have needs for care and support; they are "
       "experiencing, or at risk of, abuse or neglect; and because of those needs they cannot "
       "protect themselves from it.")


def is_adult(pathway: str) -> bool:
    return pathway in Pathway.adult()


def is_child(pathway: str) -> bool:
    return pathway in Pathway.child()


def criteria_errors(*, outcome: str, criteria: Mapping[str, str]) -> dict[str, str]:
    """Field errors for the three criteria of an adult decision; empty when they fit it."""
    errors = {}
    for name in CRITERIA:
        if criteria.get(name) not in CriterionAnswer.values:
            errors[name] = (f"Select whether the criterion ‘{SHORT[name]}’ is met, not met or "
                            "not known")
    if errors:
        return errors
    answers = [criteria[name] for name in CRITERIA]
    if outcome in NO_ENQUIRY and NOT_MET not in answers:
        errors[CRITERIA[0]] = (
            f"‘{Outcome(outcome).label}’ means no section 42 enquiry: select ‘Not met’ for "
            "the criterion that is not met, so the referrer can be told which one")
    if outcome == Outcome.S42_MET:
        for name, answer in zip(CRITERIA, answers, strict=True):
            if answer != MET:
                errors[name] = (f"Section 42 criteria met means all three are met: the "
                                f"criterion ‘{SHORT[name]}’ is not recorded as met")
                break
    return errors


def level_errors(need_level: str) -> dict[str, str]:
    if not need_level:
        return {"need_level": "Select the child's level of need"}
    if not ThresholdLevel.objects.active().filter(code=need_level).exists():
        return {"need_level": "Select one of the levels of need listed"}
    return {}


def services_errors(service_ids: Iterable[int]) -> dict[str, str]:
    ids = set(service_ids)
    if ids and Service.objects.active().filter(pk__in=ids).count() != len(ids):
        return {"services": "Select services from the directory list (one you chose is no "
                            "longer offered)"}
    return {}


def decision_errors(*, pathway: str, outcome: str, criteria: Mapping[str, str] | None,
                    need_level: str | None, service_ids: Iterable[int] = ()) -> dict[str, str]:
    """Every field error of what staff record with a decision. The rules bind every caller,
    not only the decision form: an adult decision needs the three criteria and a MASH decision
    the level of need, so `criteria` or `need_level` None is an error there, as blank is."""
    errors = {}
    if is_adult(pathway) and outcome in Outcome.adult():
        errors.update(criteria_errors(outcome=outcome, criteria=criteria or {}))
    if is_child(pathway):
        errors.update(level_errors(need_level or ""))
    errors.update(services_errors(service_ids))
    return errors


def criteria_words(*, outcome: str, criteria: Mapping[str, str]) -> str:
    """The section 42 decision in plain words for the referrer."""
    if not criteria or any(criteria.get(n) not in CriterionAnswer.values for n in CRITERIA):
        return ""
    if outcome == Outcome.S42_MET:
        return ("All three things section 42 of the Care Act 2014 asks about apply: the person "
                "has needs for care and support, is experiencing or at risk of abuse or "
                "neglect, and because of those needs cannot protect themselves. So the council "
                "will make safeguarding enquiries.")
    not_met = [NOT_MET_WORDS[n] for n in CRITERIA if criteria[n] == NOT_MET]
    if not not_met:
        return ""
    which = "this one does" if len(not_met) == 1 else "these do"
    return f"{LAW} For this referral, {which} not apply:\n" + "\n".join(
        f"• {words}" for words in not_met)


def level_words(level: ThresholdLevel | None) -> str:
    """The child's level of need in plain words for the referrer."""
    if level is None:
        return ""
    return (f"We decided the child's needs are at {level.name}, under the safeguarding "
            f"children partnership's threshold document. {level.summary}")


def explanation_for(*, pathway: str, outcome: str, criteria: Mapping[str, str] | None,
                    level: ThresholdLevel | None) -> str:
    if is_adult(pathway) and criteria:
        return criteria_words(outcome=outcome, criteria=criteria)
    if is_child(pathway):
        return level_words(level)
    return ""
