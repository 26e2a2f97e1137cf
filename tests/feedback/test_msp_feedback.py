"""The referrer is told whether the person's desired outcomes were achieved, with the closure's
feedback on their status page, where consent allows (feedback.selectors: the same rule as the
rest of the feedback): not when the adult refused consent, not when detail is withheld, and
never in an email (emails carry general words only)."""

import pytest
from django.core import mail
from django.urls import reverse

from outbox.models import Notice
from outbox.send import notices_send_now
from tests.factories import triage
from tests.factories.accounts import ReferrerFactory
from tests.factories.referrals import referral_submit

pytestmark = pytest.mark.django_db

PARTLY = "Some of the outcomes the person wanted were achieved."


def _closed(django_capture_on_commit_callbacks, msp="partly", withheld=False, **options):
    referral = referral_submit(ReferrerFactory(), **options)
    with django_capture_on_commit_callbacks(execute=True):
        triage.close(referral, msp_outcome=msp, withheld=withheld)
    notices_send_now(Notice.objects.filter(referral=referral).values_list("pk", flat=True))
    return referral


def _status_page(client, referral) -> str:
    client.force_login(referral.referrer)
    return client.get(reverse("feedback:status", args=[referral.pk])).content.decode()


def test_the_referrer_reads_the_answer_with_the_closure(client, django_capture_on_commit_callbacks):
    referral = _closed(django_capture_on_commit_callbacks)
    page = _status_page(client, referral)
    assert "What the person wanted" in page and PARTLY in page
    assert all(PARTLY not in message.body for message in mail.outbox)


@pytest.mark.parametrize("msp, words", [
    ("fully", "The outcomes the person wanted were achieved."),
    ("not_achieved", "The outcomes the person wanted could not be achieved."),
    ("not_asked", "The person was not asked what outcomes they wanted, or did not say."),
])
def test_each_answer_in_plain_words(client, django_capture_on_commit_callbacks, msp, words):
    assert words in _status_page(client, _closed(django_capture_on_commit_callbacks, msp=msp))


def test_not_told_when_the_adult_refused_consent(client, django_capture_on_commit_callbacks):
    referral = _closed(django_capture_on_commit_callbacks, consent="no")
    page = _status_page(client, referral)
    assert "did not agree to details being shared" in page
    assert PARTLY not in page and "What the person wanted" not in page


def test_not_told_when_detail_is_withheld(client, django_capture_on_commit_callbacks):
    referral = _closed(django_capture_on_commit_callbacks, withheld=True)
    page = _status_page(client, referral)
    assert PARTLY not in page and "What the person wanted" not in page


def test_the_referrer_of_a_merged_referral_reads_the_answer_too(
        client, django_capture_on_commit_callbacks):
    """A referral merged into another is closed with it: its referrer is owed that closure's
    feedback (triage.transitions._owe), so they read the same answer about the person."""
    carried_on = referral_submit(ReferrerFactory())
    merged = referral_submit(ReferrerFactory(), pathway=carried_on.pathway)
    with django_capture_on_commit_callbacks(execute=True):
        triage.merge(merged, carried_on)
    notices_send_now(Notice.objects.filter(referral=merged).values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        triage.close(carried_on, msp_outcome="partly")
    page = _status_page(client, merged)
    assert "What the person wanted" in page and PARTLY in page


def test_a_merged_referral_whose_adult_refused_consent_is_not_told(
        client, django_capture_on_commit_callbacks):
    carried_on = referral_submit(ReferrerFactory())
    merged = referral_submit(ReferrerFactory(), pathway=carried_on.pathway, consent="no")
    with django_capture_on_commit_callbacks(execute=True):
        triage.merge(merged, carried_on)
    notices_send_now(Notice.objects.filter(referral=merged).values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        triage.close(carried_on, msp_outcome="partly")
    page = _status_page(client, merged)
    assert PARTLY not in page and "What the person wanted" not in page
