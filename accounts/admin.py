from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Membership, Organisation, Team, TeamMembership, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "sector", "verified"]
    list_filter = ["sector", "verified"]
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "status"]
    list_filter = ["status", "role"]
    raw_id_fields = ["user", "decided_by"]


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    raw_id_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "pathway", "phone"]
    inlines = [TeamMembershipInline]
