"""Reads about the running system, for administrators."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from .models import Heartbeat

# Beat runs the heartbeat every 30 seconds by default; three missed beats means trouble.
STALE_AFTER = timedelta(seconds=90)


@dataclass(frozen=True)
class WorkerHealth:
    last: Heartbeat | None
    age: timedelta | None

    @property
    def healthy(self) -> bool:
        return self.age is not None and self.age <= STALE_AFTER

    @property
    def age_seconds(self) -> int | None:
        return None if self.age is None else max(0, int(self.age.total_seconds()))


def worker_health(*, now: datetime) -> WorkerHealth:
    last = Heartbeat.objects.order_by("-beat_at").first()
    return WorkerHealth(last=last, age=None if last is None else now - last.beat_at)
