"""Referrals built the way the product builds them: the referral form's steps (through
tests.referrals.factories.complete_draft) and the submission service, then the transition
services. Used by the issue 13 regression tests, so their data has shapes the forms produce
(consent is the Referral.consent column the "adult" step stores, not a hand-planted answer)."""

import uuid

from referrals.services import referral_submit
from tests.referrals.factories import complete_draft
from triage.transitions import Feedback

# A reason for sharing without consent: the form requires one when the adult said no.
REFUSED = {"consent": "no", "consent_grounds": ["others_at_risk"]}


def submitted(referrer, *, consent: str = "yes", preference: str = "portal_email", now=None):
    """A submitted adult (OPPD) referral. `consent` is the form's answer (yes, no, not_asked);
    `preference` the referrer's feedback preference (portal_email, phone_only, both)."""
    overrides = {"referrer": {"feedback_preference": preference,
                              "referrer_phone": "020 7946 0321"}}
    if consent != "yes":
        overrides["adult"] = {**REFUSED, "consent": consent}
    draft = complete_draft(referrer, overrides=overrides, now=now)
    return referral_submit(referral=draft, actor=referrer, submission_key=uuid.uuid4(), now=now)


def told(reason: str = "The reason, for the referrer.", signposting: str = "") -> Feedback:
    return Feedback(outcome_text="The outcome, in plain words.", reason=reason,
                    signposting=signposting)
