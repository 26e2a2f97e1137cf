"""An unanswered tier passes the challenge on by itself: beat runs this every minute beside the
deadlines sweep (referrals.sweep, which cannot import this app: it sits below it).

Bounded batches, rows locked `FOR UPDATE SKIP LOCKED` so two sweeps share the work; each
escalation moves the challenge's due time on (or stamps breached_at at the last tier), so a
second run changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction

from referrals.models import Referral

from .models import Challenge, ChallengeState
from .services import FINISHED_AWAY, challenge_escalate_unanswered

log = logging.getLogger(__name__)
BATCH_SIZE = 100
MAX_BATCHES = 20


def challenges_sweep(*, now: datetime, batch_size: int = BATCH_SIZE,
                     max_batches: int = MAX_BATCHES) -> dict:
    """Pass every challenge whose tier was due by `now` to its next tier."""
    passed = overdue = 0
    for _ in range(max_batches):
        with transaction.atomic():
            due = list(
                Challenge.objects.filter(state=ChallengeState.AWAITING, breached_at__isnull=True,
                                         due_at__lte=now)
                # A withdrawn or merged referral has no decision left to challenge: its
                # challenge stops where it is (services.is_decided; the services check again).
                .exclude(referral__status__in=FINISHED_AWAY)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("referral", "referral__team", "referral__referrer", "raised_by")
                .order_by("due_at", "id")[:batch_size]
            )
            statuses = {}
            if due:
                # The referral rows too, in the order the services lock them; their status as
                # locked (one withdrawn or merged since the read above is left alone).
                statuses = dict(Referral.objects.select_for_update()
                                .filter(pk__in=[c.referral_id for c in due])
                                .values_list("pk", "status"))
            for challenge in due:
                if statuses.get(challenge.referral_id) in FINISHED_AWAY:
                    continue
                if challenge_escalate_unanswered(challenge=challenge, now=now) is None:
                    overdue += 1
                else:
                    passed += 1
        if len(due) < batch_size:
            break
    if passed or overdue:
        log.info("challenges sweep: %s", {"passed_on": passed, "last_tier_overdue": overdue})
    return {"passed_on": passed, "last_tier_overdue": overdue}
