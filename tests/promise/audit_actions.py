"""The audit actions the promise machine accepts as "enumerated".

Once core.vocabulary.AuditAction exists (the `record` work of issue 13), an action must be one
of its members. Until then: the actions the code writes today, as a fixed list, so a new
free-text action (a typo, a third spelling) still fails the machine.
"""

try:
    from core.vocabulary import AuditAction
except ImportError:  # before the vocabulary module lands
    AuditAction = None

from referrals.workflow import Action

if AuditAction is not None:
    ENUMERATED = frozenset(str(member.value) for member in AuditAction)
else:
    ENUMERATED = frozenset({
        *(f"referral.{action}" for action in Action.values),
        "referral.claim", "referral.assign", "referral.release", "referral.note_add",
        "referral.linked_from", "referral.view", "referral.status_viewed",
        "referral.submitted", "referral.draft_started", "referral.draft_saved",
        "referral.draft_viewed", "referral.information_added", "referral.chased",
        "referral.pdf_downloaded", "referral.clocks_viewed", "referral.clocks_explained",
        "referral.urgent_not_picked_up", "referral.add_information_viewed",
        "feedback.given_by_phone", "feedback.my_referrals_viewed",
        "feedback.organisation_viewed", "feedback.phone_viewed",
        "deadline.opened", "deadline.met", "deadline.paused", "deadline.resumed",
        "deadline.warned", "deadline.breached", "deadline.cancelled", "deadline.rerouted",
        "access_refused", "account.sign_up", "account.email_verified", "membership.approved",
        "membership.approved_by_domain", "notice.failed_list_viewed",
    })

# A reply to "more information requested" may be recorded as information received too.
INFO_ADDED_ALSO: list = []


def MERGED_INTO_ALSO(other_id: int) -> list:  # noqa: N802 (reads as a constant at the call)
    """Rows a merge writes on the referral merged into, besides its own."""
    return []
