import pytest

from core.vocabulary import Pathway
from pathways.questions import QUESTIONS
from referrals import forms
from referrals.models import Referral

pytestmark = pytest.mark.django_db


def adult_data(**overrides):
    data = {"care_support_needs": "yes", "protect_themselves": "no", "capacity_concern": "no",
            "consent": "yes", "adult_wants": "To feel safe"}
    data.update(overrides)
    return data


def test_consent_given_needs_no_grounds_and_drops_any():
    form = forms.AdultForm(adult_data(consent_grounds=["crime"]), referral=Referral())
    assert form.is_valid(), form.errors
    assert form.values()["consent_grounds"] == []


@pytest.mark.parametrize("consent", ["no", "not_asked"])
def test_no_consent_requires_a_ground(consent):
    form = forms.AdultForm(adult_data(consent=consent), referral=Referral())
    assert not form.is_valid()
    assert form.errors["consent_grounds"] == [
        "Select at least one reason for making the referral without their agreement"]
    form = forms.AdultForm(adult_data(consent=consent, consent_grounds=["others_at_risk"]),
                           referral=Referral())
    assert form.is_valid(), form.errors


def test_every_required_field_has_its_own_message():
    for form_class in (forms.UrgencyForm, forms.PersonForm, forms.PersonContactForm,
                       forms.NeedsForm, forms.ConcernDetailsForm, forms.AdultForm,
                       forms.ChildForm, forms.ReferrerForm):
        form = form_class({}, referral=Referral(pathway="oppd"))
        assert not form.is_valid()
        for name, errors in form.errors.items():
            assert "This field is required." not in errors, (form_class.__name__, name)


def test_urgent_needs_a_reason():
    form = forms.UrgencyForm({"urgent": "yes"}, referral=Referral())
    assert not form.is_valid()
    assert form.errors["urgent_reason"] == ["Enter why the referral is urgent"]
    form = forms.UrgencyForm({"urgent": "no", "urgent_reason": "x"}, referral=Referral())
    assert form.is_valid() and form.values() == {"urgent": False, "urgent_reason": ""}


def test_phone_required_when_feedback_by_phone():
    data = {"referrer_name": "A", "referrer_job_title": "B", "referrer_organisation": "C",
            "referrer_email": "a@example.org", "feedback_preference": "phone_only"}
    form = forms.ReferrerForm(data, referral=Referral())
    assert form.errors["referrer_phone"] == ["Enter a phone number so the team can call you"]
    assert forms.ReferrerForm({**data, "referrer_phone": "020 7946 0000"},
                              referral=Referral()).is_valid()
    assert forms.ReferrerForm({**data, "feedback_preference": "portal_email"},
                              referral=Referral()).is_valid()


def test_date_of_birth_errors_are_specific():
    base = {"person_name": "A", "age_known": "dob", "person_gender": "female"}
    form = forms.PersonForm(base, referral=Referral())
    assert form.errors["person_dob"] == ["Enter their date of birth as a day, month and year"]
    form = forms.PersonForm({**base, "person_dob_0": "31", "person_dob_1": "2",
                             "person_dob_2": "1950"}, referral=Referral())
    assert form.errors["person_dob"] == ["Their date of birth must be a real date"]
    form = forms.PersonForm({**base, "person_dob_0": "1", "person_dob_1": "2",
                             "person_dob_2": "2999"}, referral=Referral())
    assert form.errors["person_dob"] == ["Their date of birth must be in the past"]
    # A two-digit year is the year itself, 48 AD: refused, not stored as a 1,978-year-old.
    form = forms.PersonForm({**base, "person_dob_0": "27", "person_dob_1": "3",
                             "person_dob_2": "48"}, referral=Referral())
    assert form.errors["person_dob"] == [
        "Their date of birth must be within the last 120 years, like 27 3 1948"]


def test_categories_follow_adult_or_child():
    adult = forms.ConcernForm(referral=Referral(pathway="oppd"))
    child = forms.ConcernForm(referral=Referral(pathway="mash"))
    assert len(adult.fields["categories"].choices) == 11  # Care Act's ten and radicalisation
    assert "radicalisation" in {value for value, _ in adult.fields["categories"].choices}
    child_values = {value for value, _ in child.fields["categories"].choices}
    assert {"physical", "emotional", "sexual", "neglect", "cse", "criminal_exploitation", "fgm",
            "radicalisation", "domestic_abuse", "missing", "online_harm"} == child_values


def test_pathway_questions_are_data():
    for pathway in Pathway:
        form = forms.PathwayQuestionsForm(referral=Referral(pathway=pathway))
        assert list(form.fields) == [q.key for q in QUESTIONS[pathway]]
    form = forms.PathwayQuestionsForm({}, referral=Referral(pathway="mash"))
    assert form.errors["mash_neglect_toolkit"] == [
        "Select whether you have completed a neglect toolkit"]


def test_paid_carer_needs_an_agency():
    data = {"relationship": "paid_carer", "lives_with": "no", "cares_for": "yes",
            "contact_with_others_at_risk": "unknown"}
    form = forms.AllegedPersonForm(data, referral=Referral())
    assert form.errors["agency_name"] == ["Enter the name of the care agency or employer"]


def test_not_sure_goes_to_the_front_door(settings):
    settings.FRONT_DOOR_PATHWAY = "learning-disabilities"
    referral = Referral(main_need="not_sure", person_age_approx=40)
    form = forms.PathwayForm({"pathway": "not_sure"}, referral=referral)
    assert form.is_valid(), form.errors
    assert form.values()["pathway"] == "learning-disabilities"
    assert form.values()["suggested_pathway"] == "learning-disabilities"


def test_postcode_is_checked():
    data = {"safe_to_contact": "yes", "interpreter": "no", "person_aware": "yes",
            "person_postcode": "ABC 12"}
    form = forms.PersonContactForm(data, referral=Referral())
    assert form.errors["person_postcode"] == ["Enter a real postcode, like SE5 8UH"]
    form = forms.PersonContactForm({**data, "person_postcode": "se5 8uh"}, referral=Referral())
    assert form.is_valid() and form.values()["person_postcode"] == "SE5 8UH"


def test_too_long_answers_name_the_field():
    form = forms.PersonContactForm({"person_postcode": "X" * 11}, referral=Referral())
    assert form.errors["person_postcode"] == ["Postcode must be 10 characters or fewer"]
