"""Kept for the tests that import complete drafts from here: the answers and the builder live
once, in tests/factories/referrals.py (issue 13, part 5)."""

from tests.factories.referrals import ADULT_ANSWERS, CHILD_ANSWERS, complete_draft

__all__ = ["ADULT_ANSWERS", "CHILD_ANSWERS", "complete_draft"]
