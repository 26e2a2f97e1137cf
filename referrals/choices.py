"""Answer choices shared by the forms, the check-your-answers page and the PDF."""

from django.db import models

YES_NO = (("yes", "Yes"), ("no", "No"))
YES_NO_UNKNOWN = (("yes", "Yes"), ("no", "No"), ("unknown", "I do not know"))


class AdultCategory(models.TextChoices):
    """The ten categories of the Care Act 2014 statutory guidance (14.17), and radicalisation
    (issue 16, part 4: the Prevent duty covers adults too; the London Multi-Agency Adult
    Safeguarding Policy treats radicalisation as a safeguarding concern)."""

    PHYSICAL = "physical", "Physical abuse"
    DOMESTIC = "domestic", "Domestic abuse"
    SEXUAL = "sexual", "Sexual abuse"
    PSYCHOLOGICAL = "psychological", "Psychological or emotional abuse"
    FINANCIAL = "financial", "Financial or material abuse (including scams and cuckooing)"
    MODERN_SLAVERY = "modern_slavery", "Modern slavery"
    DISCRIMINATORY = "discriminatory", "Discriminatory abuse"
    ORGANISATIONAL = "organisational", "Organisational abuse"
    NEGLECT = "neglect", "Neglect or acts of omission"
    SELF_NEGLECT = "self_neglect", "Self-neglect"
    RADICALISATION = "radicalisation", "Radicalisation"


class ChildCategory(models.TextChoices):
    """Working Together 2023 categories, with the exploitation types London MASHs record."""

    PHYSICAL = "physical", "Physical abuse"
    EMOTIONAL = "emotional", "Emotional abuse"
    SEXUAL = "sexual", "Sexual abuse"
    NEGLECT = "neglect", "Neglect"
    CSE = "cse", "Child sexual exploitation (CSE)"
    CRIMINAL_EXPLOITATION = "criminal_exploitation", "Criminal exploitation, including county lines"
    FGM = "fgm", "Female genital mutilation (FGM)"
    RADICALISATION = "radicalisation", "Radicalisation"
    # Issue 16 (the SSCB papers: domestic abuse is in about 70% of children's safeguarding;
    # the missing-children and exploitation sub-groups; the board's work on social media).
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse (including seeing or hearing it)"
    MISSING = "missing", "Missing from home or care"
    ONLINE_HARM = "online_harm", "Online harm"


class ConsentGround(models.TextChoices):
    """Reasons to share without the adult's consent (Pan-London policy; information sharing)."""

    LACKS_CAPACITY = "lacks_capacity", "They lack the mental capacity to decide"
    OTHERS_AT_RISK = "others_at_risk", "Other people, including children, are at risk"
    CRIME = "crime", "A crime has been or may be committed"
    STAFF_IMPLICATED = "staff_implicated", "A member of staff or a volunteer is implicated"
    COERCION = "coercion", "They are being coerced, controlled or put under duress"
    HIGH_RISK = "high_risk", "The risk is high or life-threatening (vital interests)"
    PUBLIC_INTEREST = "public_interest", "It is in the public interest"
    COURT_ORDER = "court_order", "A court order or other legal duty applies"


CONSENT = (
    ("yes", "Yes, they agree to the referral"),
    ("no", "No, they do not agree"),
    ("not_asked", "They have not been asked"),
)

GENDER = (
    ("female", "Female"),
    ("male", "Male"),
    ("other", "Another gender or non-binary"),
    ("unknown", "Not known"),
)

AGE_KNOWN = (
    ("dob", "I know their date of birth"),
    ("approx", "I know roughly how old they are"),
    ("unknown", "I do not know their age"),
    # Issue 16: a pre-birth referral (the expected date of delivery is asked next).
    ("unborn", "The baby is not born yet (a pre-birth referral)"),
)

PATTERN = (("one_off", "It happened once"), ("ongoing", "It is ongoing or has happened more than once"))

WHERE = (
    ("own_home", "Their own home"),
    ("other_home", "Someone else's home"),
    ("care_home", "A care home or supported living"),
    ("hospital", "A hospital or health setting"),
    ("day_service", "A day centre, school or college"),
    ("public", "A public place"),
    ("online", "Online or by phone"),
    ("other", "Somewhere else"),
)

PATHWAY_NOT_SURE = "not_sure"


class HouseholdRelationship(models.TextChoices):
    """How a member of the household is related to the person the referral is about (issue 16:
    "the family's other children and the adults in the household")."""

    PARENT = "parent", "Parent or step-parent"
    PARENT_PARTNER = "parent_partner", "A parent's partner"
    SIBLING = "sibling", "Brother or sister (including half and step)"
    GRANDPARENT = "grandparent", "Grandparent"
    OTHER_RELATIVE = "other_relative", "Another relative"
    CARER = "carer", "Carer, foster carer or guardian"
    PARTNER = "partner", "Their own partner"
    CHILD = "child", "Their own child"
    LODGER = "lodger", "Lodger, friend or someone else staying"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Not known"


CHILD_OR_ADULT = (("child", "A child (under 18)"), ("adult", "An adult (18 or over)"),
                  ("unknown", "I do not know"))
