"""The GOV.UK Notify channel, through the real notifications-python-client against a fake
Notify API on loopback."""

import pytest

from outbox.models import Channel, Notice, NoticeStatus
from outbox.send import notice_send_now
from outbox.write import notice_queue
from portal.celery import app

from .factories import PERSON_NAME, PERSON_POSTCODE
from .fake_notify import API_KEY, SERVICE_ID, TEMPLATE_ID, FakeNotify


@pytest.fixture
def notify(settings):
    fake = FakeNotify().start()
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_TEMPLATE_ID = TEMPLATE_ID
    settings.NOTIFY_BASE_URL = fake.url
    settings.NOTIFY_TIMEOUT_SECONDS = 5
    yield fake
    fake.stop()


def test_with_a_notify_key_email_notices_go_by_notify(
    notify, referral, mailoutbox, django_capture_on_commit_callbacks
):
    acknowledged = len(notify.requests)  # the submission's own notices, sent when built
    with django_capture_on_commit_callbacks(execute=True):
        notice = notice_queue(kind="acknowledgement", recipient=referral.referrer,
                              referral=referral)
    notice.refresh_from_db()
    assert notice.channel == Channel.NOTIFY
    assert notice.status == NoticeStatus.SENT
    assert mailoutbox == []  # not through Django's email backend
    [request] = notify.requests[acknowledged:]
    assert request["iss"] == SERVICE_ID
    sent = request["json"]
    assert sent["email_address"] == referral.referrer.email
    assert sent["template_id"] == TEMPLATE_ID
    assert sent["reference"] == f"notice-{notice.pk}"
    assert referral.reference in sent["personalisation"]["subject"]
    assert "/account/sign-in/" in sent["personalisation"]["body"]
    assert PERSON_NAME not in sent["personalisation"]["body"]
    assert PERSON_POSTCODE not in sent["personalisation"]["body"]
    # Notify's id for the notification is kept, to trace delivery with Notify's support.
    assert len(notice.provider_reference) == 36


def test_without_a_key_email_notices_use_the_email_backend(referral, mailoutbox, settings):
    settings.NOTIFY_API_KEY = ""
    notice = notice_queue(kind="acknowledgement", recipient=referral.referrer, referral=referral)
    assert notice.channel == Channel.EMAIL


def test_notify_refusing_the_request_fails_at_once(notify, referral):
    """A 400 (bad request) will be refused again: no retries, visible as failed."""
    notify.respond_with = [400]
    notice = notice_queue(kind="acknowledgement", recipient=referral.referrer, referral=referral)
    assert notice_send_now(notice.pk) is None
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.FAILED
    assert notice.attempts == 1
    assert "HTTP 400" in notice.last_error


def test_notify_server_error_is_retried_then_sent(
    notify, referral, monkeypatch, django_capture_on_commit_callbacks
):
    notify.respond_with = [500, 429]
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    acknowledged = len(notify.requests)  # the submission's own notices, sent when built
    with django_capture_on_commit_callbacks(execute=True):
        notice = notice_queue(kind="acknowledgement", recipient=referral.referrer,
                              referral=referral)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT
    assert notice.attempts == 3
    assert len(notify.requests) == acknowledged + 3


def test_a_wrong_key_is_refused_by_notify_and_fails(notify, referral, settings):
    settings.NOTIFY_API_KEY = f"portal_test-{SERVICE_ID}-00000000-0000-4000-8000-000000000000"
    built = set(Notice.objects.values_list("pk", flat=True))  # the submission's own
    notice = notice_queue(kind="acknowledgement", recipient=referral.referrer, referral=referral)
    notice_send_now(notice.pk)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.FAILED
    assert "HTTP 403" in notice.last_error
    assert Notice.objects.exclude(pk__in=built).filter(status=NoticeStatus.SENT).count() == 0
