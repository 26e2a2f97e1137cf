"""Questions each pathway asks, as data.

Change a pathway's questions here and the form, the check-your-answers page and the PDF follow:
no view code names them. `kind` is one of "text", "textarea", "radios"; answers are stored in
Referral.answers under the question's key.
"""

from dataclasses import dataclass, field

from core.vocabulary import Pathway

YES_NO_UNKNOWN = (("yes", "Yes"), ("no", "No"), ("unknown", "I do not know"))


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    kind: str
    required: bool = False
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    # Shown when a required question is left unanswered: specific, as GOV.UK asks.
    error: str = ""


QUESTIONS: dict[str, tuple[Question, ...]] = {
    Pathway.OPPD: (
        Question(
            "oppd_care_package",
            "Do they have a package of care at home?",
            "radios",
            required=True,
            choices=YES_NO_UNKNOWN,
            error="Select whether they have a package of care at home",
        ),
        Question(
            "oppd_care_provider",
            "Who provides their care?",
            "text",
            hint="The care agency, care home or day service, if you know it",
        ),
    ),
    Pathway.MENTAL_HEALTH: (
        Question(
            "mh_care_coordinator_known",
            "Do they have a care coordinator?",
            "radios",
            required=True,
            choices=YES_NO_UNKNOWN,
            error="Select whether they have a care coordinator",
        ),
        Question(
            "mh_care_coordinator",
            "Care coordinator's name and team",
            "text",
            hint="Leave blank if you do not know",
        ),
    ),
    Pathway.LEARNING_DISABILITIES: (
        Question(
            "ld_support_provider",
            "Who supports them day to day?",
            "text",
            hint="For example a supported living provider, a day service or family",
        ),
        Question(
            "ld_advocate",
            "Do they have an advocate?",
            "radios",
            required=True,
            choices=YES_NO_UNKNOWN,
            error="Select whether they have an advocate",
        ),
    ),
    Pathway.MASH: (
        Question(
            "mash_siblings",
            "Brothers and sisters",
            "textarea",
            hint="Names and ages of any brothers or sisters, and where they live",
        ),
        Question(
            "mash_neglect_toolkit",
            "Have you completed a neglect toolkit?",
            "radios",
            required=True,
            choices=(("attached", "Yes, I will attach it"), ("no", "No")),
            error="Select whether you have completed a neglect toolkit",
        ),
        Question(
            "mash_early_help",
            "Has the family had early help?",
            "radios",
            required=True,
            choices=YES_NO_UNKNOWN,
            error="Select whether the family has had early help",
        ),
    ),
}

# The All Age Disability service (issue 16) asks what the learning disabilities team asks.
QUESTIONS[Pathway.ALL_AGE_DISABILITY] = QUESTIONS[Pathway.LEARNING_DISABILITIES]
# The LADO's own questions (the person's role, employer, whether the employer knows) are the
# "worker" step, asked whenever the concern is about someone's work, so PiPoT gets them too.
QUESTIONS[Pathway.LADO] = ()


def questions_for(pathway: str) -> tuple[Question, ...]:
    return QUESTIONS.get(pathway, ())
