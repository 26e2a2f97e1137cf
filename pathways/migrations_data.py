"""Reference data that data migrations create, re-creatable after a test flush."""

from .models import ContactKind, ContactPoint

CONTACTS = [
    ("pathway", "oppd", "OPPD contact centre", "020 7525 3324", "Monday to Friday, 9am to 5pm", 1),
    (
        "pathway",
        "mental-health",
        "Mental health safeguarding team",
        "020 7525 0088",
        "Monday to Friday, 9am to 5pm",
        2,
    ),
    (
        "pathway",
        "learning-disabilities",
        "Learning disabilities team",
        "020 7525 2333",
        "Monday to Friday, 9am to 5pm",
        3,
    ),
    (
        "pathway",
        "mash",
        "Multi-Agency Safeguarding Hub (MASH)",
        "020 7525 1921",
        "Monday to Friday, 9am to 5pm",
        4,
    ),
    # Issue 16's teams: numbers and hours set by the council (blank until an administrator
    # enters them; not shown while blank).
    ("pathway", "all-age-disability", "All Age Disability service (0 to 25)", "", "", 6),
    ("pathway", "lado", "Local Authority Designated Officer (LADO)", "", "", 7),
    (
        ContactKind.EDT,
        "",
        "Emergency Duty Team (out of hours)",
        "020 7525 5000",
        "Evenings, weekends and bank holidays",
        5,
    ),
]


def contact_points_ensure() -> None:
    """Create any missing default contact point. Administrators' edits are kept."""
    for kind, pathway, name, phone, hours, order in CONTACTS:
        ContactPoint.objects.get_or_create(
            kind=kind,
            pathway=pathway,
            defaults={"name": name, "phone": phone, "hours": hours, "order": order},
        )


# The children's levels of need (pathways.threshold_models), in the London continuum-of-need
# style. Administrators set the guidance links to the partnership's own threshold document.
THRESHOLD_GUIDANCE = "https://www.londonsafeguardingchildrenprocedures.co.uk/"
THRESHOLD_LEVELS = [
    ("level-1", 1, "Level 1: Universal",
     "The child's needs can be met by everyday services, such as their school, nursery, GP or "
     "health visitor, without extra help from children's services."),
    ("level-2", 2, "Level 2: Early help (additional needs)",
     "The child and family would benefit from extra support, agreed with them, from one "
     "service or an early help worker, to stop problems growing."),
    ("level-3", 3, "Level 3: Family help (complex needs)",
     "The family needs support from several services working together, led by a family help "
     "worker, with the family's agreement. This can include an assessment as a child in need "
     "(section 17 of the Children Act 1989)."),
    ("level-4", 4, "Level 4: Acute (statutory and specialist)",
     "The child may be suffering, or be likely to suffer, significant harm. Children's social "
     "care acts to protect them: a strategy discussion, a child protection enquiry (section 47) "
     "or immediate protection."),
]


def threshold_levels_ensure() -> None:
    """Create any missing default level. Administrators' edits are kept."""
    from .models import ThresholdLevel

    for code, number, name, summary in THRESHOLD_LEVELS:
        ThresholdLevel.objects.get_or_create(
            code=code, defaults={"number": number, "name": name, "summary": summary,
                                 "guidance_url": THRESHOLD_GUIDANCE})
