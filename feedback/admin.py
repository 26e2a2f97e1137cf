from django.contrib import admin, messages
from django.utils import timezone

from audit.admin_mixins import ReferralRecordAdminMixin
from outbox.models import Notice, NoticeStatus

from .models import FeedbackRecord
from .services import notice_retry_failed

# The outbox's table, administered here: resending a failed notice is an administrator's
# decision, checked and audited by feedback.services.notice_retry_failed.


@admin.register(Notice)
class NoticeAdmin(ReferralRecordAdminMixin, admin.ModelAdmin):
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


@admin.register(FeedbackRecord)
class FeedbackRecordAdmin(ReferralRecordAdminMixin, admin.ModelAdmin):
    list_display = ("id", "referral", "kind", "withheld", "created_at", "given_at",
                    "given_by_phone")
    list_filter = ("given_by_phone", "withheld", "kind")
    search_fields = ("referral__reference",)
    readonly_fields = [field.name for field in FeedbackRecord._meta.fields]

    def has_add_permission(self, request):
        return False
