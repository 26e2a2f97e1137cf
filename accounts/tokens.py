"""Email-verification tokens: signed, time-limited, and holding nothing personal.

The payload is the user's id, a keyed fingerprint of the address (so a link sent to an old
address stops working if the address changes) and the time it was made. Time is a parameter so
expiry is tested without waiting.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "accounts.email-verification"
MAX_AGE = timedelta(days=3)


class TokenInvalid(Exception):
    """The link was altered, cut short, or made for another address."""


class TokenExpired(TokenInvalid):
    """The link is genuine but older than MAX_AGE."""


@dataclass(frozen=True)
class VerificationClaim:
    user_id: int
    fingerprint: str


def email_fingerprint(email: str) -> str:
    # Keyed with SECRET_KEY: the token is readable base64, so a bare hash of the address
    # could be matched against a list of addresses.
    return salted_hmac(SALT, email.lower()).hexdigest()[:20]


def verification_token_make(*, user, now: datetime) -> str:
    payload = {"u": user.pk, "f": email_fingerprint(user.email), "t": int(now.timestamp())}
    return signing.dumps(payload, salt=SALT)


def verification_token_read(*, token: str, now: datetime) -> VerificationClaim:
    try:
        payload = signing.loads(token, salt=SALT)
        user_id, fingerprint, made = int(payload["u"]), str(payload["f"]), int(payload["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise TokenInvalid from error
    if now.timestamp() - made > MAX_AGE.total_seconds():
        raise TokenExpired
    return VerificationClaim(user_id=user_id, fingerprint=fingerprint)


def fingerprint_matches(claim: VerificationClaim, email: str) -> bool:
    return constant_time_compare(claim.fingerprint, email_fingerprint(email))
