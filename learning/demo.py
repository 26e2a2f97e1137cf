"""Demo answers from referrers (issue 15, item 8), so the dashboard's "What referrers tell us"
shows figures: ratings after sending, given by the demo history's referrers on their own
referrals a few minutes after sending each (one referral in three), and comments from the
feedback link on every page at chosen days over the last months, through the real services.
Nothing personal: the services keep the organisation and its sector only. Idempotent: does
nothing once the first demo page comment exists. Needs the dashboard history first."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, MembershipRole, MembershipStatus
from referrals.models import Referral

from .models import ReferrerFeedback, Source
from .services import AlreadyRated, page_feedback_give, referral_rate

# Ratings after sending, in turn (1 very poor to 5 very good): mostly good, some poor, as a
# service that is still learning hears.
RATINGS = (5, 4, 4, 5, 3, 4, 2, 5, 4, 3, 5, 1)
# Every fourth rating comes with a sentence, in turn.
RATING_COMMENTS = (
    "Quicker than the old form, and I could save it and come back.",
    "I was not sure which team it should go to; the questions helped.",
    "It asked for the person's date of birth and I only knew roughly how old they are.",
    "Clear. I would like a copy by email as well as the PDF.",
    "Too many questions for an urgent concern late at night.",
)
# The feedback link on every page: (days ago, rating, page, signed in, comment).
PAGE_COMMENTS = (
    (150, 4, "learning:guidance", True,
     "The guidance on cuckooing was what our volunteers needed. More on Prevent, please."),
    (95, 2, "feedback:status", True,
     "I could not tell whether anyone had read my referral yet."),
    (60, 5, "feedback:status", True,
     "Seeing the worker's name and number made chasing easy."),
    (33, 3, "referrals:step", False,
     "Which teams cover 18 to 25 year olds with a learning disability is not clear."),
    (12, 4, "learning:guidance", True, "The training dates were useful; add the venues."),
    (3, 1, "referrals:step", True,
     "The page timed out while I was typing and I had to start the answer again."),
)


def _referrer_of(organisation_id: int):
    membership = (Membership.objects.filter(organisation_id=organisation_id,
                                            status=MembershipStatus.APPROVED,
                                            role=MembershipRole.REFERRER)
                  .select_related("user").order_by("pk").first())
    return membership.user if membership else None


@transaction.atomic
def demo_learning_ensure(*, now: datetime | None = None) -> int:
    """Create the demo ratings and comments once; returns how many answers it made."""
    if ReferrerFeedback.objects.filter(source=Source.PAGE,
                                       comment=PAGE_COMMENTS[0][4]).exists():
        return 0
    now = now or timezone.now()
    made = 0
    history = (Referral.objects.filter(answers__demo_key__startswith="history-",
                                       received_at__isnull=False)
               .select_related("referrer", "organisation").order_by("received_at", "pk"))
    for i, referral in enumerate(history[::3]):
        comment = RATING_COMMENTS[(i // 4) % len(RATING_COMMENTS)] if i % 4 == 0 else ""
        try:
            referral_rate(referral=referral, actor=referral.referrer,
                          rating=RATINGS[i % len(RATINGS)], comment=comment,
                          now=referral.received_at + timedelta(minutes=5))
        except AlreadyRated:  # rated on the site already
            continue
        made += 1
    organisations = list(history.exclude(organisation=None).order_by("organisation_id")
                         .values_list("organisation_id", flat=True).distinct()[:3])
    for i, (days, rating, page, signed_in, comment) in enumerate(PAGE_COMMENTS):
        user = _referrer_of(organisations[i % len(organisations)]) \
            if signed_in and organisations else None
        page_feedback_give(user=user, rating=rating, comment=comment, page=page,
                           now=now - timedelta(days=days, hours=i))
        made += 1
    return made
