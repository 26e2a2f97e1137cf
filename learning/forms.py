"""The two short questions referrers are asked. No personal data is asked for; the comment's
hint says not to give any."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from .models import COMMENT_MAX, Rating

NO_PERSONAL = ("Do not include personal information, such as the name of anyone you are "
               "worried about or details of the concern.")


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="How was making this referral?", coerce=int, widget=forms.RadioSelect,
        choices=Rating.choices,
        error_messages={"required": "Select how making the referral was, from very good to "
                                    "very poor"})
    comment = forms.CharField(
        label="Tell us why, in a sentence (optional)", required=False, max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}), help_text=NO_PERSONAL,
        error_messages={"max_length": f"Your comment must be {COMMENT_MAX} characters or "
                                      "fewer"})

    def __init__(self, *args, button="Send your rating", legend_size=Size.MEDIUM, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(Field.radios("rating", legend_size=legend_size),
                                    Field.textarea("comment"),
                                    Submit("submit", button))


class PageFeedbackForm(RateForm):
    # A field people never see: a form that fills it is a robot (the honeypot).
    website = forms.CharField(required=False, label="Leave this empty",
                              widget=forms.TextInput(attrs={"autocomplete": "off",
                                                            "tabindex": "-1"}))
    page = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, button="Send feedback", legend_size=Size.MEDIUM, **kwargs)
        self.fields["rating"].label = "Overall, how did you feel about this service?"
        self.fields["rating"].error_messages["required"] = (
            "Select how you felt about the service, from very good to very poor")
        self.fields["comment"].label = "How could we improve it? (optional)"
        self.helper.form_tag = False
        self.helper.layout = Layout(Field.radios("rating", legend_size=Size.MEDIUM),
                                    Field.textarea("comment"), Field("page"),
                                    Submit("submit", "Send feedback"))

    def is_robot(self) -> bool:
        return bool(self.data.get("website", "").strip())
