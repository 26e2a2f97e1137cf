"""Property-based tests (hypothesis): arbitrary text into the forms and pages that exist never
gives a 500, and every error is a specific message, never Django's generic default."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.forms import SignUpForm
from referrals import services, steps
from referrals.models import Referral

GENERIC = {"This field is required.", "Enter a valid value."}
# Any text a person or a script might send: control characters, RTL marks, NULs, emoji,
# markup and spreadsheet formulas.
nasty_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from([
        "", " ", "\x00", "=HYPERLINK(\"http://evil\")", "+SUM(A1)", "@cmd", "-1+1",
        "<script>alert(1)</script>", "'; DROP TABLE referrals_referral; --", "\u202e", "😀" * 50,
        "a" * 5000, "../../etc/passwd", "{{ request }}", "{% debug %}",
    ]),
)
examples = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def assert_specific(form):
    for field, errors in form.errors.items():
        for message in errors:
            assert message not in GENERIC, (field, message)


@examples
@given(data=st.dictionaries(
    st.sampled_from(["full_name", "email", "job_title", "phone", "organisation",
                     "new_organisation_name", "new_organisation_sector", "password1",
                     "password2"]),
    nasty_text))
def test_sign_up_form_gives_specific_errors(db, data):
    form = SignUpForm(data)
    if not form.is_valid():
        assert_specific(form)


@examples
@given(data=st.fixed_dictionaries({
    "full_name": nasty_text, "email": nasty_text, "job_title": nasty_text, "phone": nasty_text,
    "organisation": nasty_text, "password1": nasty_text, "password2": nasty_text}))
def test_sign_up_page_never_fails(client, db, data):
    response = client.post(reverse("accounts:sign-up"), data)
    assert response.status_code in (200, 302)


@pytest.fixture
def draft(referrer):
    from django.utils import timezone

    return services.draft_start(actor=referrer, urgency={"urgent": False, "urgent_reason": ""},
                                now=timezone.now())


FORM_STEPS = [step for step in steps.STEPS if step.kind == "form" and step.key != "urgency"]


@examples
@given(step=st.sampled_from(FORM_STEPS), values=st.dictionaries(st.text(max_size=30), nasty_text),
       known=st.dictionaries(st.sampled_from(
           ["person_name", "age_known", "person_dob_0", "person_dob_1", "person_dob_2",
            "person_age_approx", "person_postcode", "pathway", "main_need", "categories",
            "what_happened", "consent", "feedback_preference", "referrer_email",
            "referrer_phone"]), nasty_text))
def test_referral_step_forms_give_specific_errors(draft, step, values, known):
    form = step.form({**values, **known}, referral=Referral.objects.get(pk=draft.pk))
    if not form.is_valid():
        assert_specific(form)


@examples
@given(step=st.sampled_from(FORM_STEPS), known=st.dictionaries(st.sampled_from(
    ["person_name", "age_known", "person_dob_0", "person_dob_1", "person_dob_2",
     "person_postcode", "pathway", "main_need", "what_happened", "categories",
     "referrer_email", "action"]), nasty_text))
def test_referral_step_pages_never_fail(client, referrer, draft, step, known):
    client.force_login(referrer)
    url = reverse("referrals:step", args=[draft.pk, step.key])
    response = client.post(url, known)
    assert response.status_code in (200, 302, 400, 404)


@examples
@given(code=nasty_text)
def test_second_factor_page_never_fails(client, referrer, password, code, mfa_enforced):
    client.post("/account/sign-in/", {"username": referrer.email, "password": password})
    response = client.post(reverse("mfa:verify"), {"code": code})
    assert response.status_code in (200, 302)
    assert "_auth_user_id" in client.session
    assert client.get(reverse("home")).status_code == 302  # never verified by junk



@examples
@given(text=nasty_text)
def test_csv_cells_never_start_a_formula(text):
    """Formula payloads in CSV come out inert (dashboard.csv_export.safe_cell)."""
    from dashboard.csv_export import FORMULA_STARTS, safe_cell

    cell = safe_cell(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert cell in (text, "'" + text)
