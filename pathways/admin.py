"""Council administrators set the clocks here: policies per pathway and closure days.

Deadlines and pauses are shown read-only: they change only through the workflow services,
which audit every change.
"""

from django.contrib import admin
from django.utils import timezone

from audit.admin_mixins import AuditedAdminMixin, ReferralRecordAdminMixin

from .clocks import compute
from .models import (
    ClockPause,
    ClockPolicy,
    ClosureDay,
    ContactPoint,
    Deadline,
    ParallelDuty,
    RiskQuestion,
    RoutingRule,
    RoutingRuleChange,
    ThresholdLevel,
    ThresholdLevelChange,
)
from .policies import working_calendar
from .routing import routing_rule_history_write
from .thresholds import threshold_level_history_write, threshold_level_snapshot


@admin.register(ClockPolicy)
class ClockPolicyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["pathway", "kind", "variant", "due", "warning", "updated_at"]
    list_filter = ["pathway", "kind"]
    readonly_fields = ["example", "updated_at"]
    fields = [
        "pathway",
        "kind",
        "variant",
        "amount",
        "unit",
        "warning_amount",
        "warning_unit",
        "warning_anchor",
        "example",
        "updated_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        # Which clock a row is never changes: only its rule does.
        if obj is not None:
            return ["pathway", "kind", "variant", *self.readonly_fields]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Due")
    def due(self, obj):
        return obj.to_rule().describe()

    @admin.display(description="Warning")
    def warning(self, obj):
        return obj.to_rule().describe_warning()

    @admin.display(description="Example: a clock starting now")
    def example(self, obj):
        if obj is None or obj.pk is None:
            return "Save to see an example."
        result = compute(obj.to_rule(), timezone.now(), working_calendar())
        return result.explanation


@admin.register(ClosureDay)
class ClosureDayAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["date", "name"]
    date_hierarchy = "date"


class ClockPauseInline(admin.TabularInline):
    model = ClockPause
    extra = 0
    can_delete = False
    fields = ["paused_at", "resumed_at", "reason", "paused_by", "resumed_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Deadline)
class DeadlineAdmin(ReferralRecordAdminMixin, admin.ModelAdmin):
    list_display = [
        "referral",
        "kind",
        "variant",
        "starts_at",
        "warning_at",
        "due_at",
        "met_at",
        "breached_at",
        "paused_at",
    ]
    list_filter = ["kind"]
    list_select_related = ["referral"]
    search_fields = ["referral__reference"]
    inlines = [ClockPauseInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ContactPoint)
class ContactPointAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "pathway", "phone", "hours", "order"]
    list_editable = ["phone", "hours", "order"]


class ThresholdLevelChangeInline(admin.TabularInline):
    """The level's history: every save, who made it, the row before and after."""

    model = ThresholdLevelChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "changed_by", "action", "before", "after"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ThresholdLevel)
class ThresholdLevelAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The children's levels of need (the partnership's threshold document): staff record one
    with each MASH decision, referrers may suggest one. A level in use is made inactive, not
    deleted, so decisions already made keep their words."""

    list_display = ["number", "name", "code", "guidance_url", "active"]
    list_display_links = ["name"]
    list_editable = ["active"]
    readonly_fields = ["updated_at"]
    inlines = [ThresholdLevelChangeInline]

    def get_readonly_fields(self, request, obj=None):
        # The code is what decisions and referrals store: fixed once made.
        return ["code", *self.readonly_fields] if obj is not None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Before and after, who and when: kept in the level's history (also for the list's
        # "active" column, which saves through here).
        before = threshold_level_snapshot(
            ThresholdLevel.objects.filter(pk=obj.pk).first() if change else None)
        super().save_model(request, obj, form, change)
        threshold_level_history_write(level=obj, before=before, actor=request.user,
                                      action="changed" if change else "added")


@admin.register(ThresholdLevelChange)
class ThresholdLevelChangeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Every threshold level change, newest first, read-only."""

    list_display = ["changed_at", "level", "action", "changed_by"]
    list_filter = ["action"]
    readonly_fields = ["level", "action", "before", "after", "changed_by", "changed_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ParallelDuty)
class ParallelDutyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Issue 16, part 4: the parallel duties' words, contacts and thresholds. A duty that has
    been triggered cannot be deleted (its checklist items point at it): make it inactive."""

    list_display = ["name", "key", "trigger", "threshold", "obligation", "contact", "active",
                    "order"]
    list_editable = ["active", "order"]
    readonly_fields = ["key"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []


@admin.register(RiskQuestion)
class RiskQuestionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The domestic abuse risk checklist's questions (paraphrasing the SafeLives DASH RIC):
    the council may load its own licensed wording here."""

    list_display = ["number", "text", "active"]
    list_editable = ["text", "active"]


class RoutingRuleChangeInline(admin.TabularInline):
    """The rule's history: every save and who made it (written by the admin below)."""

    model = RoutingRuleChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "changed_by", "action", "snapshot"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Council administrators change routing here (issue 16, docs/routing.md). `manage.py
    routing explain` shows the effect; each save and deletion is kept in the rule's history."""

    list_display = ["order", "name", "kind", "team", "flag", "min_age", "max_age", "active"]
    list_display_links = ["name"]
    list_filter = ["kind", "active", "team"]
    ordering = ["order"]
    inlines = [RoutingRuleChangeInline]
    fields = ["order", "name", "kind", "active", "age_known", "min_age", "max_age", "main_needs",
              "allegation_about_worker", "unborn", "team", "flag", "reason", "source",
              "updated_at"]
    readonly_fields = ["updated_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        routing_rule_history_write(rule=obj, actor=request.user,
                                   action="changed" if change else "added")

    def delete_model(self, request, obj):
        routing_rule_history_write(rule=obj, actor=request.user, action="deleted")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for rule in queryset:
            routing_rule_history_write(rule=rule, actor=request.user, action="deleted")
        super().delete_queryset(request, queryset)


@admin.register(RoutingRuleChange)
class RoutingRuleChangeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Every routing rule change, newest first, read-only."""

    list_display = ["changed_at", "rule_name", "action", "changed_by"]
    list_filter = ["action"]
    readonly_fields = ["rule", "rule_name", "action", "snapshot", "changed_by", "changed_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
