"""Second-factor devices and sign-in attempts in the Django admin, under the audit.

django-otp and django-axes register their own ModelAdmins; they are registered again here with
the audit mixin (this app comes after theirs in INSTALLED_APPS). A change to someone's
authenticator, backup codes or emailed-code device is also told to that person: an
administrator who set up a device of their own on someone else's account could sign in as them.
Deleting a device stays possible (it is how a lost phone is reset, docs/security.md) and is
audited and told too.
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_email.admin import EmailDeviceAdmin
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.admin_mixins import AuditedAdminMixin

from .change_notice import account_change_tell


def _tell(*user_ids) -> None:
    for user in get_user_model().objects.filter(pk__in={pk for pk in user_ids if pk is not None}):
        account_change_tell(user_id=user.pk, old_email=user.email, changes=["second_factor"])


class DeviceAdminMixin(AuditedAdminMixin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A device moved from one person to another changes both people's sign-in.
        before = form.initial.get("user") if change else None
        _tell(obj.user_id, before if before != obj.user_id else None)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.new_objects or formset.changed_objects or formset.deleted_objects:
            _tell(form.instance.user_id)

    def delete_model(self, request, obj):
        user_id = obj.user_id
        super().delete_model(request, obj)
        _tell(user_id)

    def delete_queryset(self, request, queryset):
        user_ids = list(queryset.values_list("user_id", flat=True))
        super().delete_queryset(request, queryset)
        _tell(*user_ids)


def _again(model, base, mixin=AuditedAdminMixin):
    if not admin.site.is_registered(model):  # e.g. AXES_ENABLE_ADMIN = False
        return
    admin.site.unregister(model)
    admin.site.register(model, type(base.__name__, (mixin, base), {"__module__": __name__}))


_again(TOTPDevice, TOTPDeviceAdmin, DeviceAdminMixin)
_again(StaticDevice, StaticDeviceAdmin, DeviceAdminMixin)
_again(EmailDevice, EmailDeviceAdmin, DeviceAdminMixin)
# Sign-in attempts hold addresses people typed and where from.
_again(AccessAttempt, AccessAttemptAdmin)
_again(AccessLog, AccessLogAdmin)
_again(AccessFailureLog, AccessFailureLogAdmin)
