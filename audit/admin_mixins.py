"""The Django admin under the audit (issue 14, attack 2).

Every ModelAdmin that shows referral or people data mixes in `AuditedAdminMixin`: each list
page and each object page read there writes one audit row, and each addition, change or
deletion made there writes one, all through the one audit writer. `ReferralRecordAdminMixin`
also refuses deletion: a referral's record (its notes, decisions, feedback, notices, clocks)
is changed only by the workflow services, and is removed only by the retention sweep.

Detail holds ids, the model's label and the names of the changed fields, never values: an
audit row must not copy personal data (docs/security.md).
"""

from django.contrib.admin.utils import unquote

from core.vocabulary import AuditAction

from .services import audit_record

ADMIN_LISTED = AuditAction.ADMIN_LISTED
ADMIN_VIEWED = AuditAction.ADMIN_VIEWED
ADMIN_ADDED = AuditAction.ADMIN_ADDED
ADMIN_CHANGED = AuditAction.ADMIN_CHANGED
ADMIN_DELETED = AuditAction.ADMIN_DELETED

_MAX_IDS = 200  # a list page shows 100 rows unless list_per_page says otherwise


def referral_id_of(obj) -> int | None:
    """The referral a row belongs to, for the audit's referral column."""
    if obj is None:
        return None
    if obj._meta.label == "referrals.Referral":
        return obj.pk
    return getattr(obj, "referral_id", None)


def _field_names(message) -> list:
    """The admin's change message with the objects' names dropped: field and model names only
    (an inline row's name, str(obj), may be a person's name or address)."""
    if not isinstance(message, list):
        return []
    kept = []
    for entry in message:
        for verb, what in entry.items():
            kept.append({verb: {key: value for key, value in what.items()
                                if key in ("fields", "name")}})
    return kept


class AuditedAdminMixin:
    """Put first among the bases, so these methods wrap the admin's own."""

    def _audit(self, request, action, obj=None, **detail):
        audit_record(action=action, request=request, obj=obj, referral_id=referral_id_of(obj),
                     detail={"model": self.model._meta.label_lower, **detail})

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if request.method == "GET" and response.status_code == 200 and changelist is not None:
            rows = list(changelist.result_list)[:_MAX_IDS]
            referral_ids = sorted({rid for rid in map(referral_id_of, rows) if rid is not None})
            self._audit(request, ADMIN_LISTED, ids=[str(row.pk) for row in rows],
                        referral_ids=referral_ids)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        # A GET shows the row; a POST that fails validation shows it again (a change that
        # saves is audited by log_change below).
        if response.status_code == 200:
            obj = getattr(response, "context_data", {}).get("original")
            if obj is not None:
                self._audit(request, ADMIN_VIEWED, obj)
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        if response.status_code == 200:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                self._audit(request, ADMIN_VIEWED, obj, page="history")
        return response

    def delete_view(self, request, object_id, extra_context=None):
        response = super().delete_view(request, object_id, extra_context)
        # The confirmation page lists the row and what would go with it: a read.
        if request.method == "GET" and response.status_code == 200:
            obj = getattr(response, "context_data", {}).get("object")
            if obj is not None:
                self._audit(request, ADMIN_VIEWED, obj, page="delete")
        return response

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._audit(request, ADMIN_ADDED, obj, changes=_field_names(message))
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._audit(request, ADMIN_CHANGED, obj, changes=_field_names(message))
        return entry

    def save_formset(self, request, form, formset, change):
        # Inline rows (a team's memberships and roles) get a row each, with their own ids:
        # the parent's change message names them only by str(), which may be personal.
        going = [(f.instance._meta.label_lower, f.instance.pk) for f in formset.deleted_forms
                 if f.instance.pk is not None]
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            self._audit(request, ADMIN_ADDED, obj, inline_of=str(form.instance.pk))
        for obj, fields in formset.changed_objects:
            self._audit(request, ADMIN_CHANGED, obj, inline_of=str(form.instance.pk),
                        changes=[{"changed": {"fields": list(fields)}}])
        for label, pk in going:
            audit_record(action=ADMIN_DELETED, request=request,
                         detail={"model": label, "id": str(pk),
                                 "inline_of": str(form.instance.pk)})

    def log_deletions(self, request, queryset):
        # Called just before the rows go, with the rows still there: one audit row each.
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            self._audit(request, ADMIN_DELETED, obj)
        return entries


class ReferralRecordAdminMixin(AuditedAdminMixin):
    """A referral's record: readable and audited here, never deleted here. Without delete
    permission Django's admin refuses the delete page (GET and POST) with a 403 and drops the
    "delete selected" action."""

    def has_delete_permission(self, request, obj=None):
        return False
