"""Administrators read the audit in the Django admin too: read-only, no add, change or delete;
the reading is itself audited."""

from django.contrib import admin

from .admin_mixins import AuditedAdminMixin
from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("at", "action", "allowed", "actor", "referral_id", "ip_address", "path")
    list_filter = ("allowed", "action")
    search_fields = ("=referral_id", "action")
    date_hierarchy = "at"
    list_select_related = ("actor",)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and (
            request.user.is_council_admin or request.user.is_superuser
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)
