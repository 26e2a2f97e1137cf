"""Every page a role may use is reachable from its navigation or home page (issue 18, item 5).

The pages a role may use are derived, not listed: every URL in the URLconf that names no object
and that the access matrix allows the role (tests/security/test_access_matrix.ALLOWED), less the
pages anyone may open before signing in, which a GET as that person answers with a page (200,
HTML). The walk then starts at the home page and follows the links on each page it reaches
(navigation, home page, page bodies), as a person clicking would.
"""

import re
from collections import deque

import pytest
from django.urls import Resolver404, resolve

from accounts.models import TeamRole
from tests.conftest import otp_login
from tests.factories.accounts import (
    LeadFactory,
    ReferrerFactory,
    council_admin,
    pending_person,
    staff,
)
from tests.security.test_access_matrix import ALLOWED, PUBLIC
from tests.security.urlwalk import build_path, converters, url_patterns

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mfa_enforced")]

# Not pages a person navigates to, each with why.
NOT_PAGES = {
    "mfa:verify": "the second-factor step of signing in, reached by signing in",
}
# Open to the role but not for its work, each with why.
NOT_FOR = {
    "feedback:my-referrals": ({"triage_worker", "team_manager", "council_admin"},
                              "council staff make no referrals: the list is always empty"),
}
# The council administrator's own pages (outside ALLOWED, which lists the other roles).
ADMIN_PAGES = {"accounts:approvals", "feedback:notices-failed", "privacy:person-search",
               "learning:organisations"}

HREF = re.compile(r'href="(/[^"#?]*)')


def _people():
    return {
        "referrer": ReferrerFactory(),
        "organisation_lead": LeadFactory(),
        "triage_worker": staff("oppd"),
        "team_manager": staff("oppd", role=TeamRole.MANAGER),
        "pending": pending_person(),
        "council_admin": council_admin(),
    }


def _name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name if not match.kwargs else None


def pages_for(client, role) -> set[str]:
    """The role's pages: allowed by the matrix, naming no object, answered with a page."""
    allowed = (ALLOWED.get(role, set()) - PUBLIC) | (ADMIN_PAGES if role == "council_admin" else set())
    if role == "council_admin":
        allowed |= ALLOWED["team_manager"] - PUBLIC
    found = set()
    for entry in url_patterns():
        if entry.name not in allowed or converters(entry) or entry.name in NOT_PAGES:
            continue
        if role in NOT_FOR.get(entry.name, ((), ""))[0]:
            continue
        path, _ = build_path(entry, lambda *a: None)
        response = client.get(path)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            found.add(entry.name)
    return found


def reachable(client) -> set[str]:
    """Named pages linked from the home page, following links to pages that name no object."""
    seen, queue, names = {"/home/"}, deque(["/home/"]), {"home"}
    while queue:
        response = client.get(queue.popleft())
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        for href in HREF.findall(response.content.decode()):
            name = _name(href)
            if name is None or href in seen or href.startswith(("/admin/", "/static/")):
                continue
            seen.add(href)
            names.add(name)
            if name not in {"accounts:sign-out", "mfa:keep-alive", "display"}:
                queue.append(href)
    return names


@pytest.mark.parametrize("role", ["referrer", "organisation_lead", "triage_worker", "team_manager",
                                  "pending", "council_admin"])
def test_every_page_a_role_may_use_is_linked_from_its_home(client, role):
    person = _people()[role]
    otp_login(client, person)
    pages = pages_for(client, role)
    assert "home" in pages and len(pages) >= 3, pages
    missing = pages - reachable(client)
    assert not missing, f"{role} can open {sorted(missing)} only by typing the address"
    # And the navigation offers nothing the role is refused.
    from portal.navigation import items_for

    for item in items_for(person, None):
        assert client.get(item["url"]).status_code == 200, (role, item)
