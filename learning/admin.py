"""Council administrators keep the guidance page here and can read what referrers told us.
Every look and change is audited (audit.admin_mixins)."""

from django.contrib import admin

from audit.admin_mixins import AuditedAdminMixin

from .models import GuidanceSection, ReferrerFeedback


def _administrator(request) -> bool:
    user = request.user
    return user.is_active and (user.is_council_admin or user.is_superuser)


@admin.register(GuidanceSection)
class GuidanceSectionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The public guidance page (learning:guidance), one row a section."""

    list_display = ("title", "slug", "order", "published", "updated_at")
    list_editable = ("order", "published")
    search_fields = ("title", "body")

    def has_module_permission(self, request):
        return _administrator(request)

    def has_view_permission(self, request, obj=None):
        return _administrator(request)

    def has_add_permission(self, request):
        return _administrator(request)

    def has_change_permission(self, request, obj=None):
        return _administrator(request)

    def has_delete_permission(self, request, obj=None):
        return _administrator(request)


@admin.register(ReferrerFeedback)
class ReferrerFeedbackAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Read only: what referrers told us (counted on the dashboard)."""

    list_display = ("created_at", "source", "rating", "sector", "page", "comment")
    list_filter = ("source", "rating", "sector")
    exclude = ("once_key",)

    def has_module_permission(self, request):
        return _administrator(request)

    def has_view_permission(self, request, obj=None):
        return _administrator(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return _administrator(request)  # a comment that holds personal data can be removed
