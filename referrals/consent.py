"""What the adult's consent lets the referrer's side read: the one rule, for every page that
shows a referrer something staff wrote (feedback.selectors, challenges.selectors)."""

from core.vocabulary import Status

# What the referral form stores when the adult refused (referrals.choices.CONSENT, kept in the
# Referral.consent column by the "adult" step). "not_asked" is not a refusal: the referrer
# could not ask, and the grounds for sharing were recorded instead.
CONSENT_REFUSED = "no"


def consent_withheld(referral) -> bool:
    """The adult did not agree to details being shared (children's referrals do not rest on
    consent). The referrer is then told that a decision was made, in general words only."""
    if referral.is_child:
        return False
    return referral.consent == CONSENT_REFUSED


def named_contact_allowed(referral) -> bool:
    """Whether the referrer's side may read the assigned worker's name and direct contact: an
    open, assigned referral whose team shows its workers, and not when the adult refused
    consent (who is working on it is a detail of what happens next, which refusal keeps to
    general words: the team's contact is shown instead)."""
    return bool(referral.assignee_id and referral.team_id
                and referral.status in Status.open()
                and not referral.team.show_team_contact_only
                and not consent_withheld(referral))
