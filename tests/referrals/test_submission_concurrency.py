import threading
import uuid

import pytest
from django.db import connection

from referrals import services
from referrals.models import Referral, ReferralEvent

from .factories import complete_draft


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_make_one_referral(referrer):
    """Two requests at once (two tabs, a double click without JavaScript): the row lock makes
    the second wait, then find the referral already submitted."""
    draft = complete_draft(referrer)
    barrier = threading.Barrier(2)
    references, errors = [], []

    def submit():
        try:
            barrier.wait()
            referral = services.referral_submit(referral=draft, actor=referrer,
                                                submission_key=uuid.uuid4())
            references.append(referral.reference)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert len(references) == 2 and references[0] == references[1]
    assert Referral.objects.filter(referrer=referrer).count() == 1
    assert ReferralEvent.objects.filter(referral=draft, kind="submitted").count() == 1
