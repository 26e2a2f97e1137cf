from django import forms

from .followup import CHOOSE as FOLLOW_UP_CHOOSE
from .updates import INFORMATION_MAX_CHARS
from .worse import WORSE_MAX_CHARS


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
    file = forms.FileField(
        label="Attach a file (optional)",
        help_text="A PDF, Word document, Excel spreadsheet, or a JPEG, PNG or GIF image.",
        required=False,
        error_messages={
            "empty": "The selected file is empty",
            "invalid": "The selected file could not be read. Try choosing it again",
        },
    )


class PhoneFeedbackForm(forms.Form):
    summary = forms.CharField(
        label="What did you tell the referrer?",
        help_text="A short summary for the record: the outcome you gave and where you pointed "
        "them. The referrer sees only that feedback was given by phone.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter a short summary of what you told the referrer.",
            "max_length": "The summary must be 2000 characters or fewer.",
        },
    )


class WorseForm(forms.Form):
    what_changed = forms.CharField(
        label="What has changed?",
        help_text="For example: she has been hit again, he has stopped eating, they have been "
                  "told to leave. The team's managers will be told at once.",
        max_length=WORSE_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter what has changed.",
                        "max_length": f"What has changed must be {WORSE_MAX_CHARS} characters or "
                                      "fewer."})


class FollowUpForm(forms.Form):
    """The organisation's lead chooses the colleague who follows up a referral."""

    colleague = forms.TypedChoiceField(
        label="Who will follow up this referral?", coerce=int, choices=(),
        widget=forms.RadioSelect,
        error_messages={"required": FOLLOW_UP_CHOOSE, "invalid_choice": FOLLOW_UP_CHOOSE})

    def __init__(self, *args, colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colleague"].choices = [
            (person.pk, f"{person.full_name}{f', {person.job_title}' if person.job_title else ''}")
            for person in colleagues]
