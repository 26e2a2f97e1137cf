"""Reflow at 320 px (WCAG 1.4.10) and 200% zoom (WCAG 1.4.4: 1280 px at 200% is 640 CSS px),
checked on every page the browser tests open (conftest.assert_accessible calls `reflow_check`).

Cheap by design: each kind of page is checked once per test session, keyed by its path with
numbers and references folded (/triage/123/ and /triage/456/ are one kind), plus whether the
page shows errors (a form with errors is laid out differently). Resizing takes a few
milliseconds; no page is reloaded.
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"

CHECKED: set[str] = set()


# govuk-frontend 6's Radios and Checkboxes set aria-expanded on an input that reveals a
# conditional question: a deliberate choice of the GOV.UK Design System (screen readers
# announce it; alphagov/govuk-frontend#979, listed as a known axe issue in #1280), though
# ARIA 1.2 does not list the attribute for role=radio. axe is told to allow exactly that one
# attribute on those two roles; every other rule and attribute is still checked (an
# aria-controls naming a missing id, which crispy-forms-gds wrote on every radio, still
# fails). The tree-row default is axe's own and is kept.
AXE_CONFIGURE = """() => axe.configure({checks: [{id: 'aria-allowed-attr', options: {
  validTreeRowAttrs: ['aria-posinset', 'aria-setsize', 'aria-expanded', 'aria-level'],
  radio: ['aria-expanded'], checkbox: ['aria-expanded']}}]})"""

# Document wider than the window, and text clipped by a box that hides its overflow. Visually
# hidden text (govuk-visually-hidden: a 1 px clip) is meant to be clipped.
OVERFLOW_JS = """() => {
  const doc = document.documentElement;
  const clipped = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('.govuk-visually-hidden, [hidden], template, script, style, svg, select')) continue;
    const style = getComputedStyle(el);
    if (!['hidden', 'clip'].includes(style.overflowX)) continue;
    if (el.clientWidth <= 1 || !el.textContent.trim()) continue;
    if (el.scrollWidth > el.clientWidth + 1) clipped.push(el.tagName.toLowerCase() +
      (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ?
      '.' + el.className.trim().split(/\\s+/).join('.') : ''));
  }
  return {overflow: doc.scrollWidth - doc.clientWidth, clipped: clipped.slice(0, 5)};
}"""


def page_kind(page) -> str:
    path = urlsplit(page.url).path
    path = re.sub(r"/\d+(?=/|$)", "/N", path)
    path = re.sub(r"/[A-Z]{2,5}-[0-9A-Z-]+(?=/|$)", "/REF", path)
    errors = page.locator(".govuk-error-summary").count() > 0
    return path + ("#errors" if errors else "")


def overflow_at(page, width: int, *, text_percent: int | None = None) -> dict:
    """The page's horizontal overflow at `width` CSS px (text at `text_percent` if given)."""
    page.set_viewport_size({"width": width, "height": 900})
    if text_percent:
        page.evaluate("p => document.documentElement.style.setProperty('font-size', p + '%')",
                      text_percent)
    try:
        return page.evaluate(OVERFLOW_JS)
    finally:
        if text_percent:
            page.evaluate("() => document.documentElement.style.removeProperty('font-size')")


def reflow_check(page, *, force: bool = False) -> None:
    """Fail if the page scrolls sideways at 320 px, or at 640 px (1280 px at 200% zoom), or
    clips text; once per kind of page per session unless `force`."""
    kind = page_kind(page)
    if kind in CHECKED and not force:
        return
    CHECKED.add(kind)
    before = page.viewport_size
    try:
        problems = []
        # 1280 px at 200% browser zoom lays out as 640 CSS px; the root font size is doubled
        # too at 1280 px for text-only zoom where the page has no wide tables to reflow.
        for width, text in ((320, None), (640, None)):
            found = overflow_at(page, width, text_percent=text)
            label = f"{width} px" + (f" with text at {text}%" if text else "") + (
                " (1280 px at 200% zoom)" if width == 640 else "")
            if found["overflow"] > 0:
                problems.append(f"{found['overflow']} px of horizontal scrolling at {label}")
            if found["clipped"]:
                problems.append(f"text clipped at {label}: {found['clipped']}")
        assert not problems, f"reflow on {page.url}: " + "; ".join(problems)
    finally:
        if before:
            page.set_viewport_size(before)


def assert_no_sideways_scroll(page, widths=(1024, 320)) -> None:
    """The document is no wider than the window at each width (a page staff read all day)."""
    before = page.viewport_size
    try:
        for width in widths:
            found = overflow_at(page, width)
            assert found["overflow"] <= 0, (
                f"{page.url}: {found['overflow']} px of horizontal scrolling at {width} px")
    finally:
        if before:
            page.set_viewport_size(before)


def look(page, name: str) -> None:
    """Screenshots at desktop and phone widths, for review (test-results/screenshots)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    for width in (1200, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    if before:
        page.set_viewport_size(before)
