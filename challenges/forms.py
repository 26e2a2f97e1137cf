from django import forms

from .services import REASON_MAX_CHARS


class RaiseForm(forms.Form):
    reason = forms.CharField(
        label="Why do you disagree with the decision?",
        help_text="Say what you know that the team may not have taken into account. Do not "
                  "repeat the whole referral.",
        widget=forms.Textarea(attrs={"rows": 6}), max_length=REASON_MAX_CHARS,
        error_messages={"required": "Enter why you disagree with the decision.",
                        "max_length": f"Why you disagree must be {REASON_MAX_CHARS} characters "
                                      "or fewer."})


class AnswerForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label="What is the answer?", widget=forms.RadioSelect,
        choices=[("no", "The decision stands"),
                 ("yes", "The challenge is upheld: the decision will be looked at again")],
        coerce=lambda value: value == "yes",
        error_messages={"required": "Choose whether the decision stands."})
    response = forms.CharField(
        label="The answer, for the referrer to read",
        help_text="The referrer reads this in the portal. If the person did not agree to "
                  "details being shared, say only what may be shared.",
        widget=forms.Textarea(attrs={"rows": 6}), max_length=REASON_MAX_CHARS,
        error_messages={"required": "Enter the answer to give the referrer.",
                        "max_length": f"The answer must be {REASON_MAX_CHARS} characters or "
                                      "fewer."})
