"""Forms for the triage workspace. They parse input; the rules live in referrals.workflow and
triage.transitions (the services report field errors, which views add back to the form)."""

import functools

from crispy_forms.layout import Div
from crispy_forms.utils import render_crispy_form
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Fluid, Layout, Size, Submit
from django import forms
from django.utils.html import format_html_join

from core.reveal import Reveal
from core.vocabulary import CriterionAnswer, MspOutcome, Outcome, Pathway, RagRating, Status
from directory.models import Service
from feedback.services import WITHHELD_REASONS
from pathways.models import ThresholdLevel
from referrals import workflow
from referrals.workflow import Enquiry, OtherAction
from triage import explain
from triage.transitions import Feedback, feedback_errors

from .selectors import CATEGORIES

WITHHELD_LABELS = {
    "police_investigation": "A police investigation",
    "risk_to_person": "Sharing details could put the person at risk",
    "no_consent": "The person has not agreed to details being shared",
}


TEXT_MAX = 5000  # every field has a limit (issue 14, attack 6); the longest is the feedback's


def _text(label, message, hint="", required=True, rows=4, what=None):
    what = what or label.split(" (")[0].split(",")[0].split(":")[0].rstrip("?")
    return forms.CharField(label=label, help_text=hint, required=required, max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": rows}),
                           error_messages={"required": message,
                                           "max_length": f"{what} must be {TEXT_MAX:,} "
                                                         "characters or fewer"})


def _short(label, max_length, what=None, error_messages=None, **kwargs):
    what = what or label.split(" (")[0]
    return forms.CharField(label=label, max_length=max_length, **kwargs, error_messages={
        **(error_messages or {}),
        "max_length": f"{what} must be {max_length} characters or fewer"})


class FeedbackFields(forms.Form):
    """The referrer's feedback, required with every decision: the outcome in plain words, the
    reason and (not a safeguarding concern) signposting, or detail withheld with a reason."""

    share = forms.ChoiceField(
        label="What will the referrer be told?",
        choices=[("tell", "The outcome, the reason and any signposting"),
                 ("withheld", "Detail withheld, with a general reason")],
        widget=forms.RadioSelect, initial="tell",
        error_messages={"required": "Select what the referrer will be told"},
    )
    outcome_text = _text("Outcome, in plain words, for the referrer",
                         "Enter the outcome in plain words for the referrer", required=False,
                         hint="The referrer will read this. Avoid jargon and case detail.")
    feedback_reason = _text("Reason, for the referrer", "Enter the reason for the referrer",
                            required=False)
    signposting = _text("Signposting: where else to go for help", "Enter signposting",
                        required=False,
                        hint="Required when it is not a safeguarding concern.")
    withheld_reason = forms.ChoiceField(
        label="Why is detail withheld?", required=False, widget=forms.RadioSelect,
        choices=list(WITHHELD_LABELS.items()),
    )

    # Only the questions that fit the answer show (GOV.UK conditional reveal, core.reveal):
    # the outcome, reason and signposting when told; why it is withheld when withheld.
    feedback_layout = (
        Reveal("share", {
            "tell": [Field.textarea("outcome_text"), Field.textarea("feedback_reason"),
                     Field.textarea("signposting")],
            "withheld": [Field.radios("withheld_reason", legend_size=Size.SMALL, small=True)],
        }, legend_size=Size.for_legend(Size.MEDIUM)),
    )

    def clean(self):
        """Every missing piece at once (the service checks the same rules again)."""
        data = super().clean()
        outcome = data.get("outcome", "")
        for field, message in feedback_errors(feedback=self.feedback(), outcome=outcome).items():
            self.add_error(field, message)
        return data

    def feedback(self) -> Feedback:
        data = getattr(self, "cleaned_data", {})
        withheld = data.get("share") == "withheld"
        return Feedback(
            outcome_text=data.get("outcome_text", ""), reason=data.get("feedback_reason", ""),
            signposting=data.get("signposting", ""), withheld=withheld,
            withheld_reason=data.get("withheld_reason", "") if withheld else "",
            services=tuple(int(pk) for pk in data.get("services", ()) or ()),
        )


assert set(WITHHELD_LABELS) == set(WITHHELD_REASONS)  # noqa: S101 - a mismatch is a bug


def _helper(*fields, button="Save"):
    helper = FormHelper()
    helper.layout = Layout(*fields, Submit("submit", button))
    return helper


DETAIL_LABELS = {**dict(Enquiry.choices), **dict(OtherAction.choices)}


def _either(labels) -> str:
    labels = [f"‘{label}’" for label in labels]
    return ", ".join(labels[:-1]) + " or " + labels[-1] if len(labels) > 1 else labels[0]


def _criterion(name) -> forms.ChoiceField:
    return forms.ChoiceField(label=explain.QUESTIONS[name], widget=forms.RadioSelect,
                             required=False, choices=CriterionAnswer.choices)


def _services_field() -> forms.MultipleChoiceField:
    # Every active service, by kind of help then name; the page adds a filter box (a few
    # hundred rows stay usable) and without JavaScript the whole list shows.
    return forms.MultipleChoiceField(
        label="Services from the directory", required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose any services the referrer or the person can contact. The referrer "
                  "sees each one with its phone number, email, website and address.",
        choices=lambda: [(str(s.pk), s.choice_label)
                         for s in Service.objects.active().order_by("area", "name", "id")],
        error_messages={"invalid_choice": "Select services from the directory list"})


class DecideForm(FeedbackFields):
    """The decision, and under each adult decision only the next steps that fit it
    (workflow.OUTCOME_DETAILS): one question per decision, revealed when it is chosen. Without
    JavaScript every question shows, so clean() says when the step chosen does not fit.

    Decisions that explain themselves (issue 15 item 6): an adult decision records the three
    section 42 criteria one by one, a MASH decision the child's level of need (threshold levels
    as rows); both may signpost to services from the directory (triage.explain)."""

    outcome = forms.ChoiceField(label="What is the decision?", widget=forms.RadioSelect,
                                error_messages={"required": "Select the decision"})
    rationale = _text("Rationale (internal: never shown to the referrer)", "", required=False)

    def __init__(self, *args, pathway: str, suggested_level: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.pathway = pathway
        self.fields["services"] = _services_field()
        self.fields["signposting"].help_text = (
            "Required when it is not a safeguarding concern, unless you choose services from "
            "the directory below.")
        explained = []
        if explain.is_adult(pathway):
            for name in explain.CRITERIA:
                self.fields[name] = _criterion(name)
            explained = [Fieldset(
                *[Field.radios(n, legend_size=Size.SMALL, inline=True) for n in explain.CRITERIA],
                legend="Section 42 criteria (Care Act 2014)", legend_size=Size.MEDIUM)]
        elif explain.is_child(pathway):
            levels = ThresholdLevel.objects.active()
            suggested = levels.filter(code=suggested_level).first() if suggested_level else None
            self.fields["need_level"] = forms.ChoiceField(
                label="What is the child's level of need?", widget=forms.RadioSelect,
                choices=[(level.code, level.name) for level in levels],
                help_text=(f"The referrer thought: {suggested.name}." if suggested else
                           "Under the safeguarding children partnership's threshold document."),
                error_messages={"required": "Select the child's level of need",
                                "invalid_choice": "Select one of the levels of need listed"})
            explained = [Field.radios("need_level", legend_size=Size.MEDIUM)]
        outcomes = workflow.outcomes_for(pathway)
        self.fields["outcome"].choices = [(o, Outcome(o).label) for o in outcomes]
        reveals = {}
        for outcome in outcomes:
            details = workflow.OUTCOME_DETAILS.get(outcome, ())
            if not details:
                continue
            name = f"detail_{outcome}"
            self.fields[name] = forms.ChoiceField(
                label=("Who makes the enquiry?" if outcome == Outcome.S42_MET
                       else "What happens next?"),
                widget=forms.RadioSelect, required=False,
                choices=[(d, DETAIL_LABELS[d]) for d in details])
            reveals[outcome] = [Field.radios(name, legend_size=Size.SMALL, small=True)]
        # The error summary follows the page's order: the criteria or level, the decision and
        # its step, then the feedback.
        self.order_fields([*explain.CRITERIA, "need_level", "outcome",
                           *(f"detail_{o}" for o in reveals), "rationale"])
        self.helper = _helper(
            *explained,
            Reveal("outcome", reveals, legend_size=Size.for_legend(Size.MEDIUM)),
            Field.textarea("rationale"),
            Fieldset(*self.feedback_layout,
                     Div(Field.checkboxes("services", legend_size=Size.SMALL, small=True),
                         css_class="portal-filterable", data_portal_filter="services"),
                     legend="Feedback for the referrer", legend_size=Size.LARGE),
            button="Record the decision",
        )

    def criteria(self) -> dict | None:
        if not explain.is_adult(self.pathway):
            return None
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name, "") for name in explain.CRITERIA}

    def need_level(self) -> str | None:
        if not explain.is_child(self.pathway):
            return None
        return getattr(self, "cleaned_data", {}).get("need_level", "")

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome", "")
        # The same rules as the service (triage.explain), every error at once; a criterion is
        # only checked against a decision that was chosen.
        errors = {}
        if explain.is_adult(self.pathway):
            errors.update(explain.criteria_errors(outcome=outcome, criteria=self.criteria()))
        for field, message in errors.items():
            if field not in self.errors:
                self.add_error(field, message)
        details = workflow.OUTCOME_DETAILS.get(outcome, ())
        if not details:
            data["detail"] = ""
            return data
        name = f"detail_{outcome}"
        chosen = data.get(name) or self.data.get("detail", "")
        # Without JavaScript a step may be chosen under another decision's question.
        elsewhere = [data.get(n) for n in self.fields if n.startswith("detail_") and n != name
                     and data.get(n)]
        chosen = chosen or (elsewhere[0] if elsewhere else "")
        decision = Outcome(outcome).label
        if chosen in details:
            data["detail"] = chosen
        elif chosen:
            self.add_error(name, f"‘{DETAIL_LABELS.get(chosen, chosen)}’ does not fit the "
                                 f"decision ‘{decision}’: choose "
                                 f"{_either([DETAIL_LABELS[d] for d in details])}")
        else:
            self.add_error(name, ("Select who makes the enquiry" if outcome == Outcome.S42_MET
                                  else "Select what happens next")
                           + f" for ‘{decision}’: {_either([DETAIL_LABELS[d] for d in details])}")
        return data


class CloseForm(FeedbackFields):
    reason = _text("Reason for closing (internal)", "Enter the reason for closing")
    told_by_phone = forms.BooleanField(
        label="I have phoned the referrer and told them this feedback", required=False,
        help_text="Needed when a referrer asked for feedback by phone only (email about the "
                  "case is not safe for them): the call is recorded as their feedback.",
    )

    # Making Safeguarding Personal (issue 15, item 7): adults' pathways only, required there
    # (the service, triage.transitions.msp_outcome_check, checks the same rule).
    msp_outcome = forms.ChoiceField(
        label="Were the outcomes the person wanted achieved?", widget=forms.RadioSelect,
        required=False, choices=MspOutcome.choices,
        help_text="What they wanted is shown above, from the referral form. The referrer is "
                  "told this with the closure, unless the person did not agree to details "
                  "being shared.",
    )

    def __init__(self, *args, pathway: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.asks_msp = Pathway.is_adult(pathway)
        fields = [Field.textarea("reason")]
        if self.asks_msp:
            fields.append(Field.radios("msp_outcome", legend_size=Size.MEDIUM))
        else:
            del self.fields["msp_outcome"]
        self.helper = _helper(
            *fields,
            Fieldset(*self.feedback_layout, Field.checkbox("told_by_phone"),
                     legend="Feedback for the referrer", legend_size=Size.LARGE),
            button="Close the referral",
        )

    def clean(self):
        data = super().clean()
        if self.asks_msp and not data.get("msp_outcome"):
            self.add_error("msp_outcome",
                           "Select whether the outcomes the person wanted were achieved")
        return data


class MergeForm(FeedbackFields):
    reference = _short("Reference of the referral to merge into", 30, what="The reference",
                       error_messages={"required": "Enter the reference"})
    reason = _text("Why these are the same (internal)", "", required=False, what="The reason")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome_text"].initial = (
            "Your referral is about the same person as another referral we already have. "
            "We have joined them and will tell you about every decision."
        )
        self.helper = _helper(
            Field.text("reference", field_width=Fluid.ONE_THIRD), Field.textarea("reason"),
            Fieldset(*self.feedback_layout, legend="Feedback for the referrer",
                     legend_size=Size.LARGE),
            button="Merge",
        )


class LinkForm(forms.Form):
    reference = _short("Reference of the other referral", 30, what="The reference",
                       error_messages={"required": "Enter the reference"})
    reason = _text("Why these may be the same person (internal)", "", required=False,
                   what="The reason")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.text("reference", field_width=Fluid.ONE_THIRD),
                              Field.textarea("reason"), button="Link")


class RagForm(forms.Form):
    rating = forms.ChoiceField(label="RAG rating", widget=forms.RadioSelect,
                               choices=RagRating.choices,
                               error_messages={"required": "Select red, amber or green"})
    reason = _text("Reason (internal)", "", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.radios("rating", legend_size=Size.MEDIUM),
                              Field.textarea("reason"), button="Save the rating")


class InfoRequestForm(forms.Form):
    question = _text("What do you need to know?",
                     "Enter the question for the referrer", what="The question",
                     hint="The referrer will read this in the portal.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.textarea("question"), button="Send the request")


class InfoReceiveForm(forms.Form):
    information = _text("Information received", "Enter the information received")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.textarea("information"), button="Record it")


class RerouteForm(forms.Form):
    pathway = forms.ChoiceField(label="New pathway", widget=forms.RadioSelect,
                                choices=Pathway.routable_choices(),
                                error_messages={"required": "Select the new pathway"})
    reason = _text("Reason for re-routing", "Enter the reason for re-routing",
                   hint="The referrer is told the referral moved team.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.radios("pathway", legend_size=Size.MEDIUM),
                              Field.textarea("reason"), button="Re-route")


class PlanForm(forms.Form):
    reason = _text("Summary of the enquiry's findings (internal)", "", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.textarea("reason"), button="Move to plan and review")


class NoteForm(forms.Form):
    text = _text("Add an internal note", "Enter the note", what="The note",
                 hint="Only your team can read notes. The referrer never sees them.", rows=3)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.textarea("text"), button="Add note")


class SearchForm(forms.Form):
    # Limits as long as anything stored, so a 100 kB name is an error message, not a 500
    # (SQLite refuses a LIKE pattern that long: issue 14, attack 6).
    reference = _short("Reference", 30, required=False)
    name = _short("Person's name", 200, required=False, what="The name")
    dob = forms.DateField(label="Date of birth", required=False,
                          help_text="For example, 27/03/1947",
                          input_formats=["%d/%m/%Y", "%Y-%m-%d", "%d %m %Y"],
                          error_messages={"invalid": "Enter the date of birth as day/month/year, "
                                                     "like 27/03/1947"})
    postcode = _short("Postcode", 12, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.text("reference", field_width=Fluid.ONE_THIRD),
            Field.text("name", field_width=Fluid.TWO_THIRDS),
            Field.text("dob", field_width=Fluid.ONE_THIRD),
            Field.text("postcode", field_width=Fluid.ONE_THIRD),
            button="Search",
        )
        self.helper.form_tag = False

    def clean(self):
        data = super().clean()
        if not any(data.get(k) for k in ("reference", "name", "dob", "postcode")):
            raise forms.ValidationError("Enter a reference, name, date of birth or postcode")
        return data


@functools.cache
def search_form_blank_html() -> str:
    """The search form with nothing typed, rendered once per process: it is the same for
    everyone (no values, no errors; the page's own form tag carries the CSRF token), and
    rendering it through crispy-forms-gds was about a fifth of the queue page's time."""
    return render_crispy_form(SearchForm())


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label="Assign to", required=False,
                                 error_messages={"invalid_choice": "Select a member of the team"})

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        members = team.memberships.select_related("user").order_by("user__full_name")
        self.fields["assignee"].choices = [("", "Nobody (unassigned)")] + [
            (str(m.user_id), f"{m.user.full_name} ({m.get_role_display()})") for m in members
        ]


FILTER_CATEGORIES = [("", "Any")] + list(CATEGORIES.items())
FILTER_STATUSES = [(s, Status(s).label) for s in Status.open()]


@functools.lru_cache(maxsize=64)
def filter_options_html(name: str, selected: str) -> str:
    """The options of the queue's status or category filter, the chosen one selected: made
    once per process for each choice (the choices are fixed; `selected` is one of them or "",
    as selectors.QueueFilters admits), not by a loop and a comparison per option each time."""
    choices = {"status": FILTER_STATUSES, "category": FILTER_CATEGORIES}[name]
    return format_html_join("", '<option value="{}"{}>{}</option>', (
        (value, " selected" if selected == value else "", label) for value, label in choices))

FORMS = {
    workflow.Action.DECIDE: DecideForm,
    workflow.Action.CLOSE: CloseForm,
    workflow.Action.MERGE: MergeForm,
    workflow.Action.LINK: LinkForm,
    workflow.Action.RAG_RATE: RagForm,
    workflow.Action.INFO_REQUEST: InfoRequestForm,
    workflow.Action.INFO_RECEIVE: InfoReceiveForm,
    workflow.Action.REROUTE: RerouteForm,
    workflow.Action.PLAN: PlanForm,
}
