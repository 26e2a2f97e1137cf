"""Second-factor pages: verify a code, set up an authenticator app, backup codes."""

import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import services
from .forms import CodeForm
from .policy import totp_required

BACKUP_CODES_SESSION_KEY = "mfa_backup_codes_to_show"


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


def _masked(email: str) -> str:
    name, _, domain = email.partition("@")
    return f"{name[:1]}{'*' * max(len(name) - 1, 3)}@{domain}"


@never_cache
@login_required
def verify(request):
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    uses_app = services.totp_devices(user).exists()
    if totp_required(user) and not uses_app:
        return redirect(f"{reverse('mfa:setup')}?{urlencode({'next': _next_url(request)})}")
    resent = resend_refused = False
    form = CodeForm(**_code_form_words(uses_app))
    if not uses_app and request.method == "GET" and not request.session.get(
        services.SESSION_EMAIL_SENT_KEY
    ):
        services.email_code_send(request=request, user=user)
    if request.method == "POST":
        if "resend" in request.POST and not uses_app:
            resent = services.email_code_send(request=request, user=user)
            resend_refused = not resent
        else:
            form = CodeForm(request.POST, **_code_form_words(uses_app))
            if form.is_valid():
                if services.second_factor_verify(request=request, token=form.cleaned_data["code"]):
                    return redirect(_next_url(request))
                form.add_wrong_code_error()
    return render(
        request,
        "mfa/verify.html",
        {
            "form": form,
            "uses_app": uses_app,
            "email_masked": _masked(user.email),
            "resent": resent,
            "resend_refused": resend_refused,
            "next": _next_url(request),
            "code_minutes": settings.OTP_EMAIL_TOKEN_VALIDITY // 60,
        },
    )


def _code_form_words(uses_app: bool) -> dict:
    if uses_app:
        return {
            "label": "Code from your authenticator app",
            "hint": "Enter the 6-digit code, or one of your backup codes if you do not have "
            "your phone",
        }
    return {"label": "Code from the email", "hint": "The code has 6 digits"}


@never_cache
@login_required
def setup(request):
    """Set up (or replace) an authenticator app.

    Without a verified session only staff with no authenticator yet may enrol (their first
    sign-in); anyone else must verify first, so a stolen password cannot add a new device.
    """
    user = request.user
    first_enrolment = not user.is_verified()
    if first_enrolment and not (totp_required(user) and not services.totp_devices(user).exists()):
        return redirect("mfa:verify")
    if first_enrolment and not request.session.get(services.SESSION_MAILBOX_KEY):
        # A password alone must not be enough to bind an authenticator to the account.
        return _mailbox_check(request)
    device = services.totp_device_pending(user=user)
    form = CodeForm(label="Code from your authenticator app", hint="The code has 6 digits",
                    button="Confirm")
    if request.method == "POST":
        form = CodeForm(request.POST, label="Code from your authenticator app",
                        hint="The code has 6 digits", button="Confirm")
        if form.is_valid():
            codes = services.totp_device_confirm(
                request=request, device=device, token=form.cleaned_data["code"]
            )
            if codes is not None:
                request.session[BACKUP_CODES_SESSION_KEY] = codes
                request.session["mfa_after_codes"] = _next_url(request)
                return redirect("mfa:backup-codes")
            form.add_wrong_code_error()
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "mfa/setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "secret_groups": [secret[i:i + 4] for i in range(0, len(secret), 4)],
            "next": _next_url(request),
            "staff": totp_required(user),
        },
    )


def _mailbox_check(request):
    """A staff member's first enrolment: prove they read their work email (a code sent to it)
    before an authenticator is bound. The session stays unverified: an emailed code is never
    a staff sign-in factor."""
    user = request.user
    resent = resend_refused = False
    words = {"label": "Code from the email", "hint": "The code has 6 digits"}
    form = CodeForm(**words)
    if request.method == "GET" and not request.session.get(services.SESSION_EMAIL_SENT_KEY):
        services.email_code_send(request=request, user=user)
    if request.method == "POST":
        if "resend" in request.POST:
            resent = services.email_code_send(request=request, user=user)
            resend_refused = not resent
        else:
            form = CodeForm(request.POST, **words)
            if form.is_valid():
                if services.mailbox_confirm(request=request, token=form.cleaned_data["code"]):
                    return redirect(f"{reverse('mfa:setup')}?{urlencode({'next': _next_url(request)})}")
                form.add_wrong_code_error()
    return render(
        request,
        "mfa/setup_mailbox.html",
        {
            "form": form,
            "email_masked": _masked(user.email),
            "resent": resent,
            "resend_refused": resend_refused,
            "next": _next_url(request),
            "code_minutes": settings.OTP_EMAIL_TOKEN_VALIDITY // 60,
        },
    )


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    # Inline SVG (no data: URL) and drop the XML declaration.
    return svg[svg.index("<svg"):]


@never_cache
@login_required
def backup_codes(request):
    """Show new backup codes once. POST makes a new set (the old ones stop working)."""
    if request.method == "POST":
        codes = services.backup_codes_replace(request=request, user=request.user)
        next_url = reverse("mfa:settings")
    else:
        codes = request.session.pop(BACKUP_CODES_SESSION_KEY, None)
        next_url = request.session.pop("mfa_after_codes", None) or reverse("mfa:settings")
    return render(request, "mfa/backup_codes.html", {"codes": codes, "next": next_url})


@never_cache
@login_required
def account_security(request):
    user = request.user
    return render(
        request,
        "mfa/settings.html",
        {
            "has_app": services.totp_devices(user).exists(),
            "staff": totp_required(user),
            "backup_codes_left": services.backup_codes_left(user),
        },
    )


@require_POST
@never_cache
def keep_alive(request):
    """The timeout warning's "Stay signed in" (a POST: it changes the session). The session
    middleware has already recorded the activity. Its script sends it with fetch and gets a 204;
    the plain form (no script) goes back to the page it was on."""
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(status=204)
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = settings.LOGIN_REDIRECT_URL
    return redirect(target)
