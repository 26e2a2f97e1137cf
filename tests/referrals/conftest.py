"""The browser fixtures (visit, sign_in, axe) for this folder's browser journeys."""

from tests.browser.conftest import (  # noqa: F401
    browser_context_args,
    browser_type_launch_args,
    sign_in,
    visit,
)
