from django.contrib import admin

from audit.admin_mixins import AuditedAdminMixin

from .models import Challenge, ChallengeStep, ChallengeTier


@admin.register(ChallengeTier)
class ChallengeTierAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("pathway", "level", "name", "email")
    list_filter = ("pathway",)


class StepInline(admin.TabularInline):
    model = ChallengeStep
    extra = 0
    can_delete = False
    readonly_fields = ("level", "tier_name", "started_at", "due_at", "ended_at", "end",
                       "responded_by")
    fields = readonly_fields


@admin.register(Challenge)
class ChallengeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Read-only: challenges change through their pages (the services write the record)."""

    list_display = ("pk", "referral", "state", "level", "raised_at", "due_at")
    list_filter = ("state", "level", "referral__pathway")
    readonly_fields = ("referral", "raised_by", "raised_at", "state", "level", "due_at",
                       "warning_at", "breached_at", "finished_at")
    exclude = ("reason",)
    inlines = [StepInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
