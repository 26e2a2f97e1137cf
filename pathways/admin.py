from django.contrib import admin

from .models import ContactPoint


@admin.register(ContactPoint)
class ContactPointAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "pathway", "phone", "hours", "order"]
    list_editable = ["phone", "hours", "order"]
