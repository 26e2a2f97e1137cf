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


@dataclass(frozen=True)
class ServiceFigures:
    """Counts for /metrics: no referral, person or free text, only numbers per team/status."""

    queue_depth: dict[str, int]  # team's pathway -> open referrals
    clocks_due: int  # running clocks past their warning time, not yet breached
    clocks_breached: int  # running clocks past their due time
    outbox: dict[str, int]  # notice status (pending, failed) -> count
    sweeps: dict[str, tuple[float, datetime]]  # task -> (duration s, finished at)


def service_figures(*, now: datetime) -> ServiceFigures:
    from django.db.models import Count, Q

    from accounts.models import Team
    from outbox.models import Notice, NoticeStatus
    from pathways.models import Deadline
    from referrals.models import QUEUE_STATUSES, Referral

    from .models import SweepRun

    queue = {pathway: 0 for pathway in Team.objects.values_list("pathway", flat=True)}
    for row in (Referral.objects.filter(status__in=QUEUE_STATUSES).values("team__pathway")
                .annotate(n=Count("id")).order_by()):
        if row["team__pathway"]:
            queue[row["team__pathway"]] = row["n"]
    clocks = Deadline.objects.open().filter(paused_at__isnull=True).aggregate(
        due=Count("id", filter=Q(warning_at__lte=now, due_at__gt=now)),
        breached=Count("id", filter=Q(due_at__lte=now)),
    )
    outbox = {NoticeStatus.PENDING.value: 0, NoticeStatus.FAILED.value: 0}
    for row in (Notice.objects.filter(status__in=list(outbox)).values("status")
                .annotate(n=Count("id")).order_by()):
        outbox[row["status"]] = row["n"]
    sweeps = {run.task: (run.duration_seconds, run.finished_at) for run in SweepRun.objects.all()}
    return ServiceFigures(queue_depth=queue, clocks_due=clocks["due"],
                          clocks_breached=clocks["breached"], outbox=outbox, sweeps=sweeps)
