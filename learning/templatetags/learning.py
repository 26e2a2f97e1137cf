from django import template

from learning.models import Rating
from learning.services import referral_rated as _referral_rated

register = template.Library()


@register.simple_tag
def referral_rated(referral) -> bool:
    """The confirmation page offers the rating only until it is given."""
    return _referral_rated(referral=referral)


@register.simple_tag
def rating_choices():
    return Rating.choices
