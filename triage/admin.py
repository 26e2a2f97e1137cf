"""Council administrators see triage records in Django admin (read-mostly: the services write)."""

from django.contrib import admin

from audit.admin_mixins import ReferralRecordAdminMixin

from .models import Assignment, Decision, DuplicateLink, InternalNote


class ReadOnlyAdmin(ReferralRecordAdminMixin, admin.ModelAdmin):
    """Decisions and their history are written by the workflow services, each with its audit
    row; editing or deleting them here would bypass both. Reading them here is audited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["referral", "action", "outcome", "detail", "decided_by", "decided_at"]
    list_filter = ["action", "outcome"]
    raw_id_fields = ["referral", "feedback", "decided_by"]


@admin.register(InternalNote)
class InternalNoteAdmin(ReadOnlyAdmin):
    list_display = ["referral", "author", "created_at"]
    raw_id_fields = ["referral", "author"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["referral", "kind", "assignee", "previous", "by", "at"]
    list_filter = ["kind"]
    raw_id_fields = ["referral", "assignee", "previous", "by"]


@admin.register(DuplicateLink)
class DuplicateLinkAdmin(ReadOnlyAdmin):
    list_display = ["referral", "kind", "other", "by", "at"]
    list_filter = ["kind"]
    raw_id_fields = ["referral", "other", "by"]
