"""The levels of need in the children's partnership's threshold document, as rows (issue 15
item 6, issue 16 item 3). Administrators change them in the admin; staff record one with every
MASH decision and the referrer may say which they think applies. The defaults follow the
London continuum-of-need style (Southwark's "Threshold of needs" guidance): four levels from
universal services to acute, statutory help.

Every administrator's change to a level is kept in ThresholdLevelChange (the row before and
after, who and when), as routing rules keep theirs: a level's words are what referrers read
about decisions, so "who changed level 3's summary, and from what" has an answer."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ThresholdLevelQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class ThresholdLevel(models.Model):
    # Stable: stored in referrals' answers and in decisions; the name and words may change.
    code = models.SlugField(max_length=40, unique=True)
    number = models.PositiveSmallIntegerField(help_text="The level's number in the document")
    name = models.CharField(max_length=120, help_text="For example “Level 2: Early help”")
    # What the level means, for the referrer to read in the decision's feedback.
    summary = models.TextField(help_text="What this level means, in plain words for a referrer")
    guidance_url = models.URLField(max_length=500, blank=True,
                                   help_text="The threshold document's section for this level")
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ThresholdLevelQuerySet.as_manager()

    class Meta:
        ordering = ["number", "id"]

    def __str__(self):
        return self.name


class ThresholdLevelChange(models.Model):
    """One administrator's change to a threshold level: the row before (empty when added) and
    after. Written only by pathways.thresholds.threshold_level_history_write."""

    level = models.ForeignKey(ThresholdLevel, on_delete=models.PROTECT, related_name="changes")
    action = models.CharField(max_length=10)  # "added", "changed"
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.level.code} {self.action} {self.changed_at:%Y-%m-%d %H:%M}"

    def changed_fields(self) -> list[str]:
        return [name for name in self.after if self.before.get(name) != self.after[name]]
