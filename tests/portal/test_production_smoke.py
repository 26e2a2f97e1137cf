"""Production smoke test (issue 14): the production build, served as in production.

Static files are collected with the production (manifest, compressed) storage into a temporary
STATIC_ROOT; gunicorn serves `portal.settings` with DEBUG off behind a local proxy configuration
(TRUST_X_FORWARDED_PROTO, TRUSTED_PROXIES); every role signs in through the real second factor
(an emailed code for referrers, authenticator set-up for staff) and requests every URL pattern of
the URLconf, with ids of real objects built through the services. Checked: no 5xx anywhere,
hashed static assets served by WhiteNoise with far-future cache headers, security headers on
every response.

Needs PostgreSQL (the server process must see the test's committed data in the test database)
and about 30-60 s (two gunicorn workers, password hashing at production cost).
"""

import json
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.utils import timezone

from tests.mfa_helpers import totp_code
from tests.portal.production_server import (
    CLIENT_ADDRESS,
    ProxyClient,
    Server,
    collectstatic,
    emailed_code,
    free_port,
    production_env,
)
from tests.referrals.factories import complete_draft
from tests.security.urlwalk import build_path, url_patterns

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.production,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "a-long-production-passphrase-7"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=31536000",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
HASHED = re.compile(r"\.[0-9a-f]{12}\.(css|js|woff2?|png|svg|ico)$")
SIGN_OUT = {"accounts:sign-out", "admin:logout"}
ADDRESSES = [f"203.0.113.{n}" for n in range(10, 15)]  # one per role (TEST-NET-3)
BUDGET_SECONDS = 90  # the whole test, server start included; about 30-40 s on an idle machine


@pytest.fixture
def world(settings, teams):
    """The people and objects, built through the services as the forms build them. Passwords
    are hashed with the production hasher (the test settings' fast hasher is not one the
    production settings accept)."""
    from accounts import services as accounts_services
    from accounts.models import (
        Membership,
        MembershipRole,
        MembershipStatus,
        Organisation,
        Sector,
        TeamMembership,
        User,
    )
    from referrals import services as referral_services
    from triage import services as triage_services

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    now = timezone.now()
    organisation = Organisation.objects.create(
        name="Camberwell Day Centre", sector=Sector.VOLUNTARY, verified=True,
        email_domains=["daycentre.example.org"],
    )

    def person(email, name, **extra):
        return User.objects.create_user(email=email, password=PASSWORD, full_name=name,
                                        email_verified=True, **extra)

    referrer = person("volunteer@daycentre.example.org", "Dana Volunteer")
    Membership.objects.create(user=referrer, organisation=organisation,
                              status=MembershipStatus.APPROVED)
    lead = person("lead@daycentre.example.org", "Lena Lead")
    lead_membership = Membership.objects.create(
        user=lead, organisation=organisation, status=MembershipStatus.APPROVED,
        role=MembershipRole.SAFEGUARDING_LEAD,
    )
    worker = person("triage.oppd@council.example.gov.uk", "Tia Triage")
    TeamMembership.objects.create(user=worker, team=teams["oppd"], role="triage")
    manager = person("manager.oppd@council.example.gov.uk", "Max Manager")
    TeamMembership.objects.create(user=manager, team=teams["oppd"], role="manager")
    # The council's administrator, as `createsuperuser` makes one (the admin site's models).
    admin = User.objects.create_superuser(email="admin@council.example.gov.uk",
                                          password=PASSWORD, full_name="Ada Admin")
    # Someone waiting for the lead's approval (the sign-up service, as the form calls it).
    applicant = accounts_services.referrer_sign_up(
        full_name="Pat Pending", email="pat@daycentre.example.org", password=PASSWORD,
        job_title="Support worker", organisation=organisation, now=now,
    )
    pending = Membership.objects.get(user=applicant)

    # A sent referral with an attachment, claimed and noted by triage; and a draft.
    sent = complete_draft(referrer)
    attachment = referral_services.attachment_add(
        referral=sent, actor=referrer,
        upload=SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf"),
    )
    sent = referral_services.referral_submit(referral=sent, actor=referrer,
                                             submission_key=uuid.uuid4(), now=now)
    triage_services.referral_claim(referral_id=sent.pk, actor=worker, now=now)
    triage_services.note_add(referral_id=sent.pk, actor=worker, text="Called the GP.", now=now)
    draft = complete_draft(referrer)
    # A worker's heartbeat and a deadlines sweep, as beat and a worker leave them (the tasks
    # themselves, eager here), so /readyz is 200 and the walk can require no 5xx of it too.
    from ops.tasks import heartbeat
    from referrals.tasks import deadlines_sweep

    heartbeat.delay()
    deadlines_sweep.delay()
    return {
        "roles": {"referrer": referrer, "organisation_lead": lead, "triage_worker": worker,
                  "team_manager": manager, "administrator": admin},
        "sent": sent, "draft": draft, "attachment": attachment, "membership": pending,
        "lead_membership": lead_membership, "organisation": organisation,
        "team": teams["oppd"],
    }


@pytest.fixture
def app_role(world):
    """The server connects as the application role, as in production (issue 14, attack 9):
    made by the same grants as `manage.py db_app_role`, so a page that needs more than those
    rights fails the walk. Dropped afterwards (roles are cluster-wide)."""
    from audit.db_roles import app_role_grant

    role, password = f"portal_smoke_{uuid.uuid4().hex[:10]}", uuid.uuid4().hex
    with connection.cursor() as cursor:
        app_role_grant(cursor, role=role, password=password)
    yield role, password
    with connection.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE "{role}"')


@pytest.fixture
def server(world, app_role, tmp_path):
    started = time.monotonic()
    port = free_port()
    env = production_env(
        database_name=connection.settings_dict["NAME"], tmp=tmp_path, port=port,
        private_root=settings.STORAGES["default"]["OPTIONS"]["location"],
    )
    database = connection.settings_dict
    env["DATABASE_URL"] = (f"postgres://{app_role[0]}:{app_role[1]}@{database['HOST'] or '127.0.0.1'}"
                           f":{database['PORT'] or 5432}/{database['NAME']}")
    built = collectstatic(env)
    assert built.returncode == 0, built.stderr[-3000:]
    process = Server(env, port, tmp_path / "gunicorn.log")
    try:
        process.wait_ready("/healthz")
        process.mail_dir = tmp_path / "mail"
        process.started = started
        yield process
    finally:
        process.stop()


def sign_in(server, user, address: str) -> ProxyClient:
    """Password, then the second factor as the person would: an emailed code for a referrer;
    for staff, the mailbox check, then authenticator set-up with a TOTP code. Each person
    comes from their own address (as the proxy reports it)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = ProxyClient(server.port, client_address=address)
    assert client.get("/account/sign-in/").status == 200
    signed = client.post("/account/sign-in/", {"username": user.email, "password": PASSWORD})
    assert signed.status == 302, (signed.status, signed.text[:2000])
    step = client.get("/home/")
    assert step.status == 302, step.status
    if step.location.startswith("/account/security/verify/"):
        assert client.get(step.location).status == 200  # sends the code
        done = client.post("/account/security/verify/",
                           {"code": emailed_code(server.mail_dir, user.email)})
        assert done.status == 302, done.text[:2000]
    else:
        assert step.location.startswith("/account/security/set-up/"), step.location
        assert client.get("/account/security/set-up/").status == 200  # emails the check code
        checked = client.post("/account/security/set-up/",
                              {"code": emailed_code(server.mail_dir, user.email)})
        assert checked.status == 302, checked.text[:2000]
        assert client.get("/account/security/set-up/").status == 200  # shows the QR code
        device = TOTPDevice.objects.filter(user=user, confirmed=False).latest("id")
        confirmed = client.post("/account/security/set-up/", {"code": totp_code(device)})
        assert confirmed.status == 302 and "backup-codes" in confirmed.location
        assert client.get(confirmed.location).status == 200
    home = client.get("/home/")
    assert home.status == 200, (home.status, home.location)
    return client


def admin_object_id(name: str) -> str:
    """The id of a real object of the model an admin URL is about ('0' if there is none)."""
    from django.contrib import admin

    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            first = model._default_manager.order_by("pk").first()
            return str(first.pk) if first else "0"
    return "0"


def role_urls(world, role):
    """(name, path) for every URL pattern: the admin's only for the administrator. Sign-out
    comes last."""
    sent, draft = world["sent"], world["draft"]
    by_name = {
        "attachment_pk": world["attachment"].pk, "membership_pk": world["membership"].pk,
        "user_pk": world["roles"]["referrer"].pk, "organisation_pk": world["organisation"].pk,
        "team_pk": world["team"].pk, "key": "person", "action": "decide", "fmt": "json",
        "slug": "volume", "uidb64": "MQ", "token": "set-password", "url": "nothing-here/",
    }
    urls = []
    for entry in url_patterns():
        name = entry.name or entry.route
        if name.startswith("admin:") or entry.route.startswith("admin/"):
            if role != "administrator":
                continue
        # Referral pages with the sent referral, and the referrer's draft pages with the draft.
        referral = draft if name.startswith("referrals:") and name not in {
            "referrals:confirmation", "referrals:pdf", "referrals:attachment"} else sent

        def value_for(param, converter, regex_body, name=name, referral=referral):
            if regex_body is not None and "|" in regex_body:
                return regex_body.split("|")[0]
            if param == "object_id":
                return admin_object_id(name)
            if param in by_name:
                return by_name[param]
            if param in {"pk", "referral_pk", "referral_id"}:
                return referral.pk
            if converter == "int":
                return referral.pk
            return "x"

        path, _ = build_path(entry, value_for)
        urls.append((name, path))
    urls.sort(key=lambda item: item[0] in SIGN_OUT)
    return urls


def header_problems(response) -> list[str]:
    problems = []
    for header, expected in SECURITY_HEADERS.items():
        value = response.headers.get(header)
        if value is None or expected not in value:
            problems.append(f"{response.path}: {header} is {value!r}")
    return problems


def check_probes_metrics_and_logs(server, world):
    client = ProxyClient(server.port)
    assert client.get("/healthz").status == 200
    assert client.get("/healthz", direct=True).status == 200  # plain HTTP, no redirect
    ready = client.get("/readyz", headers={"Accept": "application/json"}, direct=True)
    assert ready.status == 200, ready.text
    assert client.get("/metrics").status == 403  # through the proxy: refused
    metrics = client.get("/metrics", direct=True)
    assert metrics.status == 200 and "portal_queue_depth" in metrics.text
    page = client.get("/accessibility/")
    assert re.fullmatch(r"[0-9a-f-]{36}", page.headers.get("X-Request-ID", ""))
    # JSON log lines with the request id and the signed-in person's id, nothing personal.
    lines = [json.loads(line) for line in server.log.read_text().splitlines()
             if line.startswith("{")]
    finished = [line for line in lines if line.get("event") == "request_finished"]
    assert finished and all("request_id" in line for line in finished)
    assert any(line.get("user_id") == world["roles"]["administrator"].pk for line in finished)
    text = server.log.read_text()
    for person in world["roles"].values():
        assert person.email not in text and person.full_name not in text
    assert world["sent"].person_name not in text
    assert not [address for address in [CLIENT_ADDRESS, *ADDRESSES] if address in text]


def test_production_build_serves_every_role_every_page(server, world, app_role):
    # One server for all checks: starting it (and hashing passwords at production cost) is
    # most of the time.
    check_hashed_static_assets_served_by_whitenoise_with_far_future_caching(server)
    check_the_proxy_configuration_is_what_makes_requests_secure(server)
    failures, headers, opened = [], [], {}

    def walk(role, user, address):
        try:
            client = sign_in(server, user, address)
            count = 0
            for name, path in role_urls(world, role):
                response = client.get(path)
                count += 1
                if response.status >= 500:
                    failures.append(f"{role} GET {path} ({name}): {response.status}")
                headers.extend(header_problems(response))
                if response.status == 200:
                    opened.setdefault(role, set()).add(name)
            assert count > 40, (role, count)
        finally:
            connections.close_all()  # this thread's connection to the test database

    # Two roles at a time, one per gunicorn worker: the walk is most of the test's time.
    with ThreadPoolExecutor(max_workers=2) as pool:
        for done in [pool.submit(walk, role, user, address) for (role, user), address
                     in zip(world["roles"].items(), ADDRESSES, strict=True)]:
            done.result()
    log = server.log.read_text()
    assert not failures, "\n".join(failures) + "\n\n" + log[-4000:]
    assert not headers, "\n".join(sorted(set(headers))[:30])
    # The walk really reached each role's own pages (so "no 5xx" is not "nothing opened").
    assert {"referrals:start", "referrals:step", "feedback:status", "referrals:pdf",
            "referrals:attachment"} <= opened["referrer"]
    assert {"feedback:organisation"} <= opened["organisation_lead"]
    assert {"triage:queue", "triage:referral", "clocks:referral-clocks"} <= opened[
        "triage_worker"]
    assert {"triage:workload", "dashboard:index"} <= opened["team_manager"]
    assert {"admin:index", "admin:accounts_user_changelist", "admin:accounts_user_change",
            "accounts:approvals", "accounts:approval"} <= opened["administrator"]
    assert "audit:referral" in set().union(*opened.values())
    check_probes_metrics_and_logs(server, world)
    check_the_server_is_the_app_role(server, app_role[0])
    assert time.monotonic() - server.started < BUDGET_SECONDS


def check_the_server_is_the_app_role(server, role):
    """The walk's pages (and their audit rows) came through connections as the app role:
    gunicorn's workers keep theirs open (DB_CONN_MAX_AGE)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT usename FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                       "AND usename IS NOT NULL")
        users = {row[0] for row in cursor.fetchall()}
    assert role in users, users


def check_hashed_static_assets_served_by_whitenoise_with_far_future_caching(server):
    client = ProxyClient(server.port)
    page = client.get("/accessibility/")
    assert page.status == 200
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
    assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets)
    for asset in assets:
        assert HASHED.search(asset), f"{asset} is not a hashed name"
        response = client.get(asset, headers={"Accept-Encoding": "gzip"})
        assert response.status == 200, asset
        cache = response.headers.get("Cache-Control", "")
        assert "max-age=315360000" in cache and "immutable" in cache, (asset, cache)
        if "govuk-frontend" in asset and asset.endswith((".css", ".js")):
            # Compressed at build time (WhiteNoise skips files too small to gain from it).
            assert response.headers.get("Content-Encoding") == "gzip", asset
    # The images the GOV.UK CSS refers to were rewritten to hashed names too, and are served
    # (it names no font files: the council's typeface is Arial, scripts/build-css).
    css = next(a for a in assets if "govuk-frontend" in a and a.endswith(".css"))
    images = re.findall(r"url\([\"']?(assets/images/[^)\"']+)", client.get(css).text)
    assert images and all(HASHED.search(image) for image in images)
    image = client.get(css.rsplit("/", 1)[0] + "/" + images[0])
    assert image.status == 200 and "immutable" in image.headers.get("Cache-Control", "")
    # An unhashed name is not served with far-future caching (a release would be stuck).
    plain = client.get("/static/vendor/govuk-frontend/govuk-frontend.min.css")
    assert "immutable" not in plain.headers.get("Cache-Control", "")


def check_the_proxy_configuration_is_what_makes_requests_secure(server):
    """Without the proxy's header the production server redirects to HTTPS (no page is served
    over plain HTTP); with it, the page is served with HSTS."""
    client = ProxyClient(server.port)
    plain = client.get("/accessibility/", headers={"X-Forwarded-Proto": "http"})
    assert plain.status == 301 and plain.location.startswith("https://")
    secure = client.get("/accessibility/")
    assert secure.status == 200 and "max-age" in secure.headers["Strict-Transport-Security"]

