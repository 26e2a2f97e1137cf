"""`manage.py check` lists the phone numbers still to be set by the council (issue 16: the
LADO's and the All Age Disability service's lines were blank or borrowed from another team)."""

from django.core.checks import Warning as CheckWarning
from django.core.checks import register
from django.db import DatabaseError

from .contacts import contacts_unset


@register("pathways")
def contact_numbers_set(app_configs=None, **kwargs):
    try:
        unset = contacts_unset()
    except DatabaseError:  # before migrate, or no database: nothing to say yet
        return []
    return [CheckWarning(
        f"{what}: phone number not set.",
        hint="Set by the council: enter it in the administration site (Pathways > Contact "
             "points, or Accounts > Teams). Until then it is not shown to referrers.",
        id="pathways.W001",
    ) for what in unset]
