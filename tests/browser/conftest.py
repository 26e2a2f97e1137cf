"""Browser tests: Playwright driving Debian's Chromium, axe-core on every page visited."""

import hashlib
import json
import re
from pathlib import Path

import pytest

from tests.browser.reflow import AXE_CONFIGURE, reflow_check

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A strict CSP would block injecting axe; the CSP itself is tested elsewhere.
    return {**browser_context_args, "bypass_csp": True, "locale": "en-GB"}


def axe_violations(page) -> list[dict]:
    page.add_script_tag(content=AXE)
    page.evaluate(AXE_CONFIGURE)
    result = page.evaluate("async () => await axe.run(document)")
    return result["violations"]


# Pages axe found nothing on, by their markup: the same markup (the sign-in page before each
# sign-in, say) gives the same result, so axe runs once for it. The CSRF token and CSP nonces
# differ on every load and say nothing about accessibility; they are left out of the key.
AXE_PASSED: set[str] = set()
_VOLATILE = re.compile(r'(name="csrfmiddlewaretoken" value="|nonce=")[^"]*"')


def _markup_key(page) -> str:
    markup = _VOLATILE.sub(r'\1"', page.content())
    size = page.viewport_size or {}
    return hashlib.sha256(f"{size.get('width')}\n{markup}".encode()).hexdigest()


def assert_accessible(page):
    """Run axe-core on the page as it is now (unless it already passed with this very markup);
    fail listing every violation."""
    key = _markup_key(page)
    if key in AXE_PASSED:
        reflow_check(page)
        return
    violations = axe_violations(page)
    summary = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in violations
    ]
    assert not violations, f"axe violations on {page.url}:\n{json.dumps(summary, indent=2)}"
    AXE_PASSED.add(key)
    reflow_check(page)


@pytest.fixture
def visit(page, live_server):
    """visit(path) opens a page on the live server and checks it with axe."""

    def go(path):
        page.goto(live_server.url + path)
        assert_accessible(page)
        return page

    return go


@pytest.fixture
def sign_in(page, live_server):
    """Sign in with a password, then complete the second factor if the portal asks for it
    (MFA_ENFORCED on): the emailed code from mail.outbox (the live server runs in this
    process), or a TOTP code computed from the device key; staff without an authenticator
    set one up."""

    def do(email, password):
        page.goto(live_server.url + "/account/sign-in/")
        assert_accessible(page)
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        _second_factor_complete(page, email)
        return page

    return do


def _second_factor_complete(page, email):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from tests.mfa_helpers import emailed_code, totp_code

    path = page.url.split("?", 1)[0]
    if path.endswith("/account/security/set-up/"):
        assert_accessible(page)
        if page.get_by_label("Code from the email").count():
            # A staff member's first set-up starts with a code emailed to them.
            page.get_by_label("Code from the email").fill(emailed_code(email))
            page.get_by_role("button", name="Continue").click()
            page.wait_for_load_state()
            assert_accessible(page)
        user = User.objects.get(email=email)
        device = TOTPDevice.objects.filter(user=user, confirmed=False).latest("id")
        page.get_by_label("Code from your authenticator app").fill(totp_code(device))
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_load_state()
        assert_accessible(page)
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
    elif path.endswith("/account/security/verify/"):
        assert_accessible(page)
        user = User.objects.get(email=email)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            page.get_by_label("Code from your authenticator app").fill(totp_code(device))
        else:
            page.get_by_label("Code from the email").fill(emailed_code(email))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
