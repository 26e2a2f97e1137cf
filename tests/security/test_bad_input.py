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


# --- issue 14, attack 6: crafted ids and 100 kB strings -----------------------------------------

HUGE = "x" * 100_000
NOT_IDS = ["abc", "", "-1", "0", "1.5", "1e3", "٣", "9" * 40, HUGE]
FORM_MODULES = ["accounts.forms", "referrals.forms", "triage.forms", "feedback.forms",
                "mfa.forms", "privacy.forms", "dashboard.forms", "pathways.forms"]


def _form_classes():
    import importlib
    import inspect

    from django import forms

    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module_name:
                yield f"{module_name}.{name}", cls


def test_every_text_field_has_a_maximum_length_and_its_own_message():
    from django import forms

    missing = [
        f"{path}.{field_name}"
        for path, cls in _form_classes()
        for field_name, field in cls.base_fields.items()
        if isinstance(field, forms.CharField)
        and (field.max_length is None or "max_length" not in field.error_messages)
    ]
    assert not missing


@pytest.fixture
def complete(referrer, teams):
    from tests.referrals.factories import complete_draft

    return complete_draft(referrer)


@pytest.mark.parametrize("value", NOT_IDS, ids=range(len(NOT_IDS)))
@pytest.mark.parametrize(("key", "field"), [("alleged", "person"), ("attachments", "attachment")])
def test_removing_with_a_crafted_id_is_a_clear_400(client, referrer, complete, key, field, value):
    client.force_login(referrer)
    response = client.post(reverse("referrals:step", args=[complete.pk, key]),
                           {"action": "remove", field: value})
    assert response.status_code == 400
    page = response.content.decode()
    assert "was not recognised" in page and "Nothing has been changed" in page


def test_removing_with_an_unknown_but_well_formed_id_changes_nothing(client, referrer, complete):
    client.force_login(referrer)
    response = client.post(reverse("referrals:step", args=[complete.pk, "alleged"]),
                           {"action": "remove", "person": str(2**63 - 1)})
    assert response.status_code == 302


def _huge_values(form_class, **extra):
    return {**{name: HUGE for name in form_class.base_fields}, **extra}


def test_referral_steps_refuse_100kb_strings_with_a_message(client, referrer, complete):
    client.force_login(referrer)
    for step in FORM_STEPS:
        form = step.form(None, referral=complete)
        data = {name: HUGE for name in form.fields}
        response = client.post(reverse("referrals:step", args=[complete.pk, step.key]), data)
        assert response.status_code in (200, 302), step.key
        if response.status_code == 200:
            assert "There is a problem" in response.content.decode(), step.key


def test_triage_search_refuses_a_100kb_name_with_a_message(client, staff_member):
    client.force_login(staff_member("oppd"))
    response = client.post(reverse("triage:queue"), {"name": HUGE})
    assert response.status_code == 200
    assert "The name must be 200 characters or fewer" in response.content.decode()


def test_triage_actions_survive_crafted_references_and_100kb_strings(
    client, referrer, staff_member
):
    from tests.triage.factories import referral_make
    from triage.forms import FORMS

    worker = staff_member("oppd", role="manager")
    client.force_login(worker)
    referral = referral_make(referrer=referrer)
    client.post(reverse("triage:claim", args=[referral.pk]))
    for action, form_class in FORMS.items():
        url = reverse("triage:action", args=[referral.pk, action])
        for data in (_huge_values(form_class), _huge_values(form_class, reference="abc")):
            response = client.post(url, data)
            assert response.status_code in (200, 302, 400, 403, 404), action
        for other in ("abc", "9" * 40, "٣", HUGE[:5000]):
            assert client.get(url, {"other": other}).status_code in (200, 302, 403, 404)
    for name in ("triage:note", "triage:assign"):
        response = client.post(reverse(name, args=[referral.pk]),
                               {"text": HUGE, "assignee": "abc"})
        assert response.status_code in (200, 302, 400), name


def test_account_and_feedback_forms_survive_100kb_strings(client, referrer, complete):
    from accounts.forms import SignUpForm

    for name, data in [
        ("accounts:sign-in", {"username": HUGE, "password": HUGE}),
        ("accounts:sign-up", _huge_values(SignUpForm)),
        ("accounts:password-reset", {"email": HUGE}),
        ("accounts:verify-resend", {"email": HUGE}),
    ]:
        response = client.post(reverse(name), data)
        assert response.status_code == 200, name
        assert "There is a problem" in response.content.decode(), name
    client.force_login(referrer)
    submitted = services.referral_submit(referral=complete, actor=referrer,
                                         submission_key=__import__("uuid").uuid4())
    response = client.post(reverse("feedback:add-information", args=[submitted.pk]),
                           {"text": HUGE})
    assert response.status_code == 200
    assert "must be 5000 characters or fewer" in response.content.decode()
