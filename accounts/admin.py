from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group

from audit.admin_mixins import AuditedAdminMixin
from mfa.change_notice import account_change_tell

from .models import Membership, Organisation, Team, TeamMembership, User


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_council_admin", "email_verified"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "job_title", "phone", "email_verified")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_council_admin", "is_superuser",
                               "groups")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",),
                             "fields": ("email", "full_name", "password1", "password2")}),)
    filter_horizontal = ("groups",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A new address is how an account is taken over: tell the owner at the old one.
        if change and "email" in form.changed_data:
            account_change_tell(user_id=obj.pk, old_email=form.initial.get("email", ""),
                                changes=["email"])

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        # Django's view redirects only after the new password is saved (and log_change ran).
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, unquote(id))
            if user is not None:
                account_change_tell(user_id=user.pk, old_email=user.email,
                                    changes=["password"])
        return response


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "sector", "verified"]
    list_filter = ["sector", "verified"]
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "status"]
    list_filter = ["status", "role"]
    raw_id_fields = ["user", "decided_by"]


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    raw_id_fields = ["user"]


@admin.register(Team)
class TeamAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Team memberships and roles are changed inline here: the change is audited with the
    team's row, naming the inline (not the person)."""

    list_display = ["name", "pathway", "phone", "show_team_contact_only"]
    inlines = [TeamMembershipInline]


# Groups carry the permissions that roles grant: changes to them are audited like the rest.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedAdminMixin, BaseGroupAdmin):
    pass
