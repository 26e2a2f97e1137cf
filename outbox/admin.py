from django.contrib import admin, messages
from django.utils import timezone

from .models import Notice, NoticeStatus
from .write import notice_retry_failed


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """The outbox. Failed notices are the ones to look at: filter by status."""

    list_display = ("id", "kind", "channel", "status", "referral", "created_at", "sent_at",
                    "attempts", "last_error")
    list_filter = ("status", "channel", "kind")
    search_fields = ("referral__reference",)
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Notice._meta.fields]
    actions = ["send_again"]

    @admin.action(description="Send the selected failed notices again")
    def send_again(self, request, queryset):
        now = timezone.now()
        count = sum(
            notice_retry_failed(notice_id=pk, actor=request.user, now=now, request=request)
            for pk in queryset.filter(status=NoticeStatus.FAILED).values_list("pk", flat=True)
        )
        self.message_user(request, f"{count} notice(s) will be sent again.", messages.SUCCESS)

    def has_add_permission(self, request):
        return False
