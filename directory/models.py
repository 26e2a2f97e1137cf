"""The directory of services staff signpost referrers to (issue 15, item 6): kept in the portal
by administrators (the admin) and importable from an Open Referral UK feed
(directory.oruk, `manage.py import_services`). Public information about public services: nothing
here is about a person."""

from django.db import models
from django.db.models import Q


class ServiceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Service(models.Model):
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    organisation = models.CharField(max_length=255, blank=True)
    phone = models.CharField(max_length=60, blank=True)
    email = models.CharField(max_length=254, blank=True)
    url = models.URLField(max_length=500, blank=True)
    address = models.TextField(blank=True)
    # The feed's taxonomy terms or service area ("Advice", "Mental health", "Southwark"), so
    # staff can find a service by what it is for.
    area = models.CharField("area or kind of help", max_length=255, blank=True)
    active = models.BooleanField(default=True, help_text="Only active services can be chosen.")
    # The feed's own id (an Open Referral UK service id): importing again updates this row.
    # Blank for a service typed in by an administrator.
    source_id = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["source_id"], condition=~Q(source_id=""),
                                               name="directory_service_one_per_source_id")]

    def __str__(self):
        return f"{self.name} ({self.organisation})" if self.organisation else self.name

    @property
    def choice_label(self) -> str:
        """How staff see it in the decision form: what it is, who runs it, what it is for."""
        parts = [self.name]
        if self.organisation and self.organisation != self.name:
            parts.append(self.organisation)
        if self.area:
            parts.append(self.area)
        return " – ".join(parts)
