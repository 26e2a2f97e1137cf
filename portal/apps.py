from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"

    def ready(self):
        from .signed_in import connect_signals

        # Every process that can change a person's roles or devices (web, worker, shell)
        # forgets what the signed-in cache holds for them (portal/signed_in.py).
        connect_signals()
