"""outbox.write (bulk): many notices in one statement, the same outbox contract as notice_queue
(written in the caller's transaction, deduplicated by key, sent after commit by id)."""

import pytest
from django.core import mail
from django.db import transaction

from outbox import write as bulk
from outbox.models import Channel, Notice, NoticeStatus
from outbox.tasks import notices_send_many
from outbox.write import NoticeDraft, notices_queue_bulk

from .factories import referral_make

pytestmark = pytest.mark.django_db


class Boom(Exception):
    """Raised on purpose to roll a transaction back."""


def drafts(referral, person, count, *, prefix="bulk"):
    return [
        NoticeDraft(
            kind="deadline_breach", subject=f"Subject {n}", body=f"Body {n}", recipient=person,
            referral=referral, channel=channel, dedupe_key=f"{prefix}:{n}:{channel}",
        )
        for n in range(count)
        for channel in (Channel.EMAIL, Channel.PORTAL)
    ]


def test_every_notice_column_is_written():
    """The PostgreSQL INSERT names its columns: a new Notice field must be added to it."""
    columns = {field.attname for field in Notice._meta.concrete_fields} - {"id"}
    assert set(bulk.COLUMNS) == columns and len(bulk.COLUMNS) == len(columns)


def test_notices_are_written_once_and_sent_after_commit(
    referrer, assignee, django_capture_on_commit_callbacks
):
    referral = referral_make(referrer=referrer, assignee=assignee)
    built = Notice.objects.count()  # the submission's own acknowledgement notices
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ids = notices_queue_bulk(drafts(referral, assignee, 3))
    assert len(ids) == 6 and len(callbacks) == 1  # one broker message for the lot
    notices = Notice.objects.filter(pk__in=ids)
    assert {n.status for n in notices} == {NoticeStatus.SENT}
    email = notices.get(dedupe_key="bulk:0:email")
    assert (email.recipient_email, email.referral_id, email.subject) == (
        assignee.email, referral.pk, "Subject 0"
    )
    assert sorted(m.subject for m in mail.outbox) == ["Subject 0", "Subject 1", "Subject 2"]

    # Again, with one new key among the old ones: only the new one is written and sent.
    with django_capture_on_commit_callbacks(execute=True):
        again = notices_queue_bulk(drafts(referral, assignee, 4))
    assert set(Notice.objects.filter(pk__in=again).values_list("dedupe_key", flat=True)) == {
        "bulk:3:email", "bulk:3:portal"
    }
    assert Notice.objects.count() == built + 8
    assert len(mail.outbox) == 4
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert notices_queue_bulk(drafts(referral, assignee, 4)) == []
    assert callbacks == []


def test_a_rolled_back_batch_writes_and_sends_nothing(
    referrer, assignee, django_capture_on_commit_callbacks
):
    referral = referral_make(referrer=referrer, assignee=assignee)
    built = set(Notice.objects.values_list("pk", flat=True))  # the acknowledgement's
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Boom), transaction.atomic():
            notices_queue_bulk(drafts(referral, assignee, 2))
            raise Boom
    assert callbacks == [] and mail.outbox == []
    assert not Notice.objects.exclude(pk__in=built).exists()


def test_the_same_key_twice_in_one_call_is_one_notice(referrer, assignee):
    referral = referral_make(referrer=referrer, assignee=assignee)
    built = Notice.objects.count()  # the submission's own acknowledgement notices
    twice = drafts(referral, assignee, 1) * 2
    assert len(notices_queue_bulk(twice)) == 2
    assert Notice.objects.count() == built + 2


def test_a_team_inbox_notice_and_a_missing_key_or_recipient(referrer, assignee):
    referral = referral_make(referrer=referrer, assignee=assignee)
    [notice_id] = notices_queue_bulk([NoticeDraft(
        kind="deadline_breach", subject="S", body="B", recipient_email="team@example.gov.uk",
        referral=referral, dedupe_key="bulk:team",
    )])
    notice = Notice.objects.get(pk=notice_id)
    assert (notice.recipient_id, notice.recipient_email) == (None, "team@example.gov.uk")
    with pytest.raises(ValueError, match="dedupe key"):
        notices_queue_bulk([NoticeDraft(kind="k", subject="S", body="B", recipient=assignee,
                                        dedupe_key="")])
    with pytest.raises(ValueError, match="recipient"):
        notices_queue_bulk([NoticeDraft(kind="k", subject="S", body="B", dedupe_key="x")])


def test_a_long_list_is_split_into_the_outboxs_batches(referrer, assignee, settings, monkeypatch):
    from outbox import tasks

    referral = referral_make(referrer=referrer, assignee=assignee)
    ids = notices_queue_bulk(drafts(referral, assignee, 5))  # 10 notices
    settings.NOTICE_SEND_BATCH = 4
    calls = []
    real = tasks.notices_send.run

    def spy(notice_ids):
        calls.append(list(notice_ids))
        return real(notice_ids)

    monkeypatch.setattr(tasks.notices_send, "run", spy)
    notices_send_many.delay(ids)  # eager in tests
    assert [len(call) for call in calls] == [4, 4, 2]
    assert sorted(sum(calls, [])) == sorted(ids)
    assert Notice.objects.filter(status=NoticeStatus.SENT).count() == 10
    # Run twice (a duplicate message): nothing is sent again.
    notices_send_many.delay(ids)
    assert len(mail.outbox) == 5


def test_rows_write_what_drafts_write(referrer, assignee):
    """notices_queue_rows (the sweep's tuples) and notices_queue_bulk (drafts) write the same
    notice, every column but the id, the key and the times."""
    from outbox.write import NoticeRow, notices_queue_rows

    referral = referral_make(referrer=referrer, assignee=assignee)
    [by_draft] = notices_queue_bulk([NoticeDraft(
        kind="deadline_breach", subject="S", body="B", recipient=assignee, referral=referral,
        channel=Channel.EMAIL, dedupe_key="same:draft")])
    [by_row] = notices_queue_rows([NoticeRow(
        "deadline_breach", assignee.pk, assignee.email, referral.pk, Channel.EMAIL, "S", "B",
        "same:row")])

    def columns(pk):
        notice = Notice.objects.get(pk=pk)
        return {name: getattr(notice, name) for name in bulk.COLUMNS
                if name not in ("dedupe_key", "created_at", "next_try_at")}

    assert columns(by_row) == columns(by_draft)
    assert columns(by_row)["status"] == NoticeStatus.PENDING
