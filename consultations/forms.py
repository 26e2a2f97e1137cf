from django import forms

from accounts.models import Team

from .models import Urgency
from .services import ADVICE_MAX_CHARS, QUESTION_MAX_CHARS


class RequestForm(forms.Form):
    team = forms.ModelChoiceField(
        label="Which team do you want advice from?", queryset=Team.objects.order_by("name"),
        widget=forms.RadioSelect, empty_label=None,
        error_messages={"required": "Select the team you want advice from",
                        "invalid_choice": "Select the team you want advice from"})
    question = forms.CharField(
        label="What do you want advice about?",
        help_text="Say what you are worried about and what you are unsure of. You do not need "
                  "to give the person's name yet.",
        widget=forms.Textarea(attrs={"rows": 6}), max_length=QUESTION_MAX_CHARS,
        error_messages={"required": "Enter your question",
                        "max_length": f"Your question must be {QUESTION_MAX_CHARS} characters "
                                      "or fewer"})
    urgency = forms.ChoiceField(
        label="How soon do you need an answer?", choices=Urgency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how soon you need an answer"})
    contact_phone = forms.CharField(
        label="Phone number to call you back on", max_length=40,
        error_messages={"required": "Enter a phone number to call you back on"})
    best_time = forms.CharField(
        label="When is best to call? (optional)", max_length=200, required=False,
        help_text="For example: mornings, or after 2pm today")

    def clean_contact_phone(self):
        value = self.cleaned_data["contact_phone"].strip()
        digits = [c for c in value if c.isdigit()]
        if len(digits) < 10 or any(c not in "0123456789 +()-" for c in value):
            raise forms.ValidationError(
                "Enter a phone number, like 020 7525 5000 or +44 20 7525 5000")
        return value


class AdviceForm(forms.Form):
    advice = forms.CharField(
        label="The advice given, for the referrer to read",
        help_text="The referrer reads this in the portal. Record what you told them.",
        widget=forms.Textarea(attrs={"rows": 6}), max_length=ADVICE_MAX_CHARS,
        error_messages={"required": "Enter the advice you gave, for the referrer to read.",
                        "max_length": f"The advice must be {ADVICE_MAX_CHARS} characters or "
                                      "fewer."})
