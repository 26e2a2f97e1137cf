"""Two defects: a challenge's answer reached the status page when the adult had refused consent
(the timeline already held it back), and the sweep kept passing a challenge on after its
referral was withdrawn or merged."""

from datetime import timedelta

import pytest

from challenges.models import ChallengeState
from challenges.services import challenge_answer, challenge_raise
from challenges.sweep import challenges_sweep
from core.vocabulary import Status
from outbox.models import Notice
from referrals.models import Referral, ReferralEvent
from tests.factories import triage
from tests.factories.referrals import ReferralFactory

from .conftest import MONDAY

pytestmark = pytest.mark.django_db
ANSWER = "We spoke to her GP and the care agency: the decision stands."


def _answered(referral, referrer, manager):
    challenge = challenge_raise(referral=referral, actor=referrer, reason="Why?",
                                now=MONDAY + timedelta(hours=1))
    challenge_answer(challenge=challenge, actor=manager, upheld=False, response=ANSWER,
                     now=MONDAY + timedelta(hours=2))


def test_without_consent_the_status_page_gives_the_answer_in_general_words(
        client, referrer, manager):
    referral = ReferralFactory(referrer=referrer, consent="no", pathway="oppd", now=MONDAY)
    triage.to_status(referral, Status.CONCERN_DECIDED, now=MONDAY)
    _answered(referral, referrer, manager)
    client.force_login(referrer)
    page = client.get(f"/feedback/referrals/{referral.pk}/").content.decode()
    assert "The decision stands" in page  # its outcome, in general words
    assert ANSWER not in page and "care agency" not in page
    assert "did not agree to details being shared" in page


def test_with_consent_the_answer_is_shown(client, referrer, manager, decided):
    _answered(decided, referrer, manager)
    client.force_login(referrer)
    assert ANSWER in client.get(f"/feedback/referrals/{decided.pk}/").content.decode()


@pytest.mark.parametrize("finished", [Status.WITHDRAWN, Status.MERGED])
def test_the_sweep_stops_once_the_referral_is_withdrawn_or_merged(referrer, manager, decided,
                                                                  finished):
    challenge = challenge_raise(referral=decided, actor=referrer, reason="Why?",
                                now=MONDAY + timedelta(hours=1))
    # No workflow path today withdraws or merges a decided referral (withdrawal is before
    # triage; only an undecided one is merged), so the state is written here: the sweep must
    # stop on it whatever path or data correction reaches it.
    Referral.objects.filter(pk=decided.pk).update(status=finished)  # planted: see above
    notices = Notice.objects.count()
    late = challenge.due_at + timedelta(days=30)
    assert challenges_sweep(now=late) == {"passed_on": 0, "last_tier_overdue": 0}
    challenge.refresh_from_db()
    assert challenge.level == 1 and challenge.state == ChallengeState.AWAITING
    assert challenge.breached_at is None
    assert not ReferralEvent.objects.filter(referral=decided, kind="challenge_escalated").exists()
    assert Notice.objects.count() == notices
