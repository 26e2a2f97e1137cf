"""Signed-in sessions made directly in the session store (no sign-in form, no rate limits).

When the mfa app is installed the session is marked verified the way django-otp does it
(a static device's persistent id under DEVICE_ID_SESSION_KEY), so the second-factor
middleware runs on every request, as in production, and lets the request through.
"""

from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils.crypto import get_random_string


@dataclass(frozen=True)
class Session:
    user_id: int
    cookie: str  # the Cookie header value: session and CSRF cookies
    csrf_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Cookie": self.cookie, "X-CSRFToken": self.csrf_token}


def otp_available() -> bool:
    return apps.is_installed("django_otp")


def session_create(user_id: int) -> Session:
    from accounts.models import User

    user = User.objects.get(pk=user_id)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if otp_available():
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_static.models import StaticDevice

        device, _ = StaticDevice.objects.get_or_create(user=user, name="Bench second factor")
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.save()
    # Django accepts the unmasked 32-character secret as the token (cookie and header alike).
    csrf = get_random_string(32)
    cookie = f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}"
    return Session(user_id=user.pk, cookie=cookie, csrf_token=csrf)
