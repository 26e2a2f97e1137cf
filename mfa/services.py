"""The writers of second-factor devices and verification. Every change is audited."""

import secrets

from django.conf import settings
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import audit_record
from core.vocabulary import AuditAction

from .policy import totp_required

SESSION_STARTED_KEY = "security_auth_started_at"
SESSION_SEEN_KEY = "security_last_seen_at"
SESSION_ROLE_KEY = "security_role_fingerprint"
SESSION_EMAIL_SENT_KEY = "mfa_email_sent"
# Set once a staff member's first enrolment has proved the mailbox (mfa.views.setup).
SESSION_MAILBOX_KEY = AuditAction.MFA_ENROLMENT_MAILBOX_CONFIRMED


def session_start_unverified(sender, request, user, **kwargs):
    """On every sign-in: drop any verified device the session held and restart its clocks.

    Connected to user_logged_in in MfaConfig.ready (an auth event, not domain flow).
    """
    if request is None or not hasattr(request, "session"):
        return
    if not hasattr(user, "otp_device"):
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
    for key in (SESSION_STARTED_KEY, SESSION_SEEN_KEY, SESSION_ROLE_KEY, SESSION_EMAIL_SENT_KEY,
                SESSION_MAILBOX_KEY):
        request.session.pop(key, None)


def totp_devices(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True)


def totp_device_pending(*, user) -> TOTPDevice:
    """The unconfirmed authenticator being set up (one at a time), created if missing."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm a new authenticator with a first code. Returns fresh backup codes, or None."""
    if not device.verify_token(token):
        audit_record(action=AuditAction.MFA_TOTP_SETUP_FAILED, request=request, allowed=False)
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # One authenticator per person: a new one replaces the old (a lost phone).
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    otp_login(request, device)
    request.session.cycle_key()
    audit_record(action=AuditAction.MFA_TOTP_ADDED, request=request)
    return backup_codes_replace(request=request, user=device.user)


@transaction.atomic
def backup_codes_replace(*, request, user) -> list[str]:
    """New single-use backup codes; any old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    codes = [_backup_code() for _ in range(settings.MFA_BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit_record(action=AuditAction.MFA_BACKUP_CODES_ISSUED, request=request, actor=user)
    return codes


def _backup_code() -> str:
    # 10 characters from an alphabet without look-alikes: about 50 bits each.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


def email_device_for(user) -> EmailDevice:
    device = EmailDevice.objects.filter(user=user).first()
    if device is None:
        device = EmailDevice.objects.create(user=user, name="Email", confirmed=True)
    return device


def email_code_send(*, request, user) -> bool:
    """Email a sign-in code. False when the cool-down between codes has not passed."""
    device = email_device_for(user)
    allowed, _ = device.generate_is_allowed()
    if not allowed:
        return False
    device.generate_challenge()
    request.session[SESSION_EMAIL_SENT_KEY] = True
    audit_record(action=AuditAction.MFA_EMAIL_CODE_SENT, request=request, actor=user)
    return True


@transaction.atomic
def mailbox_confirm(*, request, token: str) -> bool:
    """Check an emailed code before a first authenticator is set up. It does not verify the
    session (staff sign in with their app only); it lets set-up go on in this session."""
    device = EmailDevice.objects.filter(user=request.user, confirmed=True).first()
    token = "".join(token.split())
    if device is not None and device.verify_token(token):
        request.session[SESSION_MAILBOX_KEY] = True
        request.session.pop(SESSION_EMAIL_SENT_KEY, None)
        audit_record(action=AuditAction.MFA_ENROLMENT_MAILBOX_CONFIRMED, request=request)
        return True
    audit_record(action=AuditAction.MFA_FAILED, request=request, allowed=False)
    return False


def allowed_devices(user, token: str):
    """The devices a code could belong to: six digits are from an app or an email, anything
    else is a backup code. Staff may not use emailed codes. Trying only the matching kind
    keeps one device's failure throttle from counting another device's codes."""
    if not (token.isdigit() and len(token) == 6):
        return list(StaticDevice.objects.filter(user=user, confirmed=True))
    devices = list(totp_devices(user))
    if not totp_required(user):
        devices += list(EmailDevice.objects.filter(user=user, confirmed=True))
    return devices


@transaction.atomic
def second_factor_verify(*, request, token: str) -> bool:
    """Check a code against the person's allowed devices; mark the session verified if right.

    Each device throttles its own failures (django-otp's exponential delay), so guessing
    a six-digit code is not practical.
    """
    token = "".join(token.split()).lower()
    user = request.user
    for device in allowed_devices(user, token):
        if device.verify_token(token):
            otp_login(request, device)
            # A new session key once fully signed in (session fixation).
            request.session.cycle_key()
            request.session.pop(SESSION_EMAIL_SENT_KEY, None)
            audit_record(
                action=AuditAction.MFA_VERIFIED, request=request, detail={"method": _method(device)}
            )
            return True
    audit_record(action=AuditAction.MFA_FAILED, request=request, allowed=False)
    return False


def _method(device) -> str:
    return {TOTPDevice: "totp", StaticDevice: "backup_code", EmailDevice: "email"}.get(
        type(device), "other"
    )


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
