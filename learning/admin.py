from django.contrib import admin

from .models import GuidanceSection, ReferrerFeedback


@admin.register(GuidanceSection)
class GuidanceSectionAdmin(admin.ModelAdmin):
    """The public guidance page (learning:guidance), one row a section."""

    list_display = ("title", "slug", "order", "published", "updated_at")
    list_editable = ("order", "published")
    search_fields = ("title", "body")


@admin.register(ReferrerFeedback)
class ReferrerFeedbackAdmin(admin.ModelAdmin):
    """Read only: what referrers told us (counted on the dashboard)."""

    list_display = ("created_at", "source", "rating", "sector", "page", "comment")
    list_filter = ("source", "rating", "sector")
    readonly_fields = ("source", "rating", "comment", "organisation", "sector", "page",
                       "signed_in", "created_at")
    exclude = ("once_key",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
