"""The only code that writes referrals. Keyword-only, typed, atomic, audited."""

from .attachments import AttachmentRejected, attachment_add, attachment_remove
from .drafts import (
    alleged_person_add,
    alleged_person_remove,
    draft_save_step,
    draft_start,
)
from .expiry import drafts_delete_expired, drafts_remind
from .household import household_member_add, household_member_change, household_member_remove
from .submission import (
    SubmissionProblem,
    may_still_refer,
    referral_lock_for_submit,
    referral_submit,
)

__all__ = [
    "AttachmentRejected",
    "SubmissionProblem",
    "alleged_person_add",
    "alleged_person_remove",
    "attachment_add",
    "attachment_remove",
    "draft_save_step",
    "draft_start",
    "drafts_delete_expired",
    "drafts_remind",
    "household_member_add",
    "household_member_change",
    "household_member_remove",
    "referral_submit",
    "referral_lock_for_submit",
    "may_still_refer",
]
