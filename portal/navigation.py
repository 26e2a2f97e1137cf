"""The service navigation for each role (issue 18: pages were only reachable by typing their
address). One table: every page a role may use is in its navigation or linked from its home page
(tests/portal/test_navigation.py walks the links for each role and checks against the access
matrix)."""

from django.urls import NoReverseMatch
from django.utils.functional import SimpleLazyObject

from accounts.roles import role_of
from core.addresses import address
from core.vocabulary import Role
from referrals import access

REFERRER = [("Your referrals", "feedback:my-referrals")]
STAFF = [("Queue", "triage:queue")]
NOTICES = ("Notices", "feedback:notices")
SECURITY = ("Sign-in security", "mfa:settings")

NAVIGATION = {
    Role.REFERRER: [*REFERRER, NOTICES, SECURITY],
    Role.ORGANISATION_LEAD: [*REFERRER, ("Organisation’s referrals", "feedback:organisation"),
                             ("Dashboard", "dashboard:index"), NOTICES, SECURITY],
    Role.TRIAGE_WORKER: [*STAFF, NOTICES, SECURITY],  # the dashboard is for managers
    Role.TEAM_MANAGER: [*STAFF, ("Workload", "triage:workload"), ("Dashboard", "dashboard:index"),
                        NOTICES, SECURITY],
    Role.COUNCIL_ADMIN: [("Approvals", "accounts:approvals"),
                         ("Failed notices", "feedback:notices-failed"),
                         ("Dashboard", "dashboard:index"), NOTICES, SECURITY],
    Role.PENDING: [*REFERRER, NOTICES, SECURITY],
}


def items_for(user, current: str | None) -> list[dict]:
    items = []
    # The team memberships as the access policy reads them: once for a staff page with the
    # rest of who the person is (access.remembered), not again for the navigation.
    role = role_of(user, team_memberships=lambda: access.team_memberships_of(user)).role
    for label, name in [("Home", "home"), *NAVIGATION[role]]:
        try:
            url = address(name)  # reversed once per process
        except NoReverseMatch:  # a URLconf without that app (some tests)
            continue
        items.append({"label": label, "url": url, "current": name == current})
    return items


def navigation(request):
    """`nav_items` for base.html, read only when a page shows the navigation (a lazy object:
    the role costs a query or two, and pages without the layout should not pay it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match is not None else None
    return {"nav_items": SimpleLazyObject(lambda: items_for(user, current))}
