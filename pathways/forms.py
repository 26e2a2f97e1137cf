"""Staff forms for the clocks: pausing one (a reason is required; never a silent pause)."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from .models import PauseReason


class PauseForm(forms.Form):
    kind = forms.ChoiceField(
        label="Which clock do you want to pause?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select which clock to pause"},
    )
    reason = forms.ChoiceField(
        label="Why is the clock paused?",
        choices=PauseReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why the clock is paused"},
    )
    note = forms.CharField(
        label="Note",
        help_text="Required when the reason is Other. Say who agreed it; no case detail.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The note must be 2,000 characters or fewer"},
    )

    def __init__(self, *args, kinds: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0][0]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.radios("kind", legend_size=Size.SMALL),
            Field.radios("reason", legend_size=Size.SMALL),
            Field.textarea("note"),
            Submit("action", "Pause the clock"),
        )

    def clean(self):
        data = super().clean()
        if data.get("reason") == PauseReason.OTHER and not data.get("note", "").strip():
            self.add_error("note", "Explain why the clock is paused")
        return data
