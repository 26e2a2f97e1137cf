"""Account forms. Each field has its own error messages (GOV.UK style: say what to do)."""

import re

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import (
    HTML,
    Field,
    Fieldset,
    Fluid,
    Layout,
    Size,
    Submit,
)
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils import timezone

from . import throttle
from .models import MembershipRole, Organisation, Sector, User

EMAIL_ERRORS = {
    "required": "Enter your email address",
    "invalid": "Enter an email address in the correct format, like name@example.org",
    "max_length": "Email address must be 254 characters or fewer",
}
NOT_LISTED = "not-listed"
# Every field has a limit (issue 14, attack 6); a pass phrase this long is already absurd.
PASSWORD_MAX = 1024
PASSWORD_TOO_LONG = f"Password must be {PASSWORD_MAX:,} characters or fewer"
PHONE = re.compile(r"^\+?[0-9 ()-]{10,20}$")


def _email_field(**kwargs):
    return forms.EmailField(
        label="Email address", max_length=254, error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        **kwargs,
    )


class SignInForm(AuthenticationForm):
    username = _email_field()
    password = forms.CharField(
        label="Password",
        strip=False, max_length=PASSWORD_MAX,
        error_messages={"required": "Enter your password", "max_length": PASSWORD_TOO_LONG},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "Enter a correct email address and password. The password is case sensitive.",
        "inactive": "This account has been disabled. Contact the council's safeguarding team.",
        "unverified": "Confirm your email address before you sign in: open the link we emailed "
                      "you, or ask for a new link below.",
        "paused": "There have been too many wrong passwords for this account, so for the next "
                  "{minutes} minutes it can only be signed in to from a browser you have used for it "
                  "before. Try again later, or reset your password.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.text("username", field_width=Fluid.TWO_THIRDS),
            Field.text("password", field_width=Fluid.TWO_THIRDS),
            Submit("submit", "Sign in"),
        )

    def clean_username(self):
        # Addresses are stored in lower case; people type them however they like.
        return self.cleaned_data["username"].strip().lower()

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and self.request is not None and throttle.sign_in_paused(
            self.request, username=username, now=timezone.now()
        ):
            # Refused before the password is checked, so the attacker learns nothing.
            minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
            raise forms.ValidationError(self.error_messages["paused"].format(minutes=minutes),
                                        code="paused")
        return super().clean()

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.email_verified:
            raise forms.ValidationError(self.error_messages["unverified"], code="unverified")


def organisation_choices():
    # Only organisations an administrator has verified: a name typed at sign-up is not shown to
    # the public (issue 14, attack 4: one was listed as a spreadsheet formula).
    verified = Organisation.objects.filter(verified=True).order_by("name")
    return [("", "Choose your organisation")] + [
        (str(pk), name) for pk, name in verified.values_list("pk", "name")
    ] + [(NOT_LISTED, "My organisation is not listed")]


class SignUpForm(forms.Form):
    full_name = forms.CharField(
        label="Full name", max_length=200,
        error_messages={"required": "Enter your full name",
                        "max_length": "Full name must be 200 characters or fewer"},
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    email = _email_field(help_text="Use your work email address if you have one. We will send "
                                   "a link to it to check it is yours.")
    job_title = forms.CharField(
        label="Job title or role", max_length=200,
        help_text="For example, day centre volunteer, housing officer or GP",
        error_messages={"required": "Enter your job title or role, for example volunteer",
                        "max_length": "Job title or role must be 200 characters or fewer"},
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    phone = forms.CharField(
        label="Telephone number (optional)", required=False, max_length=20,
        help_text="So the safeguarding team can call you about a referral",
        error_messages={"max_length": "Enter a telephone number, like 020 7946 0000 or "
                                      "07700 900 982"},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    organisation = forms.ChoiceField(
        label="Organisation you work or volunteer for",
        error_messages={"required": "Select your organisation, or select 'My organisation is "
                                    "not listed'",
                        "invalid_choice": "Select your organisation from the list"},
    )
    new_organisation_name = forms.CharField(
        label="Organisation name", required=False, max_length=200,
        error_messages={"max_length": "Organisation name must be 200 characters or fewer"},
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    new_organisation_sector = forms.ChoiceField(
        label="What kind of organisation is it?", required=False,
        choices=[("", "Choose a kind of organisation"), *Sector.choices],
        error_messages={"invalid_choice": "Select the kind of organisation from the list"},
    )
    password1 = forms.CharField(
        label="Create a password", strip=False, max_length=PASSWORD_MAX,
        help_text="At least 12 characters. A few unrelated words together are easy to remember "
                  "and hard to guess.",
        error_messages={"required": "Create a password", "max_length": PASSWORD_TOO_LONG},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Confirm your password", strip=False, max_length=PASSWORD_MAX,
        error_messages={"required": "Enter your password again to confirm it",
                        "max_length": PASSWORD_TOO_LONG},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = organisation_choices()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.text("full_name", field_width=Fluid.TWO_THIRDS),
            Field.text("email", field_width=Fluid.TWO_THIRDS),
            Field.text("job_title", field_width=Fluid.TWO_THIRDS),
            Field.text("phone", field_width=20),
            Field.select("organisation"),
            Fieldset(
                HTML('<p class="govuk-body">Only if you chose "My organisation is not listed". '
                     'A council administrator will check it before you can make referrals.</p>'),
                Field.text("new_organisation_name", field_width=Fluid.TWO_THIRDS),
                Field.select("new_organisation_sector"),
                legend="If your organisation is not listed", legend_size=Size.SMALL,
            ),
            Field.text("password1", field_width=Fluid.TWO_THIRDS),
            Field.text("password2", field_width=Fluid.TWO_THIRDS),
            Submit("submit", "Create account"),
        )

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(
                "Enter a telephone number, like 020 7946 0000 or 07700 900 982", code="invalid"
            )
        return phone

    def clean_organisation(self):
        value = self.cleaned_data["organisation"]
        if value == NOT_LISTED:
            return None
        organisation = Organisation.objects.filter(pk=int(value), verified=True).first()
        if organisation is None:  # removed since the page was shown
            raise forms.ValidationError("Select your organisation from the list",
                                        code="invalid_choice")
        return organisation

    def clean(self):
        data = super().clean()
        if "organisation" in data and data["organisation"] is None:
            name = " ".join(data.get("new_organisation_name", "").split())
            data["new_organisation_name"] = name
            if not name:
                self.add_error("new_organisation_name",
                               "Enter the name of your organisation, or choose it from the list")
            elif Organisation.objects.filter(name__iexact=name, verified=True).exists():
                self.add_error("new_organisation_name",
                               f"{name} is already in the list: choose it under 'Organisation "
                               "you work or volunteer for'")
            if not data.get("new_organisation_sector") and "new_organisation_sector" not in self.errors:
                self.add_error("new_organisation_sector", "Select the kind of organisation")
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The passwords do not match: enter the same password twice")
        if first:
            # An unsaved user, so the similarity validator can compare name and address.
            probe = User(email=data.get("email", ""), full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class ResendVerificationForm(forms.Form):
    email = _email_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Field.text("email", field_width=Fluid.TWO_THIRDS),
                                    Submit("submit", "Send a new link"))


APPROVE_REFERRER = "approve-referrer"
APPROVE_LEAD = "approve-lead"
REFUSE = "refuse"


class DecisionForm(forms.Form):
    """Rendered by templates/accounts/_decision_fields.html (radios with a revealed reason)."""

    decision = forms.ChoiceField(
        label="Your decision",
        widget=forms.RadioSelect,
        choices=[
            (APPROVE_REFERRER, "Approve as a referrer"),
            (APPROVE_LEAD, "Approve as the organisation's safeguarding lead"),
            (REFUSE, "Refuse"),
        ],
        error_messages={"required": "Select whether to approve or refuse this request"},
    )
    reason = forms.CharField(
        label="Reason for refusing", required=False, max_length=1000,
        help_text="The person is told this reason by email, so say what they can do next",
        error_messages={"max_length": "Reason must be 1,000 characters or fewer"},
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()  # the error summary reads its settings

    def clean(self):
        data = super().clean()
        if data.get("decision") == REFUSE and not data.get("reason", "").strip():
            self.add_error("reason", "Enter the reason for refusing: the person is told it")
        return data

    @property
    def role(self) -> str:
        if self.cleaned_data["decision"] == APPROVE_LEAD:
            return MembershipRole.SAFEGUARDING_LEAD
        return MembershipRole.REFERRER


class ResetRequestForm(PasswordResetForm):
    email = _email_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Field.text("email", field_width=Fluid.TWO_THIRDS),
                                    Submit("submit", "Send reset link"))


class NewPasswordForm(SetPasswordForm):
    error_messages = {
        "password_mismatch": "The passwords do not match: enter the same password twice",
    }
    new_password1 = forms.CharField(
        label="New password", strip=False, max_length=PASSWORD_MAX,
        help_text="At least 12 characters",
        error_messages={"required": "Enter a new password", "max_length": PASSWORD_TOO_LONG},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label="Confirm new password", strip=False, max_length=PASSWORD_MAX,
        error_messages={"required": "Enter your new password again to confirm it",
                        "max_length": PASSWORD_TOO_LONG},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.text("new_password1", field_width=Fluid.TWO_THIRDS),
            Field.text("new_password2", field_width=Fluid.TWO_THIRDS),
            Submit("submit", "Save new password"),
        )
