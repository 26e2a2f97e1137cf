"""The outbox: notices written with the change that owes them, sent after commit.

write.py   notice_queue (one), notices_queue_bulk and notices_queue_rows (many): the only writers of Notice rows
dispatch.py  hand committed notices to the broker (on commit), requeue lost ones
send.py    deliver a batch through one connection, record outcomes, retry with backoff
tasks.py   thin Celery tasks (ids only) over dispatch and send
It knows nothing of referrals' rules or of who is told: callers pass the recipients.
"""
