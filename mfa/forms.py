from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fluid, Layout, Submit
from django import forms


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        strip=True,
        error_messages={
            "required": "Enter the code",
            "max_length": "The code must be 20 characters or fewer",
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )

    def __init__(self, *args, label=None, hint=None, button="Continue", **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["code"].label = label
        if hint:
            self.fields["code"].help_text = hint
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.text("code", field_width=Fluid.ONE_THIRD), Submit("submit", button)
        )

    def add_wrong_code_error(self):
        self.add_error(
            "code",
            "The code is not correct or has expired. Check it and try again, or get a new code",
        )
