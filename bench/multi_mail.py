"""The multi-node scenario's email backend: counts each notice's deliveries in Redis.

Every worker, on every instance, sends through this; a notice delivered twice (a worker killed
after sending, before its batch committed) shows as a count of 2 under its id.
"""

import os

import redis
from django.core.mail.backends.base import BaseEmailBackend

SENT_KEY = "bench:multi:sent"


class CountingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        client = redis.Redis.from_url(os.environ["REDIS_URL"])
        for message in email_messages:
            notice = message.extra_headers.get("X-Portal-Notice", "none")
            client.hincrby(SENT_KEY, notice, 1)
        return len(email_messages)
