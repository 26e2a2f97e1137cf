"""Second factor in a real browser: the sign_in fixture completes it; every page passes axe."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_referrer_signs_in_with_an_emailed_code(page, sign_in, referrer, password, mfa_enforced):
    sign_in(referrer.email, password)
    assert "Welcome, Dana" in page.content()
    assert "/account/security/" not in page.url


def test_staff_set_up_an_authenticator_then_sign_in_with_it(
    page, sign_in, make_user, password, mfa_enforced, live_server
):
    from django.contrib.auth.models import Group

    from accounts.models import Team, TeamMembership

    # Transactional tests flush the teams the data migration made.
    team, _ = Team.objects.get_or_create(
        pathway="oppd", defaults={"name": "OPPD", "group": Group.objects.create(name="OPPD")}
    )
    worker = make_user("triage.oppd@council.example.gov.uk", "Tri Age")
    TeamMembership.objects.create(user=worker, team=team, role="triage")
    sign_in(worker.email, password)
    assert "/account/security/" not in page.url
    # The idle-timeout warning's script loaded under the CSP (the dialog stays closed until
    # shortly before the timeout).
    page.wait_for_selector("#session-timeout[data-ready]", state="attached")
    assert not page.locator("#session-timeout").is_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    sign_in(worker.email, password)
    assert "/account/security/" not in page.url
    page.goto(live_server.url + "/account/security/")
    from tests.browser.conftest import assert_accessible

    assert_accessible(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Sign-in security"
