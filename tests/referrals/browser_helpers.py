"""Filling the referral's pages in a real browser: by mouse, or by keyboard only."""

import re

from tests.browser.conftest import assert_accessible

STEP = re.compile(r"Step (\d+) of (\d+)")


def step_key(page) -> str:
    return page.url.rstrip("/").split("/")[-1].split("?")[0]


def fill(page, answers: dict):
    """Answer a page's fields by their names, using the mouse and typing."""
    for name, value in answers.items():
        if isinstance(value, list):
            for item in value:
                page.locator(f'input[name="{name}"][value="{item}"]').check()
            continue
        field = page.locator(f'[name="{name}"]')
        kind = field.first.get_attribute("type")
        if kind == "radio":
            page.locator(f'input[name="{name}"][value="{value}"]').check()
        else:
            field.fill(value)


def continue_(page, name="Save and continue"):
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()
    assert_accessible(page)


def tab_to(page, selector: str, limit: int = 150):
    """Press Tab until the element matching selector has focus (fails if never reached)."""
    for _ in range(limit):
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)",
                         selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Could not reach {selector} with the keyboard on {page.url}")


def keyboard_fill(page, answers: dict):
    """Answer a page's fields with the keyboard only: Tab, arrows, Space and typing."""
    for name, value in answers.items():
        if isinstance(value, list):
            for item in value:
                tab_to(page, f'input[name="{name}"][value="{item}"]')
                page.keyboard.press("Space")
            continue
        kind = page.locator(f'[name="{name}"]').first.get_attribute("type")
        if kind == "radio":
            values = page.eval_on_selector_all(f'input[name="{name}"]',
                                               "els => els.map(e => e.value)")
            tab_to(page, f'input[name="{name}"]')
            current = page.evaluate("() => document.activeElement.value")
            steps = (values.index(value) - values.index(current)) % len(values)
            for _ in range(steps):
                page.keyboard.press("ArrowDown")
            if not page.evaluate("() => document.activeElement.checked"):
                page.keyboard.press("Space")
            assert page.locator(f'input[name="{name}"][value="{value}"]').is_checked()
        else:
            tab_to(page, f'[name="{name}"]')
            page.keyboard.press("Control+a")
            page.keyboard.type(value)


def keyboard_continue(page, selector='[name="submit"]'):
    tab_to(page, selector)
    before = page.url
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.url != before or page.locator(".govuk-error-summary").count(), page.url
    assert_accessible(page)
