"""The portal's own Prometheus gauges, read from the database when /metrics is scraped.

Computed at scrape time rather than kept in process memory, so every gunicorn worker answers
the same figures and a restart loses nothing. django-prometheus adds the request, response and
database metrics of the process that answers."""

from django.utils import timezone
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily

from .selectors import service_figures


class PortalCollector:
    def collect(self):
        figures = service_figures(now=timezone.now())
        queue = GaugeMetricFamily("portal_queue_depth",
                                  "Open referrals in each team's queue", labels=["team"])
        for team, count in sorted(figures.queue_depth.items()):
            queue.add_metric([team], count)
        yield queue
        clocks = GaugeMetricFamily("portal_clocks", "Running clocks by state", labels=["state"])
        clocks.add_metric(["due"], figures.clocks_due)
        clocks.add_metric(["breached"], figures.clocks_breached)
        yield clocks
        outbox = GaugeMetricFamily("portal_outbox_notices",
                                   "Notices in the outbox by status", labels=["status"])
        for status, count in sorted(figures.outbox.items()):
            outbox.add_metric([status], count)
        yield outbox
        duration = GaugeMetricFamily("portal_sweep_duration_seconds",
                                     "How long the last run of each scheduled task took",
                                     labels=["task"])
        finished = GaugeMetricFamily("portal_sweep_last_success_timestamp_seconds",
                                     "When each scheduled task last finished", labels=["task"])
        for task, (seconds, at) in sorted(figures.sweeps.items()):
            duration.add_metric([task], seconds)
            finished.add_metric([task], at.timestamp())
        yield duration
        yield finished

    def describe(self):
        return []  # no collection at registration time (the database may not be ready)


_collector = PortalCollector()


def register() -> None:
    if _collector not in REGISTRY._collector_to_names:
        REGISTRY.register(_collector)
