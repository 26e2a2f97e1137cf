from django import forms

from .updates import INFORMATION_MAX_CHARS


class InformationForm(forms.Form):
    text = forms.CharField(
        label="What has changed?",
        help_text="For example, a new risk, a change of address, or someone new involved. "
        "The team working on the referral will be told.",
        max_length=INFORMATION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Enter the new information.",
            "max_length": f"The new information must be {INFORMATION_MAX_CHARS} characters or "
            "fewer.",
        },
    )
