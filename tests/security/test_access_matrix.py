"""The access matrix, generated from the URLconf.

Every URL in `get_resolver()` (new ones included, without editing this file), every role
(anonymous, referrer, organisation lead, triage worker and manager of another team, a person
awaiting approval), with every object parameter filled with ANOTHER organisation's / team's
object: refused (redirect to sign-in, 403 or 404), none of the object's personal data in the
body, and a 403/404 on a referral's URL audited (a referral's URL: a `referral_pk` or
`referral_id` parameter, or `pk` under the referrals, triage, feedback, audit or privacy
namespaces - the convention portal.middleware.RefusedAccessAuditMiddleware relies on).

Only URLs without object parameters can be allowed, and only when listed below: public pages
for everyone, and per-role pages (their own home, queue, lists), which still must not show
the other organisation's referral.
"""

import uuid

import pytest
from django.urls import resolve

from audit.models import AuditEvent
from portal.middleware import referral_id_from
from tests.conftest import otp_login
from tests.security.conftest import CANARY_STRINGS
from tests.security.urlwalk import build_path, url_patterns

pytestmark = pytest.mark.usefixtures("mfa_enforced")

# Pages anyone may open (signed in or not). Names of pages not built yet are harmless here.
PUBLIC = {
    "start", "accessibility", "cookies", "privacy", "display",
    "brand-css",  # the council's colour as a stylesheet (issue 18): no data, no object
    "accounts:sign-in", "accounts:sign-out", "accounts:signed-out", "accounts:sign-up",
    "accounts:sign-up-done", "accounts:verify-email", "accounts:password-reset",
    "accounts:password-reset-done", "accounts:password-reset-confirm",
    "accounts:password-reset-complete", "accounts:password-reset-sent", "accounts:check-email",
    "accounts:verify-resend", "accounts:verify",
    "mfa:keep-alive",
    "admin:login", "admin:logout", "admin:javascript-catalog",
    # Probes and metrics (no personal data; /metrics only from loopback or with a token).
    "healthz", "readyz", "metrics",
    # The API's schema (no data) and its token endpoint (a system's sign-in; docs/api.md).
    "api:schema", "api:token",
    # Issue 15, item 8: the guidance page and the feedback link on every page (no personal
    # data asked; rate-limited, portal/ratelimits.py).
    "learning:guidance", "learning:give-feedback", "learning:thanks",
}
SIGNED_IN = {"home", "mfa:verify", "mfa:setup", "mfa:backup-codes", "mfa:settings",
             "accounts:password-change", "accounts:password-change-done", "accounts:profile",
             "feedback:notices", "feedback:my-referrals"}
# Issue 15's own lists (no object parameter; each scoped to the person): a referrer's requests
# for advice and the form to ask, and the team's challenges.
REFERRER = SIGNED_IN | {"referrals:start", "referrals:drafts", "feedback:my-referrals",
                        "consultations:mine", "consultations:new"}
STAFF = SIGNED_IN | {"triage:queue", "dashboard:index", "challenges:team"}
ALLOWED = {
    "anonymous": PUBLIC,
    "referrer": PUBLIC | REFERRER,
    "organisation_lead": PUBLIC | REFERRER | {"feedback:organisation", "dashboard:index"},
    "triage_worker": PUBLIC | STAFF,
    "team_manager": PUBLIC | STAFF | {"triage:workload", "triage:breaches"},
    "pending": PUBLIC | SIGNED_IN,
}
# Where a refusal may send someone: to sign in (the portal's or the admin's), to the second
# factor, or back home.
REFUSAL_REDIRECTS = ("/account/sign-in/", "/admin/login/", "/account/security/", "/home/")
# 401: the API's refusal without a bearer token; 415: the API refuses a body that is not JSON
# before it reads anything (issue 17, api/).
REFUSED_STATUS = {401, 403, 404, 405, 415}
# Parameters that are not objects (tokens, page names).
NOT_OBJECTS = {"uidb64", "token", "url", "app_label", "content_type_id"}


def object_values(world):
    referral = world["referral"]
    by_name = {
        "referral_pk": referral.pk, "referral_id": referral.pk, "pk": referral.pk,
        "object_id": referral.pk, "reference": referral.reference,
        "membership_pk": world["membership"].pk, "user_pk": world["owner"].pk,
        "organisation_pk": world["organisation"].pk, "team_pk": world["team"].pk,
    }

    def value_for(name, converter, regex_body):
        if regex_body is not None and "|" in regex_body:
            return regex_body.split("|")[0]  # e.g. the admin's app_label alternatives
        if name == "url":
            return "nothing-here/"
        if name in by_name:
            return by_name[name]
        if converter == "int" or name.endswith(("_pk", "_id")):
            return referral.pk
        if converter == "uuid":
            return uuid.uuid4()
        return "x"

    return value_for


def matrix_urls(world):
    """(name, path, kwargs used, has object parameters) for every URL in the URLconf."""
    value_for = object_values(world)
    urls = []
    for entry in url_patterns():
        path, used = build_path(entry, value_for)
        has_object = any(name not in NOT_OBJECTS for name in used)
        urls.append((entry.name or entry.route, path, used, has_object))
    return urls


def test_the_walk_finds_every_kind_of_url(other_world):
    names = {name for name, *_ in matrix_urls(other_world)}
    assert {"home", "accounts:sign-in", "mfa:verify", "audit:referral"} <= names
    assert any(name.startswith("admin:") for name in names)
    assert any("<path:object_id>" in name for name in names)  # unnamed patterns too


def refusal_problem(response, role) -> str | None:
    if response.status_code in REFUSED_STATUS:
        return None
    if response.status_code in (301, 302):
        location = response.headers["Location"]
        if location.startswith(REFUSAL_REDIRECTS):
            return None
        return f"redirected to {location}"
    return f"status {response.status_code}"


def leak_problem(response) -> str | None:
    body = response.content.decode(errors="replace") + response.headers.get("Location", "")
    leaked = [s for s in CANARY_STRINGS if s in body]
    return f"shows {leaked}" if leaked else None


@pytest.mark.parametrize(
    "role",
    ["anonymous", "referrer", "organisation_lead", "triage_worker", "team_manager", "pending"],
)
def test_every_url_refuses_another_organisations_or_teams_object(
    client, role, other_world, matrix_people
):
    person = matrix_people[role]
    if person is not None:
        otp_login(client, person)
    referral = other_world["referral"]
    problems = []
    checked = 0
    for name, path, used, has_object in matrix_urls(other_world):
        allowed = not has_object and name in ALLOWED[role]
        methods = ["get"] if allowed else ["get", "post"]
        for method in methods:
            refusals = AuditEvent.objects.filter(
                allowed=False, referral_id=referral.pk, actor=person
            )
            before = refusals.count()
            response = getattr(client, method)(path)
            checked += 1
            problem = leak_problem(response)
            if not problem and not allowed:
                problem = refusal_problem(response, role)
            if (
                not problem and not allowed and response.status_code in (403, 404)
                and referral_id_from(resolve(path)) == referral.pk
            ):
                if refusals.count() <= before:
                    problem = "refusal not audited"
            if problem:
                problems.append(f"{method.upper()} {path} ({name}): {problem}")
        if person is not None and "_auth_user_id" not in client.session:
            otp_login(client, person)  # a URL signed the person out (sign-out): sign back in
    assert checked > 50
    assert not problems, f"{role}:\n" + "\n".join(problems)


def test_the_matrix_catches_a_leaky_view(client, other_world, matrix_people, settings):
    """The check can fail: a view that shows any referral to anyone is reported."""
    from django.http import HttpResponse
    from django.urls import path

    from referrals.models import Referral

    def leaky(request, pk):
        return HttpResponse(Referral.objects.get(pk=pk).person_name)

    import types

    module = types.ModuleType("leaky_urls")
    module.urlpatterns = [path("leak/<int:pk>/", leaky, name="leak")]
    import sys

    sys.modules["leaky_urls"] = module
    settings.ROOT_URLCONF = "leaky_urls"
    otp_login(client, matrix_people["referrer"])
    for name, url, used, has_object in matrix_urls(other_world):
        response = client.get(url)
        assert has_object and name == "leak"
        assert leak_problem(response) and refusal_problem(response, "referrer")
