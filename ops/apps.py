from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "Operations"

    def ready(self):
        from . import logconfig, metrics, sweeps  # noqa: F401  (connect signals, register)

        metrics.register()
        logconfig.signals_connect()
