"""The no-op Celery task the outbox drain is compared with.

It does nothing but count itself in Redis (db 8, the bench's own), so the bench can tell
when all of them have run. The worker loads it with `celery worker -I bench.tasks`.
"""

import os

import redis
from celery import shared_task

COUNTER_KEY = "bench:noop:done"
_client = None


def _redis():
    global _client
    if _client is None:
        _client = redis.Redis.from_url(os.environ["REDIS_URL"])
    return _client


@shared_task(name="bench.noop")
def noop() -> None:
    _redis().incr(COUNTER_KEY)
