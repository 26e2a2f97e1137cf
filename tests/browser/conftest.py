"""Browser tests: Playwright driving Debian's Chromium, axe-core on every page visited."""

import json
from pathlib import Path

import pytest

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
    result = page.evaluate("async () => await axe.run(document)")
    return result["violations"]


def assert_accessible(page):
    """Run axe-core on the page as it is now; fail listing every violation."""
    violations = axe_violations(page)
    summary = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in violations
    ]
    assert not violations, f"axe violations on {page.url}:\n{json.dumps(summary, indent=2)}"


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
    def do(email, password):
        page.goto(live_server.url + "/account/sign-in/")
        assert_accessible(page)
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page

    return do
