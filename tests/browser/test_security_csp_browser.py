"""The Content Security Policy in a real browser (without the axe bypass): the nonce lets the
one inline script run, nothing is refused, and an injected inline script does not run."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def strict_page(browser):
    context = browser.new_context(bypass_csp=False, locale="en-GB")
    page = context.new_page()
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text
            else None)
    yield page, refused
    context.close()


def test_pages_run_their_scripts_under_the_policy(strict_page, live_server, referrer, password):
    page, refused = strict_page
    page.goto(live_server.url + "/account/sign-in/")
    assert "js-enabled" in page.evaluate("document.body.className")
    page.get_by_label("Email address").fill(referrer.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
    assert "Welcome, Dana" in page.content()
    assert "js-enabled" in page.evaluate("document.body.className")
    # The idle-timeout script (an external module) ran: it marked its dialog ready.
    assert page.locator("#session-timeout[data-ready]").count() == 1
    assert refused == []


def test_an_injected_inline_script_is_refused(strict_page, live_server, db):
    page, refused = strict_page
    page.goto(live_server.url + "/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__pwned = true'; document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned === undefined")
    assert any("script-src" in message for message in refused)
