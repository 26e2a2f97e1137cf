from django.contrib import admin

from audit.admin_mixins import AuditedAdminMixin

from .models import Consultation


@admin.register(Consultation)
class ConsultationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Read-only: requests change through their pages. The question stays on those pages."""

    list_display = ("reference", "team", "urgency", "state", "requested_at", "due_at",
                    "answered_at", "missed_at")
    list_filter = ("pathway", "state", "urgency")
    search_fields = ("reference",)
    exclude = ("question", "advice", "contact_phone", "best_time")
    readonly_fields = ("reference", "requester", "organisation", "team", "pathway", "urgency",
                       "requested_at", "rule", "due_at", "warning_at", "state", "answered_at",
                       "answered_by", "draft", "missed_at")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
