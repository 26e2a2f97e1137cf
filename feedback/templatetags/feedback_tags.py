from django import template

from feedback.selectors import CLOCK_WORDS
from outbox.wording import when_text

register = template.Library()


@register.filter
def clock_words(kind: str) -> str:
    """What a clock is for, in the referrer's words."""
    return CLOCK_WORDS.get(kind, kind.replace("_", " ").capitalize())


@register.filter
def when(at) -> str:
    return when_text(at) if at else ""


@register.filter
def feedback_state(referral) -> str:
    """'Received', 'Due' or 'None yet' from the prefetched feedback_list."""
    records = getattr(referral, "feedback_list", None)
    if records is None:
        records = list(referral.feedback_records.all())
    if any(record.given_at is None for record in records):
        return "Due"
    if records:
        return "Received"
    return "None yet"


@register.filter
def list_status(referral) -> str:
    from feedback.selectors import list_status_words

    return list_status_words(referral)


@register.filter
def status_words(referral) -> str:
    from feedback.selectors import status_words as words

    return words(referral)
