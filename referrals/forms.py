"""The referral's question pages. Each form is one page; referrals.steps puts them in order.

Forms only validate and shape answers; referrals.answers stores them and referrals.services
writes. Every field carries its own specific error message (GOV.UK error summary).
"""

import re
from functools import cached_property

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fixed, Fluid, Layout, Size, Submit
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from core.reveal import Reveal
from core.vocabulary import Pathway
from pathways.duties import risk_questions, risk_threshold
from pathways.models import ThresholdLevel
from pathways.questions import questions_for
from pathways.routing import MainNeed, RouteFlag, age_on, route_suggest

from . import choices as c
from .answers import values_load, yes_to_bool
from .models import Relationship
from .workflow import FeedbackPreference

POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


def required(message: str) -> dict:
    return {"required": message}


def radios(label, choices, message, **kwargs):
    return forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect,
                             error_messages={"required": message, "invalid_choice": message},
                             **kwargs)


def text(label, message=None, max_length=200, textarea=False, **kwargs):
    return forms.CharField(
        label=label, required=message is not None, max_length=max_length,
        widget=forms.Textarea(attrs={"rows": 5}) if textarea else forms.TextInput,
        error_messages={
            "required": message or "",
            "max_length": f"{label.split(' (optional)')[0].rstrip('?')} must be {max_length} "
                          "characters or fewer",
        },
        **kwargs,
    )


class DateField(DateInputField):
    """The GOV.UK date input with messages that name the date being asked for."""

    def __init__(self, *, what: str, **kwargs):
        super().__init__(**kwargs)
        self.what = what
        message = f"Enter {what} as a day, month and year"
        self.error_messages.update({"required": message, "incomplete": message,
                                    "invalid": f"{what[0].upper()}{what[1:]} must be a real date"})
        for sub, part in zip(self.fields, ("day", "month", "year"), strict=True):
            sub.error_messages["incomplete"] = f"{what[0].upper()}{what[1:]} must include a {part}"
            sub.validators[0].message = f"{what[0].upper()}{what[1:]} must be a real date"

    def compress(self, data_list):
        try:
            return super().compress(data_list)
        except forms.ValidationError as error:
            raise forms.ValidationError(self.error_messages["invalid"]) from error


class StepForm(forms.Form):
    """A question page. `title` is the page's heading; the referral fills initial values."""

    title = ""
    caption = ""
    submit_label = "Save and continue"

    def __init__(self, *args, referral, **kwargs):
        self.referral = referral
        super().__init__(*args, **kwargs)
        # The stored answers for these fields, kept for answers_display (which reads them
        # without the form's own initial values, such as the pathway page's suggestion).
        self.loaded = values_load(referral, self.fields)
        self.initial = {**self.loaded, **self.initial}

    @classmethod
    def for_display(cls, referral):
        """The form as check your answers, the PDF and staff's page read it (referrals.display):
        its fields, labels and stored answers. The crispy layout is built only when a question
        page renders the form (`helper`), so reading answers does not pay for it."""
        return cls(referral=referral)

    @cached_property
    def helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.layout = self.layout_build()
        return helper

    def layout_build(self) -> Layout:
        """The question page's GOV.UK layout (a form with its own arrangement overrides this)."""
        return Layout(*[layout_field(name, f) for name, f in self.fields.items()],
                      Submit("submit", self.submit_label))

    def values(self) -> dict:
        """The cleaned answers to store (referrals.answers.values_store)."""
        return dict(self.cleaned_data)

    def require(self, name: str, message: str):
        if not self.cleaned_data.get(name) and name not in self.errors:
            self.add_error(name, message)


def layout_field(name, field):
    """The GOV.UK component for a field, from its widget (so dynamic forms need no layout)."""
    if isinstance(field.widget, forms.RadioSelect):
        return Field.radios(name, legend_size=Size.SMALL, small=len(field.choices) > 4)
    if isinstance(field.widget, forms.CheckboxSelectMultiple):
        return Field.checkboxes(name, legend_size=Size.SMALL)
    if isinstance(field.widget, forms.Textarea):
        return Field.textarea(name, label_size=Size.SMALL)
    if isinstance(field, DateInputField):
        return Field(name, context={"legend_size": Size.for_legend(Size.SMALL)})
    if isinstance(field.widget, forms.ClearableFileInput):
        return Field(name, context={"label_size": Size.for_label(Size.SMALL)})
    width = Fluid.ONE_THIRD if isinstance(field, forms.IntegerField) else Fluid.TWO_THIRDS
    return Field.text(name, label_size=Size.SMALL, field_width=width)


class UrgencyForm(StepForm):
    title = "Is this referral urgent?"
    urgent = forms.TypedChoiceField(
        label="Is it urgent?", choices=c.YES_NO, coerce=yes_to_bool,
        widget=forms.RadioSelect,
        help_text="Urgent means someone could come to serious harm today. Urgent referrals go "
                  "to the top of the team's list and their manager is told.",
        error_messages=required("Select yes if the referral is urgent"),
    )
    urgent_reason = text("Why is it urgent?", textarea=True, max_length=2000)

    def clean(self):
        data = super().clean()
        if data.get("urgent") is True:
            self.require("urgent_reason", "Enter why the referral is urgent")
        elif data.get("urgent") is False:
            data["urgent_reason"] = ""
        return data


class PersonForm(StepForm):
    title = "The person you are worried about"
    person_name = text("Full name", "Enter the full name of the person you are worried about")
    person_other_names = text("Other names they use (optional)",
                              help_text="For example a previous surname or a nickname")
    age_known = radios("Do you know their age?", c.AGE_KNOWN,
                       "Select whether you know their date of birth or roughly how old they are")
    person_dob = DateField(label="Date of birth", required=False, what="their date of birth",
                           help_text="For example, 27 3 1948")
    person_age_approx = forms.IntegerField(
        label="Approximate age in years", required=False, min_value=0, max_value=120,
        # GOV.UK asks for numbers with a text input (crispy-forms-gds styles no type=number:
        # that rendered an unstyled 21 px box).
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={"invalid": "Approximate age must be a number, like 80",
                        "min_value": "Approximate age must be 0 or more",
                        "max_value": "Approximate age must be 120 or less"},
    )
    person_gender = radios("Gender", c.GENDER, "Select their gender, or 'Not known'")

    def layout_build(self) -> Layout:
        # Only the question that fits the answer shows (GOV.UK conditional reveal).
        return Layout(
            layout_field("person_name", self.fields["person_name"]),
            layout_field("person_other_names", self.fields["person_other_names"]),
            Reveal("age_known", {
                "dob": [layout_field("person_dob", self.fields["person_dob"])],
                "approx": [Field.text("person_age_approx", label_size=Size.SMALL,
                                      field_width=Fixed.THREE)],
            }, legend_size=Size.for_legend(Size.SMALL)),
            layout_field("person_gender", self.fields["person_gender"]),
            Submit("submit", self.submit_label),
        )

    def clean(self):
        data = super().clean()
        known = data.get("age_known")
        # A half-typed answer under the option not chosen is not an error (without JavaScript
        # both questions show).
        for option, name in (("dob", "person_dob"), ("approx", "person_age_approx")):
            if known in ("dob", "approx", "unknown") and known != option:
                self.errors.pop(name, None)
        if known == "dob":
            self.require("person_dob", "Enter their date of birth as a day, month and year")
            dob = data.get("person_dob")
            if dob and dob > timezone.localdate():
                self.add_error("person_dob", "Their date of birth must be in the past")
            elif dob and age_on(dob, timezone.localdate()) > 120:  # "27 3 48" is the year 48
                self.add_error("person_dob", "Their date of birth must be within the last 120 "
                                             "years, like 27 3 1948")
            data["person_age_approx"] = None
        elif known == "approx":
            if data.get("person_age_approx") is None and "person_age_approx" not in self.errors:
                self.add_error("person_age_approx", "Enter their approximate age in years")
            data["person_dob"] = None
        elif known in ("unknown", "unborn"):
            data["person_dob"] = None
            data["person_age_approx"] = None
        return data


def _known_age(referral) -> int | None:
    if referral.person_dob:
        return age_on(referral.person_dob, timezone.localdate())
    return referral.person_age_approx


class WorkerForm(StepForm):
    """The LADO's (and PiPoT's) own questions about the person the allegation is about."""

    title = "The person the concern is about, and their work"
    worker_role = text("What is their role?", "Enter their role, for example volunteer youth "
                       "leader", help_text="Paid or voluntary, for example Sunday school "
                       "volunteer or teaching assistant")
    worker_employer = text("Who do they work or volunteer for?",
                           "Enter the organisation they work or volunteer for",
                           help_text="The school, nursery, club, faith group, agency or "
                                     "employer")
    employer_knows = radios("Does their employer or organisation know about the concern?",
                            c.YES_NO_UNKNOWN,
                            "Select whether their employer or organisation knows")


class PreBirthForm(StepForm):
    """Issue 16: a pre-birth referral asks the expected date of delivery (instead of a date of
    birth) and about the parents-to-be."""

    title = "The unborn baby and the parents"
    expected_delivery = DateField(label="Expected date of delivery", what="the expected date of "
                                  "delivery", help_text="For example, 14 5 2027")
    parent_name = text("The mother or expectant parent: full name",
                       "Enter the full name of the mother or expectant parent")
    parent_age = forms.IntegerField(
        label="Their age in years (optional)", required=False, min_value=10, max_value=70,
        error_messages={"invalid": "Their age must be a number, like 24",
                        "min_value": "Their age must be 10 or more",
                        "max_value": "Their age must be 70 or less"})
    other_parent = text("The other parent, if known (optional)",
                        help_text="Their name, and whether they live with the mother")
    parents_details = text("Anything else about the parents (optional)", textarea=True,
                           max_length=2000,
                           help_text="For example: previous children in care, their own needs, "
                                     "who supports them")

    def clean_expected_delivery(self):
        value = self.cleaned_data["expected_delivery"]
        today = timezone.localdate()
        if value and value < today:
            raise forms.ValidationError("The expected date of delivery must be today or in the "
                                        "future: if the baby is born, go back and give their "
                                        "date of birth")
        if value and (value - today).days > 300:
            raise forms.ValidationError("The expected date of delivery must be within the next "
                                        "10 months")
        return value


class PersonContactForm(StepForm):
    title = "Where they live and how to contact them"
    person_address = text("Address (optional)", textarea=True, max_length=500,
                          help_text="Leave blank if they have no fixed address or you do not know")
    person_postcode = text("Postcode (optional)", max_length=10)
    safe_to_contact = radios("Is it safe for the team to contact them?", c.YES_NO_UNKNOWN,
                             "Select whether it is safe to contact them")
    contact_how = text("How should they be contacted safely? (optional)", max_length=500,
                       help_text="For example: only by phone, never when their partner is home")
    communication_needs = text("Communication needs (optional)", textarea=True, max_length=1000,
                               help_text="For example: British Sign Language, easy read, "
                                         "hearing or sight loss")
    interpreter = radios("Do they need an interpreter?", c.YES_NO,
                         "Select yes if they need an interpreter")
    interpreter_language = text("Language for the interpreter", max_length=100,
                                help_text="Only if they need an interpreter")
    person_aware = radios("Do they know you are making this referral?", c.YES_NO_UNKNOWN,
                          "Select whether they know about this referral")

    def clean_person_postcode(self):
        value = self.cleaned_data["person_postcode"].strip().upper()
        if value and not POSTCODE.match(value):
            raise forms.ValidationError("Enter a real postcode, like SE5 8UH")
        return value

    def clean(self):
        data = super().clean()
        if data.get("interpreter") == "yes":
            self.require("interpreter_language",
                         "Enter the language they need an interpreter for")
        return data


class NeedsForm(StepForm):
    title = "Their needs and household"
    main_need = radios("What is their main need for care or support?", MainNeed.choices,
                       "Select their main need, or 'I'm not sure'",
                       help_text="This helps us send the referral to the right team. For a child "
                                 "under 18, choose the closest or 'I'm not sure'.")
    children_in_household = radios("Do any children live in the same household?",
                                   c.YES_NO_UNKNOWN,
                                   "Select whether any children live in the same household")

    def __init__(self, *args, referral, **kwargs):
        # Issue 16: asked before the team page because it decides the route. About a child (or
        # an age not known): the LADO; about an adult: their team, flagged PiPoT
        # (pathways.routing rules).
        age = _known_age(referral)
        adult = age is not None and age >= 18
        question = ("Is the concern about something a person did in their work or volunteering "
                    + ("with adults?" if adult else "with children?"))
        hint = ("For example a care worker, personal assistant, nurse, volunteer or faith "
                "leader: a person in a position of trust." if adult else
                "For example a teacher, nursery worker, foster carer, sports coach, youth worker, "
                "faith leader or volunteer, paid or not.")
        self.base_fields = {**self.base_fields, "allegation_about_worker": radios(
            question, c.YES_NO, "Select yes if the concern is about something a person did in "
            "their work or volunteering", help_text=hint)}
        super().__init__(*args, referral=referral, **kwargs)


class PathwayForm(StepForm):
    title = "Which team should receive the referral?"

    def __init__(self, *args, referral, display=False, **kwargs):
        # Read for display (for_display), the suggestion matters only for which questions exist
        # (the linked MASH ones, offered only with children in the household): without
        # children the routing rules are not read.
        if display and referral.children_in_household != "yes":
            self.suggestion = None
        else:
            self.suggestion = route_suggest(
                main_need=referral.main_need, today=timezone.localdate(),
                front_door=settings.FRONT_DOOR_PATHWAY, dob=referral.person_dob,
                age=referral.person_age_approx,
                allegation_about_worker=referral.answers.get("allegation_about_worker") == "yes",
                unborn=referral.answers.get("age_known") == "unborn",
            )
        self.base_fields = dict(self.base_fields)
        self.base_fields["pathway"] = radios(
            "Team", [*Pathway.routable_choices(), (c.PATHWAY_NOT_SURE, "I'm not sure: let the front door "
                                                            "decide")],
            "Select the team to send the referral to, or 'I'm not sure'",
            help_text="You can choose a different team from the suggestion.",
        )
        self.offer_linked = (referral.children_in_household == "yes"
                             and self.suggestion is not None
                             and Pathway.is_adult(self.suggestion.pathway))
        if self.offer_linked:
            self.base_fields["linked_mash"] = radios(
                "Do you also want to refer the children to the Multi-Agency Safeguarding Hub "
                "(MASH)?", c.YES_NO, "Select yes if you also want to refer the children to MASH",
                required=False, help_text="For an adult referral only. The children's referral gets its own "
                          "reference and you will not need to type your answers again.")
            self.base_fields["linked_children"] = text(
                "The children: names and ages, if you know them", textarea=True, max_length=1000)
        super().__init__(*args, referral=referral, **kwargs)
        if self.suggestion is not None:
            self.initial.setdefault("pathway", self.suggestion.pathway)
        self.flag_labels = [RouteFlag(flag).label for flag in self.suggestion.flag_values
                            ] if self.suggestion is not None else []

    @classmethod
    def for_display(cls, referral):
        return cls(referral=referral, display=True)

    def clean(self):
        data = super().clean()
        if data.get("pathway") == c.PATHWAY_NOT_SURE:
            data["pathway"] = settings.FRONT_DOOR_PATHWAY
        adult = Pathway.is_adult(data.get("pathway", ""))
        if self.offer_linked and adult and not data.get("linked_mash"):
            self.add_error("linked_mash", "Select yes if you also want to refer the children "
                                          "to MASH")
        if data.get("linked_mash") == "yes" and data.get("pathway") == Pathway.MASH:
            self.add_error("linked_mash", "A linked MASH referral can only go with a referral "
                                          "to an adult team: select no, or choose an adult team")
        data["suggested_pathway"] = self.suggestion.pathway
        # Which routing rule suggested the team, and its flags (transition planning, PiPoT):
        # kept in answers for staff (the referral page) and the record (docs/routing.md).
        data["route_rule"] = self.suggestion.rule
        data["route_flags"] = self.suggestion.flag_values
        return data


def _guidance_hint(text: str, section: str, link: str) -> str:
    """A hint with a link to a section of the guidance page (learning:guidance), opening in a
    new tab so the step's answers are not lost (GOV.UK: links in forms)."""
    return format_html('{} <a class="govuk-link" href="{}#{}" target="_blank" '
                       'rel="noreferrer noopener">{} (opens in new tab)</a>', text,
                       reverse("learning:guidance"), section, link)


class ConcernForm(StepForm):
    title = "What has happened"
    what_happened = text("What happened, or what are you worried about?",
                         "Describe what happened or what you are worried about",
                         textarea=True, max_length=5000,
                         help_text="Facts first: what you saw or were told, and by whom")
    concern_pattern = radios("Did it happen once, or is it ongoing?", c.PATTERN,
                             "Select whether it happened once or is ongoing")
    concern_since = text("When did it happen, or when did it start?",
                         "Enter when it happened or when it started", max_length=100,
                         help_text="For example: 3 November 2026, or since last summer")

    def __init__(self, *args, referral, **kwargs):
        self.base_fields = dict(self.base_fields)
        child = referral.pathway in Pathway.about_children()
        self.base_fields = {
            "categories": forms.MultipleChoiceField(
                label="What kind of abuse or neglect is it?",
                choices=(c.ChildCategory if child else c.AdultCategory).choices,
                widget=forms.CheckboxSelectMultiple, help_text=_guidance_hint(
                    "Select all that apply.", "what-counts-as-abuse",
                    "What counts as abuse or neglect"),
                error_messages={"required": "Select at least one kind of abuse or neglect",
                                "invalid_choice": "Select at least one kind of abuse or neglect"},
            ),
            **{k: v for k, v in self.base_fields.items() if k != "categories"},
        }
        super().__init__(*args, referral=referral, **kwargs)


class ConcernDetailsForm(StepForm):
    title = "Where it happened, injuries and the police"
    where = radios("Where did it happen?", c.WHERE, "Select where it happened")
    where_details = text("More about where (optional)", max_length=500)
    injuries = radios("Do they have any injuries?", c.YES_NO_UNKNOWN,
                      "Select whether they have any injuries")
    injuries_details = text("Describe the injuries (optional)", textarea=True, max_length=2000)
    police_informed = radios("Have the police been told?", c.YES_NO_UNKNOWN,
                             "Select whether the police have been told")
    crime_reference = text("Crime reference number (optional)", max_length=60,
                           help_text="If the police gave you one")

    def clean(self):
        data = super().clean()
        if data.get("police_informed") != "yes" and data.get("crime_reference"):
            self.add_error("crime_reference", "Only give a crime reference number if the "
                                              "police have been told")
        return data


class AllegedPersonForm(StepForm):
    title = "People alleged to have caused the harm"
    submit_label = "Add this person"
    name = text("Their name (optional)")
    relationship = radios("Their relationship to the person at risk", Relationship.choices,
                          "Select their relationship to the person at risk")
    agency_name = text("Care agency or employer", max_length=200,
                       help_text="Needed if they are a paid carer")
    lives_with = radios("Do they live with the person at risk?", c.YES_NO_UNKNOWN,
                        "Select whether they live with the person at risk")
    cares_for = radios("Do they care for the person at risk?", c.YES_NO_UNKNOWN,
                       "Select whether they care for the person at risk")
    contact_with_others_at_risk = radios(
        "Do they have contact with children or other adults who may be at risk?",
        c.YES_NO_UNKNOWN, "Select whether they have contact with children or other adults at risk")
    others_at_risk_details = text("Who else may be at risk? (optional)", textarea=True,
                                  max_length=1000)

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, referral=referral, **kwargs)
        self.initial = {}  # each submission adds a new person

    def layout_build(self) -> Layout:
        return Layout(*[layout_field(n, f) for n, f in self.fields.items()])

    def clean(self):
        data = super().clean()
        if data.get("relationship") == Relationship.PAID_CARER:
            self.require("agency_name", "Enter the name of the care agency or employer")
        return data

    def is_blank(self) -> bool:
        return not any(str(v).strip() for k, v in self.data.items()
                       if k in self.fields)


class HouseholdMemberForm(StepForm):
    """Issue 16: the family's other children and the adults in the household, one person at a
    time (GOV.UK "add another"). `member` given: the form changes that person."""

    title = "The family's other children and the adults in the household"
    submit_label = "Add this person"
    name = text("Their name (optional)", help_text="Leave blank if you do not know it")
    relationship = radios("Their relationship to the person you are referring",
                          c.HouseholdRelationship.choices,
                          "Select their relationship to the person you are referring")
    child_or_adult = radios("Are they a child or an adult?", c.CHILD_OR_ADULT,
                            "Select whether they are a child or an adult")
    age = forms.IntegerField(
        label="Their age in years (optional)", required=False, min_value=0, max_value=120,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={"invalid": "Their age must be a number, like 7",
                        "min_value": "Their age must be 0 or more",
                        "max_value": "Their age must be 120 or less"})
    date_of_birth = DateField(label="Their date of birth (optional)", required=False,
                              what="their date of birth",
                              help_text="If you know it, for example 27 3 2015")
    lives_there = radios("Do they live in the household?", c.YES_NO_UNKNOWN,
                         "Select whether they live in the household")
    concern = text("Is there anything known about this adult that worries you? (optional)",
                   textarea=True, max_length=2000,
                   help_text="For example drug or alcohol use, violence, a criminal record, or "
                             "their own needs")

    def __init__(self, *args, referral, member=None, **kwargs):
        super().__init__(*args, referral=referral, **kwargs)
        self.member = member
        self.initial = {} if member is None else {
            name: getattr(member, name) for name in self.fields}

    def layout_build(self) -> Layout:
        return Layout(
            layout_field("name", self.fields["name"]),
            layout_field("relationship", self.fields["relationship"]),
            Reveal("child_or_adult", {"adult": [Field.textarea("concern",
                                                               label_size=Size.SMALL)]},
                   legend_size=Size.for_legend(Size.SMALL)),
            Field.text("age", label_size=Size.SMALL, field_width=Fixed.THREE),
            layout_field("date_of_birth", self.fields["date_of_birth"]),
            layout_field("lives_there", self.fields["lives_there"]),
        )

    def clean(self):
        data = super().clean()
        born = data.get("date_of_birth")
        today = timezone.localdate()
        if born and born > today:
            self.add_error("date_of_birth", "Their date of birth must be in the past")
            born = None
        elif born and age_on(born, today) > 120:  # "27 3 15" is the year 15, not 2015
            self.add_error("date_of_birth", "Their date of birth must be within the last 120 "
                                            "years")
            born = None
        age = data.get("age")
        if born and age is not None and abs(age_on(born, today) - age) > 1:
            self.add_error("age", "Their age does not match their date of birth: correct one, "
                                  "or leave the age blank")
        # Child or adult must agree with every age known: the date of birth's (exact) and the
        # age typed (accepted a year out beside it), so a child is under 18 by both.
        kind = data.get("child_or_adult")
        if "age" not in self.errors:
            if born:
                self._check_child_or_adult(kind, age_on(born, today), "their date of birth",
                                           "Their date of birth makes them")
            if age is not None and "child_or_adult" not in self.errors:
                self._check_child_or_adult(kind, age, "their age", "They are")
        if kind != "adult":
            data["concern"] = ""  # the question is asked about adults only
        return data

    def _check_child_or_adult(self, kind, age: int, what: str, they_are: str):
        if kind == "child" and age >= 18:
            self.add_error("child_or_adult", f"{they_are} 18 or over: select an adult, or "
                                             f"correct {what}")
        elif kind == "adult" and age < 18:
            self.add_error("child_or_adult", f"{they_are} under 18: select a child, or "
                                             f"correct {what}")

    def is_blank(self) -> bool:
        """Nothing typed or chosen ("Save and continue" then adds nobody)."""
        names = {*self.fields, *(f"date_of_birth_{i}" for i in range(3))}
        return not any(str(v).strip() for k, v in self.data.items() if k in names)


class AdultForm(StepForm):
    title = "About the adult: needs, capacity and consent"
    care_support_needs = radios(
        "Do they have needs for care and support?", c.YES_NO_UNKNOWN,
        "Select whether they have needs for care and support",
        help_text="For example help with washing, eating, moving around, managing money or "
                  "staying safe, whether or not anyone provides it")
    protect_themselves = radios(
        "Can they protect themselves from the abuse or neglect?", c.YES_NO_UNKNOWN,
        "Select whether they can protect themselves")
    capacity_concern = radios(
        "Do you have concerns about their mental capacity to make decisions about their safety?",
        c.YES_NO_UNKNOWN, "Select whether you have concerns about their mental capacity")
    capacity_details = text("What are your concerns about their capacity? (optional)",
                            textarea=True, max_length=2000)
    consent = radios("Have they agreed to this referral?", c.CONSENT,
                     "Select whether they have agreed to this referral")
    consent_grounds = forms.MultipleChoiceField(
        label="If they have not agreed, why are you referring anyway?",
        choices=c.ConsentGround.choices, widget=forms.CheckboxSelectMultiple, required=False,
        help_text="You can refer without their agreement. Select all that apply.",
        error_messages={"invalid_choice": "Select a reason from the list"},
    )
    adult_wants = text("What do they want to happen?",
                       "Enter what they want to happen, or why you could not ask them",
                       textarea=True, max_length=2000,
                       help_text="In their own words if you can. If you could not ask them, "
                                 "say why.")

    def clean(self):
        data = super().clean()
        consent = data.get("consent")
        if consent == "yes":
            data["consent_grounds"] = []
        elif consent in ("no", "not_asked") and not data.get("consent_grounds"):
            self.add_error("consent_grounds", "Select at least one reason for making the "
                                              "referral without their agreement")
        return data


NEED_LEVEL_NOT_SURE = "not_sure"


class ChildForm(StepForm):
    title = "About the child: parents, school and professionals"
    parents_aware = radios("Do the parents or carers know about this referral?", c.YES_NO,
                           "Select yes if the parents or carers know about this referral")
    parents_agree = radios("Do the parents or carers agree to it?",
                           (*c.YES_NO, ("not_asked", "They have not been asked")),
                           "Select whether the parents or carers agree to the referral")
    parents_why_not = text("Why do they not know, or not agree?", textarea=True,
                           max_length=2000, help_text="For example, telling them could put the "
                                                      "child at greater risk")
    # Issue 16: the child's lived experience (the Neglect Strategy's "See. Listen. And believe
    # me."): required, unless the child is too young to say.
    child_voice = text("What does the child say, and what is daily life like for them?",
                       textarea=True, max_length=3000,
                       help_text="In the child's own words if you can: what they told you, and "
                                 "what a normal day is like for them at home and outside")
    child_too_young = forms.BooleanField(
        label="The child is too young to say (or is not born yet)", required=False)
    # Issue 16, part 4: private fostering (Children Act 1989 s66; a close relative is defined in
    # s105). Optional so a referrer who does not know is not stopped; "yes" prompts the duty.
    private_fostering = radios(
        "Does the child live with someone who is not their parent or a close relative? "
        "(optional)",
        (("no", "No"), ("yes", "Yes, for 28 days or more (or it is planned to be)"),
         ("under_28", "Yes, but for less than 28 days"), ("unknown", "I do not know")),
        "Select whether the child lives with someone who is not their parent or a close "
        "relative", required=False,
        help_text="A close relative is a grandparent, brother, sister, uncle, aunt or "
                  "step-parent. Living with anyone else for 28 days or more is private "
                  "fostering, and the council must be told.")
    school = text("School, nursery or college (optional)")
    gp = text("GP surgery (optional)")
    other_professionals = text("Other professionals involved (optional)", textarea=True,
                               max_length=2000, help_text="Names, roles and organisations")
    # Issue 15 item 6 / issue 16 item 3: the level of need the referrer believes applies, from
    # the partnership's threshold document (pathways.ThresholdLevel rows). The MASH worker sees
    # it when recording the level decided.
    need_level = forms.ChoiceField(
        label="What level of need do you think applies? (optional)", required=False,
        widget=forms.RadioSelect, choices=(),  # the rows, set per form below
        error_messages={"invalid_choice": "Select one of the levels of need, or I'm not sure"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        levels = list(ThresholdLevel.objects.active())
        self.fields["need_level"].choices = [*((level.code, level.name) for level in levels),
                                             (NEED_LEVEL_NOT_SURE, "I'm not sure")]
        guide = next((level for level in levels if level.guidance_url), None)
        hint = "The team decides the level; your view helps them."
        if guide is not None:
            self.fields["need_level"].help_text = format_html(
                '{} <a class="govuk-link" href="{}" target="_blank" rel="noopener noreferrer">'
                "Read what each level means in the threshold document (opens in new tab)</a>",
                hint, guide.guidance_url)
        else:
            self.fields["need_level"].help_text = hint

    def layout_build(self) -> Layout:
        # The level's radios were laid out before their choices were set (no choices: regular
        # size, not small); the layout is now built later, so that is kept explicitly and the
        # page is unchanged.
        return Layout(*[Field.radios(name, legend_size=Size.SMALL, small=False)
                        if name == "need_level" else layout_field(name, f)
                        for name, f in self.fields.items()],
                      Submit("submit", self.submit_label))

    def clean(self):
        data = super().clean()
        if not data.get("child_too_young"):
            self.require("child_voice", "Enter what the child says and what daily life is like "
                                        "for them, or select that the child is too young to say")
        if data.get("parents_aware") == "no" or data.get("parents_agree") in ("no", "not_asked"):
            self.require("parents_why_not", "Explain why the parents or carers do not know or "
                                            "do not agree")
        return data


RISK_ANSWERS = (("yes", "Yes"), ("no", "No"), ("unknown", "Not known"))


class RiskChecklistForm(StepForm):
    """Issue 16, part 4: the standard domestic abuse risk questions (pathways.RiskQuestion rows,
    paraphrasing the SafeLives DASH risk identification checklist), asked when domestic abuse
    is selected. The score and the referrer's professional judgement decide whether MARAC is
    prompted (pathways.duties)."""

    title = "Domestic abuse: risk questions"

    def __init__(self, *args, referral, **kwargs):
        fields = {
            f"risk_{q.number}": radios(
                f"{q.number}. {q.text}", RISK_ANSWERS,
                f"Select yes, no or not known for question {q.number}")
            for q in risk_questions()
        }
        fields["risk_judgement"] = radios(
            "In your professional judgement, is the person at high risk of serious harm or of "
            "being killed?", c.YES_NO,
            "Select yes if you judge the person to be at high risk",
            help_text="Say yes if you are seriously worried even if few answers above are "
                      "yes: for example fear, threats to kill, strangulation, stalking, or the "
                      "abuse getting worse.")
        self.base_fields = fields
        self.threshold = risk_threshold()
        super().__init__(*args, referral=referral, **kwargs)

    def layout_build(self) -> Layout:
        return Layout(
            *[Field.radios(name, legend_size=Size.SMALL, inline=name != "risk_judgement")
              for name in self.fields],
            Submit("submit", self.submit_label))


class PathwayQuestionsForm(StepForm):
    """Built from pathways.questions for the referral's pathway."""

    title = "Questions from the receiving team"

    def __init__(self, *args, referral, **kwargs):
        self.base_fields = {q.key: question_field(q) for q in questions_for(referral.pathway)}
        super().__init__(*args, referral=referral, **kwargs)


def question_field(question):
    if question.kind == "radios":
        return radios(question.label, question.choices, question.error,
                      required=question.required, help_text=question.hint)
    return text(question.label, question.error if question.required else None,
                textarea=question.kind == "textarea", max_length=2000, help_text=question.hint)


class ReferrerForm(StepForm):
    title = "Your details and how you want to hear back"
    referrer_name = text("Your name", "Enter your name")
    referrer_job_title = text("Your job title or role", "Enter your job title or role")
    referrer_organisation = text("Your organisation", "Enter the name of your organisation")
    referrer_email = forms.EmailField(
        label="Your email address", max_length=254, error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
            "max_length": "Email address must be 254 characters or fewer"})
    feedback_preference = radios("How do you want to hear what happens?",
                                 FeedbackPreference.choices,
                                 "Select how you want to hear what happens")
    referrer_phone = text("Phone number", max_length=40,
                          help_text="Needed if you want to hear by phone")

    def clean(self):
        data = super().clean()
        phone = data.get("referrer_phone", "")
        if data.get("feedback_preference") in (FeedbackPreference.PHONE_ONLY,
                                                FeedbackPreference.BOTH):
            self.require("referrer_phone", "Enter a phone number so the team can call you")
        if phone and not re.fullmatch(r"[0-9+() -]{7,40}", phone):
            self.add_error("referrer_phone", "Enter a phone number, like 020 7946 0000")
        return data


class AttachmentForm(forms.Form):
    """One file at a time; content checks are in referrals.services.attachments."""

    file = forms.FileField(
        label="Upload a file", error_messages={
            "required": "Select a file to attach",
            "empty": "The selected file is empty",
            "invalid": "The selected file could not be read: try again",
        },
        help_text="PDF, Word (.doc or .docx), Excel (.xlsx), or a photo (JPEG, PNG or GIF)",
    )
    description = text("What is this file? (optional)", max_length=200,
                       help_text="For example: body map, neglect toolkit, photo of the room")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field("file", context={"label_size": Size.for_label(Size.SMALL)}),
            Field.text("description", label_size=Size.SMALL, field_width=Fluid.TWO_THIRDS),
            Submit("action", "Attach file", css_class="govuk-button--secondary"),
        )
