"""Second factor: staff must use TOTP with backup codes; referrers get an emailed code."""

import pytest
from django.contrib.auth import login
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from tests.conftest import otp_login
from tests.mfa_helpers import emailed_code, totp_code

pytestmark = pytest.mark.usefixtures("mfa_enforced")

SIGN_IN = "/account/sign-in/"


def time_passes_for_throttle(user):
    """django-otp delays the next try after a wrong code (1 s, then doubling); a person takes
    longer than that to retype, so move the failure back in time instead of sleeping."""
    from datetime import timedelta

    from django.utils import timezone

    for model in (EmailDevice, TOTPDevice):
        model.objects.filter(user=user).exclude(throttling_failure_timestamp=None).update(
            throttling_failure_timestamp=timezone.now() - timedelta(minutes=5)
        )


def password_sign_in(client, user, password):
    response = client.post(SIGN_IN, {"username": user.email, "password": password})
    assert response.status_code == 302, response.content[:500]
    return response


def test_referrer_is_sent_to_verify_and_gets_an_emailed_code(client, referrer, password):
    password_sign_in(client, referrer, password)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa:verify"))

    page = client.get(response.url)
    assert page.status_code == 200
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [referrer.email]
    assert b"v********@daycentre.example.org" in page.content  # masked address only
    assert referrer.email.encode() not in page.content

    wrong = client.post(reverse("mfa:verify"), {"code": "000000"})
    assert wrong.status_code == 200
    assert b"The code is not correct or has expired" in wrong.content
    assert client.get(reverse("home")).status_code == 302
    time_passes_for_throttle(referrer)

    right = client.post(
        reverse("mfa:verify"), {"code": emailed_code(referrer.email), "next": "/home/"}
    )
    assert right.status_code == 302 and right.url == "/home/"
    assert client.get(reverse("home")).status_code == 200
    actions = list(AuditEvent.objects.filter(actor=referrer).values_list("action", "allowed"))
    assert ("mfa.failed", False) in actions and ("mfa.verified", True) in actions


def test_an_email_code_works_only_once(client, referrer, password):
    password_sign_in(client, referrer, password)
    client.get(reverse("mfa:verify"))
    code = emailed_code(referrer.email)
    client.post(reverse("mfa:verify"), {"code": code})
    client.post(reverse("accounts:sign-out"))
    password_sign_in(client, referrer, password)
    mail.outbox.clear()
    client.post(reverse("mfa:verify"), {"code": code})
    assert client.get(reverse("home")).status_code == 302


def test_staff_must_set_up_an_authenticator_and_get_backup_codes(client, staff_member, password):
    worker = staff_member("oppd")
    password_sign_in(client, worker, password)
    response = client.get(reverse("home"))
    assert response.url.startswith(reverse("mfa:setup"))
    # Verify also sends staff without a device to set-up, never to an emailed code.
    assert client.get(reverse("mfa:verify")).url.startswith(reverse("mfa:setup"))
    assert mail.outbox == []

    # First the mailbox: a code is emailed, and set-up shows no authenticator key until it
    # is entered. The code lets set-up go on; it does not sign staff in.
    check = client.get(reverse("mfa:setup"))
    assert check.status_code == 200 and b"<svg" not in check.content
    assert not TOTPDevice.objects.filter(user=worker).exists()
    assert client.post(reverse("mfa:setup"), {"code": emailed_code(worker.email)}).status_code == 302
    assert client.get(reverse("home")).url.startswith(reverse("mfa:setup"))

    page = client.get(reverse("mfa:setup"))
    assert page.status_code == 200 and b"<svg" in page.content
    device = TOTPDevice.objects.get(user=worker, confirmed=False)
    assert client.post(reverse("mfa:setup"), {"code": "123456"}).status_code == 200
    time_passes_for_throttle(worker)
    done = client.post(reverse("mfa:setup"), {"code": totp_code(device)})
    assert done.url == reverse("mfa:backup-codes")
    codes_page = client.get(done.url)
    codes = [c.decode() for c in __import__("re").findall(rb"<code>([a-z0-9]{10})</code>",
                                                          codes_page.content)]
    assert len(codes) == 10
    assert client.get(reverse("home")).status_code == 200
    # Shown once only.
    assert b"<code>" not in client.get(reverse("mfa:backup-codes")).content

    # A backup code signs in once, and only once.
    client.post(reverse("accounts:sign-out"))
    password_sign_in(client, worker, password)
    assert client.get(reverse("home")).url.startswith(reverse("mfa:verify"))
    client.post(reverse("mfa:verify"), {"code": codes[0]})
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("accounts:sign-out"))
    password_sign_in(client, worker, password)
    client.post(reverse("mfa:verify"), {"code": codes[0]})
    assert client.get(reverse("home")).status_code == 302


def test_staff_cannot_use_an_emailed_code(client, staff_member, password):
    manager = staff_member("mash", role="manager")
    TOTPDevice.objects.create(user=manager, name="app", confirmed=True)
    device = EmailDevice.objects.create(user=manager, name="Email", confirmed=True)
    device.generate_token(valid_secs=300)
    password_sign_in(client, manager, password)
    client.post(reverse("mfa:verify"), {"code": device.token})
    assert client.get(reverse("home")).url.startswith(reverse("mfa:verify"))


def test_council_admins_count_as_staff(client, council_admin, password):
    password_sign_in(client, council_admin, password)
    assert client.get("/admin/").url.startswith(reverse("mfa:setup"))


def test_a_stolen_password_cannot_add_an_authenticator(client, referrer, password):
    password_sign_in(client, referrer, password)
    response = client.get(reverse("mfa:setup"))
    assert response.status_code == 302 and response.url == reverse("mfa:verify")
    assert not TOTPDevice.objects.filter(user=referrer).exists()


def test_a_stolen_staff_password_cannot_enrol_an_authenticator(client, staff_member, password):
    """Someone with only a new staff member's password (no device yet) is stopped at the
    mailbox check: no authenticator key is shown or created, and wrong codes are audited."""
    worker = staff_member("mental-health")
    password_sign_in(client, worker, password)
    assert client.get(reverse("mfa:setup")).status_code == 200  # emails the code
    for guess in ("000000", "123456"):
        page = client.post(reverse("mfa:setup"), {"code": guess})
        assert page.status_code == 200
        assert b"not correct" in page.content and b"<svg" not in page.content
        time_passes_for_throttle(worker)
    assert not TOTPDevice.objects.filter(user=worker).exists()
    assert AuditEvent.objects.filter(actor=worker, action="mfa.failed", allowed=False).count() == 2
    assert not AuditEvent.objects.filter(action="mfa.enrolment_mailbox_confirmed").exists()
    # A confirmed mailbox is for this session only: signing in again asks again.
    client.post(reverse("mfa:setup"), {"code": emailed_code(worker.email)})
    assert AuditEvent.objects.filter(actor=worker, action="mfa.enrolment_mailbox_confirmed").exists()
    client.post(reverse("accounts:sign-out"))
    password_sign_in(client, worker, password)
    assert b"<svg" not in client.get(reverse("mfa:setup")).content


def test_staff_with_an_authenticator_cannot_replace_it_before_verifying(
    client, staff_member, password
):
    worker = staff_member("learning-disabilities")
    TOTPDevice.objects.create(user=worker, name="app", confirmed=True)
    password_sign_in(client, worker, password)
    assert client.get(reverse("mfa:setup")).url == reverse("mfa:verify")


def test_a_referrer_may_use_totp_after_verifying(client, referrer):
    otp_login(client, referrer)
    assert client.get(reverse("mfa:settings")).status_code == 200
    client.get(reverse("mfa:setup"))
    device = TOTPDevice.objects.get(user=referrer, confirmed=False)
    assert client.post(reverse("mfa:setup"), {"code": totp_code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed


def test_any_login_without_the_second_factor_is_unverified(client, referrer, rf: RequestFactory):
    """A password reset that logs the person in (post_reset_login) calls auth.login like this:
    the session that results is still unverified."""
    otp_login(client, referrer)
    request = rf.get("/")
    request.session = client.session
    request.user = referrer
    login(request, referrer, backend="django.contrib.auth.backends.ModelBackend")
    request.session.save()
    client.cookies["sessionid"] = request.session.session_key
    assert client.get(reverse("home")).url.startswith(reverse("mfa:verify"))


def test_password_reset_views_in_the_urlconf_never_verify(client, referrer):
    """Every password-reset confirm view in the URLconf leaves the person signed out or
    unverified, whatever its post_reset_login says."""
    from django.contrib.auth.tokens import default_token_generator
    from django.contrib.auth.views import PasswordResetConfirmView
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from tests.security.urlwalk import url_patterns

    reset_views = [
        entry for entry in url_patterns()
        if getattr(entry.callback, "view_class", None)
        and issubclass(entry.callback.view_class, PasswordResetConfirmView)
    ]
    assert reset_views, "the password reset confirmation view is in the URLconf"
    for entry in reset_views:
        uid = urlsafe_base64_encode(force_bytes(referrer.pk))
        token = default_token_generator.make_token(referrer)
        url = reverse(entry.name, kwargs={"uidb64": uid, "token": token})
        form_url = client.get(url).url
        client.post(form_url, {"new_password1": "a-new-long-passphrase-9",
                               "new_password2": "a-new-long-passphrase-9"})
        home = client.get(reverse("home"))
        assert home.status_code == 302
        assert home.url.startswith((reverse("mfa:verify"), reverse("accounts:sign-in")))


def test_enforcement_is_off_only_by_setting(client, referrer, settings):
    settings.MFA_ENFORCED = False
    client.force_login(referrer)
    assert client.get(reverse("home")).status_code == 200
    settings.MFA_ENFORCED = True
    assert client.get(reverse("home")).status_code == 302


def test_production_settings_enforce_mfa():
    from pathlib import Path

    source = (Path(__file__).parents[2] / "portal" / "settings.py").read_text()
    assert "MFA_ENFORCED = True" in source
    assert "MFA_ENFORCED = env" not in source


def test_no_administrator_can_read_someone_elses_authenticator_key(client, make_user, staff_member):
    """django-otp's admin would show a device's key and QR code to a superuser; with it they
    could sign in as that person. Hidden for everyone, including for a device that does not
    exist (which was a 500)."""
    superuser = make_user("root@council.example.gov.uk", "Root", is_staff=True,
                          is_superuser=True, is_council_admin=True)
    device = TOTPDevice.objects.create(user=staff_member("oppd"), name="app", confirmed=True)
    otp_login(client, superuser)
    for pk in (device.pk, device.pk + 1000):
        for view in ("config", "qrcode"):
            response = client.get(f"/admin/otp_totp/totpdevice/{pk}/{view}/")
            assert response.status_code == 403, (pk, view)
            assert device.key.encode() not in response.content


def test_a_lost_phone_is_reset_by_an_administrator(client, make_user, staff_member, password):
    """The service-desk process in docs/security.md: an administrator deletes the person's
    authenticator in the admin (recorded in the admin's log), and the person's next sign-in
    starts set-up again, beginning with the emailed code."""
    from django.contrib.admin.models import DELETION, LogEntry

    superuser = make_user("root@council.example.gov.uk", "Root", is_staff=True,
                          is_superuser=True, is_council_admin=True)
    worker = staff_member("oppd")
    device = TOTPDevice.objects.create(user=worker, name="app", confirmed=True)
    otp_login(client, superuser)
    response = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=worker).exists()
    assert LogEntry.objects.filter(user=superuser, action_flag=DELETION,
                                   object_id=str(device.pk)).exists()

    client.post(reverse("accounts:sign-out"))
    password_sign_in(client, worker, password)
    assert client.get(reverse("home")).url.startswith(reverse("mfa:setup"))
    assert b"Code from the email" in client.get(reverse("mfa:setup")).content
