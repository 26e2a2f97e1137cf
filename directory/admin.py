"""Administrators keep the directory of services here (or import it: manage.py
import_services). A service no longer offered is made inactive, not deleted: feedback already
given still names it."""

from django.contrib import admin

from audit.admin_mixins import AuditedAdminMixin

from .models import Service


@admin.register(Service)
class ServiceAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "organisation", "area", "phone", "active", "source_id"]
    list_filter = ["active", "area"]
    search_fields = ["name", "organisation", "area", "description", "source_id"]
    readonly_fields = ["updated_at"]

    def has_delete_permission(self, request, obj=None):
        return False
