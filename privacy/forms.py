from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fluid, Layout, Submit
from django import forms

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d %m %Y", "%d-%m-%Y"]


class PersonSearchForm(forms.Form):
    """Who asked: their full name and date of birth (sent in the POST body, never a URL)."""

    name = forms.CharField(
        label="Full name", max_length=200,
        help_text="As the person gave it. Capitals and spaces do not matter.",
        error_messages={"required": "Enter the person's full name",
                        "max_length": "The name must be 200 characters or fewer"},
    )
    dob = forms.DateField(
        label="Date of birth", input_formats=DATE_FORMATS,
        help_text="For example, 27/03/1947",
        error_messages={"required": "Enter the person's date of birth",
                        "invalid": "Enter the date of birth as day/month/year, like 27/03/1947"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("name", field_width=Fluid.TWO_THIRDS),
            Field.text("dob", field_width=Fluid.ONE_THIRD),
            Submit("submit", "Search referrals"),
        )
        self.helper.form_tag = False

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Enter the person's full name")
        return name


class PersonExportForm(PersonSearchForm):
    fmt = forms.ChoiceField(choices=[("json", "JSON"), ("pdf", "PDF")],
                            error_messages={"required": "Choose JSON or PDF",
                                            "invalid_choice": "Choose JSON or PDF"})
