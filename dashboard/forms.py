"""The dashboard's filters: a GET form, so a filtered view is a shareable, bookmarkable URL
(no personal data in it: only pathway, sector, category and urgency codes)."""

from django import forms

from accounts.models import Sector
from core.vocabulary import Pathway

GRAIN_CHOICES = [("month", "Month"), ("week", "Week"), ("quarter", "Quarter")]
MONTH_CHOICES = [("12", "Last 12 months"), ("6", "Last 6 months"), ("3", "Last 3 months"),
                 ("24", "Last 24 months")]
URGENCY_CHOICES = [("", "Urgent and not urgent"), ("urgent", "Urgent only"),
                   ("not_urgent", "Not urgent only")]


class DashboardFilterForm(forms.Form):
    grain = forms.ChoiceField(label="Show figures per", choices=GRAIN_CHOICES, required=False)
    months = forms.ChoiceField(label="Period", choices=MONTH_CHOICES, required=False)
    pathway = forms.ChoiceField(label="Pathway", required=False,
                                choices=[("", "All pathways"), *Pathway.routable_choices()])
    sector = forms.ChoiceField(label="Referrer's sector", required=False,
                               choices=[("", "All sectors"), *Sector.choices])
    category = forms.CharField(label="Category of abuse", required=False, max_length=60,
                               error_messages={"max_length": "Select a category from the list"})
    urgency = forms.ChoiceField(label="Urgency", choices=URGENCY_CHOICES, required=False)

    def __init__(self, data=None, *, scope, categories=()):
        super().__init__(data)
        self.scope = scope
        if not scope.can_choose_pathway:
            del self.fields["pathway"]
        if scope.is_organisation:
            # A lead's figures are their own organisation's: sector is fixed.
            del self.fields["sector"]
        self.fields["category"].widget = forms.Select(
            choices=[("", "All categories"), *[(c, category_label(c)) for c in categories]]
        )

    def filters(self) -> dict:
        """The cleaned filters, defaults filled in (an invalid value falls back to its default
        and is reported by the form's errors)."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "grain": data.get("grain") or "month",
            "months": int(data.get("months") or 12),
            "pathway": data.get("pathway") or None,
            "sector": data.get("sector") or None,
            "category": data.get("category") or None,
            "urgency": data.get("urgency") or None,
        }


def category_label(code: str) -> str:
    return code.replace("_", " ").replace("-", " ").capitalize()
