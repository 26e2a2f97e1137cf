"""Summary tables behind the staff dashboard, rebuilt by a Celery beat task.

At a million referrals the live aggregate queries (EXISTS over feedback and notices, a
correlated rating lookup per RAG clock, a jsonb scan per category) take seconds each, so the
staff views read these small cubes instead: additive counts per London day and per
combination of the filters (pathway, sector, urgency, category), plus one narrow row per
referral with feedback for the exact percentiles. Referral counts are kept twice: for all
organisations together (staff) and per organisation (a lead's own figures). See docs/decisions/dashboard-summaries.md.
"""

from django.db import models

ALL_CATEGORIES = ""  # a cube row with category "" counts every referral once


class ReferralCube(models.Model):
    """Referral counts per London day of receipt (basis "received") or closure ("closed")."""

    day = models.DateField()
    basis = models.CharField(max_length=8)
    pathway = models.CharField(max_length=32)
    sector = models.CharField(max_length=20)  # "" when the referrer had no organisation
    urgent = models.BooleanField()
    # ALL_CATEGORIES, or one category: then the row counts only referrals naming it.
    category = models.CharField(max_length=60)
    # Null: every organisation together (staff views). Set: that organisation's own referrals
    # (its safeguarding lead's view). Each referral is counted once at each level.
    organisation_id = models.BigIntegerField(null=True)

    received = models.IntegerField(default=0, db_default=0)
    decided = models.IntegerField(default=0, db_default=0)
    given = models.IntegerField(default=0, db_default=0)
    fb_email = models.IntegerField(default=0, db_default=0)
    fb_notify = models.IntegerField(default=0, db_default=0)
    fb_portal = models.IntegerField(default=0, db_default=0)
    fb_phone = models.IntegerField(default=0, db_default=0)
    adult_decided = models.IntegerField(default=0, db_default=0)
    concern = models.IntegerField(default=0, db_default=0)
    s42 = models.IntegerField(default=0, db_default=0)
    enquiry = models.IntegerField(default=0, db_default=0)
    o_nfa = models.IntegerField(default=0, db_default=0)
    o_early_help = models.IntegerField(default=0, db_default=0)
    o_family_help = models.IntegerField(default=0, db_default=0)
    o_s17 = models.IntegerField(default=0, db_default=0)
    o_s47 = models.IntegerField(default=0, db_default=0)
    o_immediate_protection = models.IntegerField(default=0, db_default=0)
    closed = models.IntegerField(default=0, db_default=0)
    closed_silent = models.IntegerField(default=0, db_default=0)

    class Meta:
        indexes = [models.Index(fields=["basis", "category", "organisation_id", "day"]),
                   models.Index(fields=["day"]),
                   # Staff figures read only the all-organisations rows (a small share).
                   models.Index(fields=["basis", "day"], name="dashboard_cube_staff_day",
                                condition=models.Q(organisation_id__isnull=True)),
                   # A team manager's figures: one pathway's rows, by category, over a window.
                   models.Index(fields=["basis", "pathway", "category", "day"],
                                name="dashboard_cube_staff_pathway",
                                condition=models.Q(organisation_id__isnull=True))]

    def __str__(self):
        return f"{self.basis} {self.day} {self.pathway}"


class ClockCube(models.Model):
    """Clock results per London day the clock started, as known when the cube was built."""

    day = models.DateField()
    kind = models.CharField(max_length=32)
    rating = models.CharField(max_length=8)
    pathway = models.CharField(max_length=32)
    sector = models.CharField(max_length=20)
    urgent = models.BooleanField()
    category = models.CharField(max_length=60)

    started = models.IntegerField(default=0, db_default=0)
    known = models.IntegerField(default=0, db_default=0)
    on_time = models.IntegerField(default=0, db_default=0)
    known1 = models.IntegerField(default=0, db_default=0)
    within1 = models.IntegerField(default=0, db_default=0)
    known2 = models.IntegerField(default=0, db_default=0)
    within2 = models.IntegerField(default=0, db_default=0)

    class Meta:
        indexes = [models.Index(fields=["kind", "category", "day"]), models.Index(fields=["day"])]

    def __str__(self):
        return f"{self.kind} {self.day} {self.pathway}"


class FeedbackTime(models.Model):
    """Time from receipt to first feedback, one row per referral given feedback: percentiles
    need the values themselves, not counts."""

    referral_id = models.BigIntegerField(primary_key=True)
    received_at = models.DateTimeField()
    pathway = models.CharField(max_length=32)
    sector = models.CharField(max_length=20)
    urgent = models.BooleanField()
    categories = models.JSONField(default=list)
    organisation_id = models.BigIntegerField(null=True)
    to_feedback = models.DurationField()

    class Meta:
        indexes = [models.Index(fields=["received_at", "pathway"]),
                   models.Index(fields=["organisation_id", "received_at"])]

    def __str__(self):
        return f"referral {self.referral_id}: {self.to_feedback}"


class ReferralFact(models.Model):
    """One row per received referral: its cube dimensions and measures (dashboard/facts.py) as
    last computed. The cubes are sums of these rows per day, so an incremental rebuild
    recomputes the facts of the referrals that changed and then only the days they were (or
    are now) counted in. Measure columns mirror ReferralCube's."""

    referral_id = models.BigIntegerField(primary_key=True)
    day = models.DateField(db_index=True)
    closed_day = models.DateField(null=True, db_index=True)
    pathway = models.CharField(max_length=32)
    sector = models.CharField(max_length=20)
    urgent = models.BooleanField()
    organisation_id = models.BigIntegerField(null=True)
    categories = models.JSONField(default=list)

    received = models.IntegerField(default=0)
    decided = models.IntegerField(default=0)
    given = models.IntegerField(default=0)
    fb_email = models.IntegerField(default=0)
    fb_notify = models.IntegerField(default=0)
    fb_portal = models.IntegerField(default=0)
    fb_phone = models.IntegerField(default=0)
    adult_decided = models.IntegerField(default=0)
    concern = models.IntegerField(default=0)
    s42 = models.IntegerField(default=0)
    enquiry = models.IntegerField(default=0)
    o_nfa = models.IntegerField(default=0)
    o_early_help = models.IntegerField(default=0)
    o_family_help = models.IntegerField(default=0)
    o_s17 = models.IntegerField(default=0)
    o_s47 = models.IntegerField(default=0)
    o_immediate_protection = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    closed_silent = models.IntegerField(default=0)

    def __str__(self):
        return f"facts of referral {self.referral_id}"


class ClockFact(models.Model):
    """One row per counted clock, as last computed. `known`, `known1` and `known2` depend on
    the time of the rebuild: an open clock's row is recomputed when its due time or its one- or
    two-month mark passes between two rebuilds (hence the three partial indexes)."""

    deadline_id = models.BigIntegerField(primary_key=True)
    referral_id = models.BigIntegerField(db_index=True)
    day = models.DateField(db_index=True)
    kind = models.CharField(max_length=32)
    rating = models.CharField(max_length=8)
    pathway = models.CharField(max_length=32)
    sector = models.CharField(max_length=20)
    urgent = models.BooleanField()
    categories = models.JSONField(default=list)
    met_at = models.DateTimeField(null=True)
    due_at = models.DateTimeField()
    one_at = models.DateTimeField()
    two_at = models.DateTimeField()

    started = models.IntegerField(default=0)
    known = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    known1 = models.IntegerField(default=0)
    within1 = models.IntegerField(default=0)
    known2 = models.IntegerField(default=0)
    within2 = models.IntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["due_at"], name="dashboard_clockfact_open_due",
                         condition=models.Q(met_at__isnull=True)),
            models.Index(fields=["one_at"], name="dashboard_clockfact_open_one",
                         condition=models.Q(met_at__isnull=True)),
            models.Index(fields=["two_at"], name="dashboard_clockfact_open_two",
                         condition=models.Q(met_at__isnull=True)),
        ]

    def __str__(self):
        return f"facts of clock {self.deadline_id}"


class DirtyReferral(models.Model):
    """Referrals whose facts may have changed since the last rebuild, appended by PostgreSQL
    triggers on the tables the measures read (migration 0002). A null referral_id asks for a
    full rebuild (a TRUNCATE, or one statement touching very many referrals)."""

    referral_id = models.BigIntegerField(null=True)

    def __str__(self):
        return f"referral {self.referral_id or 'all'} changed"


class SummaryRefresh(models.Model):
    """When the summaries were last rebuilt (one row per rebuild; the page shows the latest)."""

    finished_at = models.DateTimeField(db_index=True)
    as_at = models.DateTimeField()
    seconds = models.FloatField()
    referral_rows = models.IntegerField()
    clock_rows = models.IntegerField()
    # "full", or "incremental" with how many referrals were recomputed.
    mode = models.CharField(max_length=12, default="full")
    referrals_recomputed = models.IntegerField(default=0)

    class Meta:
        ordering = ["-finished_at"]

    def __str__(self):
        return f"dashboard summaries as at {self.as_at:%Y-%m-%d %H:%M}"


class FeedbackPercentile(models.Model):
    """Exact median and 90th percentile of time to feedback, precomputed for the unfiltered
    views (per period of each grain, and for each window as a whole), per pathway ("" = all).
    Filtered views compute theirs from FeedbackTime."""

    grain = models.CharField(max_length=8)
    period = models.DateField(null=True)  # null: the whole window of `months`
    months = models.PositiveSmallIntegerField(default=0)
    pathway = models.CharField(max_length=32)
    n = models.IntegerField()
    p50 = models.DurationField(null=True)
    p90 = models.DurationField(null=True)

    class Meta:
        indexes = [models.Index(fields=["grain", "pathway", "months"])]

    def __str__(self):
        return f"{self.grain} {self.period or self.months} {self.pathway}: {self.p50}"
