"""Radios that reveal the questions fitting the answer (GOV.UK "conditionally revealing a
related question"), rendered as govuk-frontend's own radios macro renders them.

Why not crispy-forms-gds's ConditionalRadios (2.0.1): it writes `aria-controls` on every radio,
even those that reveal nothing (pointing at an id that does not exist: axe's
aria-valid-attr-value), instead of the `data-aria-controls` govuk-frontend's Radios component
promotes only for items that have conditional content; and it always renders the content
hidden, so a page redisplayed with errors relies on JavaScript to show the answer's questions.
Here: `data-aria-controls` only where there is content, and the checked answer's content is
rendered open. Without JavaScript every group shows (govuk-frontend hides them only when it
runs), so the server checks that the answers fit each other (the forms' clean methods).

govuk-frontend 6 itself still sets `aria-expanded` on a radio that reveals content (its
documented, deliberate choice: screen readers announce it; alphagov/govuk-frontend#979 and
#1280). ARIA 1.2 does not list aria-expanded for role=radio, so axe reports it; the browser
tests allow exactly that attribute on radios and checkboxes (tests/browser/reflow.py).
"""

from crispy_forms.layout import TemplateNameMixin
from crispy_forms.utils import TEMPLATE_PACK, render_field
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe


class Reveal(TemplateNameMixin):
    """Reveal("age_known", {"dob": ["person_dob"], "approx": ["person_age_approx"]})."""

    template = "core/reveal_radios.html"

    def __init__(self, field: str, reveals: dict, *, legend_size: str = "", small: bool = False):
        self.field = field
        self.reveals = {str(k): list(v) for k, v in reveals.items()}
        self.legend_size = legend_size
        self.small = small

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        bound = form[self.field]
        value = "" if bound.value() is None else str(bound.value())
        items = []
        for position, (choice, label) in enumerate(bound.field.choices, start=1):
            content = mark_safe("".join(  # noqa: S308 - crispy's own rendered HTML
                render_field(f, form, context, template_pack=template_pack, **kwargs)
                for f in self.reveals.get(str(choice), ())))
            items.append({"value": choice, "label": label, "position": position,
                          "checked": str(choice) == value, "content": content})
        return render_to_string(self.template, {
            "field": bound, "items": items, "legend_size": self.legend_size,
            "small": self.small,
        })
