"""Where a referral should go: a pure suggestion the referrer may accept or change.

Children (under 18) go to MASH whatever the need (Working Together 2023); adults go by their
main need. "Not sure", or an adult whose need we cannot place, goes to the configurable front
door (settings.FRONT_DOOR_PATHWAY). Staff can re-route later; the original clock keeps running.
"""

from dataclasses import dataclass
from datetime import date

from django.db import models

from core.vocabulary import Pathway

ADULT_AGE = 18


class MainNeed(models.TextChoices):
    OLDER_PHYSICAL = "older_physical", "Older age, frailty or a physical disability"
    MENTAL_HEALTH = "mental_health", "Mental health"
    LEARNING_DISABILITY = "learning_disability", "A learning disability or autism"
    NOT_SURE = "not_sure", "I'm not sure"


_BY_NEED = {
    MainNeed.OLDER_PHYSICAL: Pathway.OPPD,
    MainNeed.MENTAL_HEALTH: Pathway.MENTAL_HEALTH,
    MainNeed.LEARNING_DISABILITY: Pathway.LEARNING_DISABILITIES,
}


@dataclass(frozen=True)
class Suggestion:
    pathway: str
    reason: str

    @property
    def label(self) -> str:
        return Pathway(self.pathway).label


def age_on(dob: date, today: date) -> int:
    """Whole years between the date of birth and today."""
    years = today.year - dob.year
    if (today.month, today.day) < (dob.month, dob.day):
        years -= 1
    return years


def route_suggest(
    *,
    main_need: str,
    today: date,
    front_door: str,
    dob: date | None = None,
    age: int | None = None,
) -> Suggestion:
    """The suggested pathway and a one-line reason, from age (or date of birth) and main need.

    A date of birth wins over an approximate age; with neither the age counts as unknown.
    """
    known_age = age_on(dob, today) if dob is not None else age
    if known_age is not None and known_age < ADULT_AGE:
        return Suggestion(
            Pathway.MASH,
            f"They are {known_age}, under 18: concerns about children go to the "
            "Multi-Agency Safeguarding Hub (MASH).",
        )
    pathway = _BY_NEED.get(main_need)
    if pathway is None:
        return Suggestion(
            front_door,
            "You were not sure of their main need, so the referral goes to the "
            f"{Pathway(front_door).label} front door, who will pass it on if needed.",
        )
    who = "They are an adult" if known_age is not None else "Their age is not known"
    return Suggestion(
        pathway,
        f"{who} and their main need is {MainNeed(main_need).label.lower()}: this team "
        "handles adult safeguarding concerns for people with that need.",
    )
