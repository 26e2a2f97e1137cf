from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Notices (outbox)"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import WebhookEndpoint
        from .webhooks import webhooks_listening_forget

        # webhooks_queue skips its endpoint SELECT while the cached flag says none listens.
        for signal in (post_save, post_delete):
            signal.connect(webhooks_listening_forget, sender=WebhookEndpoint,
                           dispatch_uid=f"webhooks_listening_forget_{signal is post_save}")
