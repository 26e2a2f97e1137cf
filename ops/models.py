from django.db import models


class Heartbeat(models.Model):
    """The last periodic beat each worker ran: proof that beat and a worker are alive."""

    worker = models.CharField(max_length=200, unique=True)
    beat_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.worker} at {self.beat_at:%H:%M:%S}"
