from django.db import models


class Heartbeat(models.Model):
    """The last periodic beat each worker ran: proof that beat and a worker are alive."""

    worker = models.CharField(max_length=200, unique=True)
    beat_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.worker} at {self.beat_at:%H:%M:%S}"


class SweepRun(models.Model):
    """The last successful run of each periodic task beat schedules (ops.sweeps records it from
    Celery's task signals): when it finished and how long it took. /readyz checks the
    deadlines sweep is recent; /metrics reports the durations."""

    task = models.CharField(max_length=200, unique=True)
    finished_at = models.DateTimeField()
    duration_seconds = models.FloatField()

    def __str__(self):
        return f"{self.task} at {self.finished_at:%H:%M:%S} ({self.duration_seconds:.2f} s)"
