"""Administrators register API clients and their webhook endpoints here; secrets are shown
once, in the message after saving. Webhook deliveries are listed (failures first to find) and
can be replayed. django-oauth-toolkit's own admin pages are removed: clients are managed only
here, through api.services, so every change is audited."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from oauth2_provider import models as oauth_models

from audit.admin_mixins import AuditedAdminMixin
from audit.services import audit_record
from core.vocabulary import AuditAction, Pathway
from outbox.models import NoticeStatus, WebhookDelivery, WebhookEndpoint
from outbox.webhooks import webhook_replay

from . import services
from .models import ApiClient, Scope
from .webhook_types import EVENT_TYPE_CHOICES

for _model in (oauth_models.get_application_model(), oauth_models.get_access_token_model(),
               oauth_models.get_refresh_token_model(), oauth_models.get_grant_model(),
               oauth_models.get_id_token_model()):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class ApiClientForm(forms.ModelForm):
    pathways = forms.MultipleChoiceField(choices=Pathway.choices,
                                         widget=forms.CheckboxSelectMultiple)
    scopes = forms.MultipleChoiceField(choices=Scope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiClient
        fields = ["name", "pathways", "scopes", "rate_per_minute"]


@admin.register(ApiClient)
class ApiClientAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = ApiClientForm
    list_display = ["name", "client_id", "pathways", "scopes", "suspended_at", "created_at"]
    readonly_fields = ["client_id", "suspended_at", "created_by", "created_at"]
    actions = ["suspend", "resume", "renew_secret"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.client_change(client=obj, pathways=data["pathways"], scopes=data["scopes"],
                                   actor=request.user, request=request)
            return
        client, secret = services.client_register(
            name=data["name"], pathways=data["pathways"], scopes=data["scopes"],
            rate_per_minute=data.get("rate_per_minute"), actor=request.user, request=request)
        obj.pk, obj.application = client.pk, client.application
        obj._state.adding = False
        messages.warning(request, f"Client id: {client.client_id} — client secret: {secret} "
                                  "(shown once: copy it now into the system's configuration).")

    def has_delete_permission(self, request, obj=None):
        return False  # suspend instead: the audit names the client for as long as it exists

    @admin.action(description="Suspend the selected clients (revokes their tokens)")
    def suspend(self, request, queryset):
        for client in queryset.filter(suspended_at__isnull=True):
            services.client_suspend(client=client, actor=request.user, request=request)

    @admin.action(description="Resume the selected clients")
    def resume(self, request, queryset):
        for client in queryset.filter(suspended_at__isnull=False):
            services.client_resume(client=client, actor=request.user, request=request)

    @admin.action(description="Issue a new client secret (the old one stops working)")
    def renew_secret(self, request, queryset):
        for client in queryset:
            secret = services.client_secret_renew(client=client, actor=request.user,
                                                  request=request)
            messages.warning(request, f"{client.name}: new client secret {secret} (shown once).")


class EndpointForm(forms.ModelForm):
    client = forms.ModelChoiceField(queryset=ApiClient.objects.all())
    url = forms.URLField(max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        choices=[(t, t) for t in EVENT_TYPE_CHOICES], widget=forms.CheckboxSelectMultiple,
        required=False, help_text="None chosen: every type.")

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["client"].initial = ApiClient.objects.filter(
                application_id=self.instance.application_id).first()
            self.fields["event_types"].initial = self.instance.event_types

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not url.startswith("https://") and not url.startswith("http://127.0.0.1"):
            raise forms.ValidationError("Enter an https:// address.")
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = EndpointForm
    list_display = ["pk", "url", "application", "event_types", "pathways", "active",
                    "client_suspended"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            obj.event_types = sorted(data["event_types"])
            obj.save()
            return
        endpoint, secret = services.endpoint_register(
            client=data["client"], url=data["url"], event_types=data["event_types"],
            actor=request.user, request=request)
        obj.pk, obj.application_id = endpoint.pk, endpoint.application_id
        obj._state.adding = False
        messages.warning(request, f"Signing secret for endpoint {endpoint.pk}: {secret} "
                                  "(shown once).")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "event_type", "referral_id", "endpoint", "status", "attempts",
                    "last_status_code", "last_error", "created_at", "sent_at"]
    list_filter = ["status", "event_type"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["replay"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Replay the selected deliveries (same id: receivers de-duplicate)")
    def replay(self, request, queryset):
        now = timezone.now()
        for delivery in queryset:
            if webhook_replay(delivery_id=delivery.pk, now=now):
                audit_record(action=AuditAction.WEBHOOK_REPLAYED, request=request, obj=delivery,
                             referral_id=delivery.referral_id,
                             detail={"delivery": delivery.pk,
                                     "was": NoticeStatus(delivery.status).value})
