"""Completing the second factor in tests: the current TOTP code of a device, the last emailed
code. Shared by the browser sign_in fixture and the security tests."""

import re

from django.core import mail
from django_otp.oath import TOTP


def totp_code(device) -> str:
    """The code an authenticator app shows now, or the next step's if this one was used
    (django-otp refuses a code twice; its tolerance accepts one step ahead)."""
    clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    ahead = max(0, device.last_t + 1 - clock.t())
    clock.drift += ahead
    return str(clock.token()).zfill(device.digits)


def emailed_code(email: str) -> str:
    for message in reversed(mail.outbox):
        if email in message.to:
            match = re.search(r"\b(\d{6})\b", message.body)
            if match:
                return match.group(1)
    raise AssertionError(f"no sign-in code emailed to {email}")
