"""The only writers of learning's rows: a referrer's rating after sending a referral, and
feedback from the link on every page. Neither stores a person or a referral."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.roles import role_of
from core.vocabulary import Role
from referrals import access

from .models import COMMENT_MAX, Rating, ReferrerFeedback, Source

LONDON = ZoneInfo("Europe/London")


class AlreadyRated(Exception):
    """This referral has been rated already."""


def _once_key(referral_id: int) -> str:
    # Keyed with SECRET_KEY: the key says "this referral was rated" to the service only, and
    # cannot be turned back into the referral from the table.
    return salted_hmac("learning.referral_rate", str(referral_id)).hexdigest()


def _check(rating, comment: str) -> tuple[int, str]:
    if rating not in Rating.values:
        raise ValidationError({"rating": "Select how it was, from very good to very poor"})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": f"Your comment must be {COMMENT_MAX} characters or "
                                          "fewer"})
    return rating, comment


def _day_of(at: datetime) -> datetime:
    """Midnight (London) of the day: a rating kept to the minute could be matched with the
    audit log's record of the referrer opening the page, and so with the person."""
    return timezone.localtime(at, LONDON).replace(hour=0, minute=0, second=0, microsecond=0)


def referral_rated(*, referral) -> bool:
    return ReferrerFeedback.objects.filter(once_key=_once_key(referral.pk)).exists()


@transaction.atomic
def referral_rate(*, referral, actor, rating: int, comment: str = "",
                  now: datetime | None = None) -> ReferrerFeedback:
    """The referrer answers "How was making this referral?" once per referral they sent.
    Stored against the referral's organisation and sector only."""
    if not access.is_referrer(actor, referral) or referral.is_draft:
        raise access.OutOfScope("Only the referrer can say how making the referral was.")
    rating, comment = _check(rating, comment)
    organisation = referral.organisation
    try:
        with transaction.atomic():
            return ReferrerFeedback.objects.create(
                source=Source.AFTER_REFERRAL, rating=rating, comment=comment,
                organisation=organisation, sector=organisation.sector if organisation else "",
                signed_in=True, once_key=_once_key(referral.pk),
                created_at=_day_of(now or timezone.now()))
    except IntegrityError as twice:
        raise AlreadyRated("You have already told us how making this referral was.") from twice


@transaction.atomic
def page_feedback_give(*, user, rating: int, comment: str = "", page: str = "",
                       now: datetime | None = None) -> ReferrerFeedback:
    """Feedback from the link on every page, signed in or not. A signed-in person's
    organisation and sector are kept (never the person); `page` is a URL name."""
    rating, comment = _check(rating, comment)
    signed_in = bool(user is not None and user.is_authenticated)
    # An approved member's organisation; staff and people awaiting approval give none.
    info = role_of(user) if signed_in else None
    organisation = (info.organisation if info is not None
                    and info.role in (Role.REFERRER, Role.ORGANISATION_LEAD) else None)
    return ReferrerFeedback.objects.create(
        source=Source.PAGE, rating=rating, comment=comment, organisation=organisation,
        sector=organisation.sector if organisation else "", page=page[:80],
        signed_in=signed_in,
        created_at=now or timezone.now())
