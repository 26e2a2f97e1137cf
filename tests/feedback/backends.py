"""Email backends for the outbox tests. Real Django backends (locmem underneath), with the
failure or slowness a real SMTP server can show."""

import threading
import time

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class SlowBackend(LocmemBackend):
    """Takes a moment to send, so two concurrent sends of one notice overlap."""

    def send_messages(self, messages):
        time.sleep(0.5)
        return super().send_messages(messages)


class DownBackend(LocmemBackend):
    """The mail server refuses connections."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


class FlakyBackend(LocmemBackend):
    """Refuses the first `failures` sends, then works."""

    failures = 1
    _lock = threading.Lock()
    _calls = 0

    @classmethod
    def reset(cls, failures: int) -> None:
        cls.failures = failures
        cls._calls = 0

    def send_messages(self, messages):
        with FlakyBackend._lock:
            FlakyBackend._calls += 1
            failing = FlakyBackend._calls <= FlakyBackend.failures
        if failing:
            raise ConnectionRefusedError("mail server down")
        return super().send_messages(messages)


class CountingBackend(LocmemBackend):
    """Counts the connections opened, as an SMTP server would see them."""

    opened = 0

    def open(self):
        CountingBackend.opened += 1
        return super().open()


class RefusesOneAddressBackend(LocmemBackend):
    """The mail server refuses one recipient (a full mailbox, a typo the server rejects) and
    takes the rest."""

    refused = "refused@example.org"

    def send_messages(self, messages):
        for message in messages:
            if self.refused in message.to:
                raise ConnectionResetError("recipient refused")
        return super().send_messages(messages)
