from django.contrib import admin

from .models import FeedbackRecord


@admin.register(FeedbackRecord)
class FeedbackRecordAdmin(admin.ModelAdmin):
    list_display = ("id", "referral", "kind", "withheld", "created_at", "given_at",
                    "given_by_phone")
    list_filter = ("given_by_phone", "withheld", "kind")
    search_fields = ("referral__reference",)
    readonly_fields = [field.name for field in FeedbackRecord._meta.fields]

    def has_add_permission(self, request):
        return False
