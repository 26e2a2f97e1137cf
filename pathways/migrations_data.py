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
