from django.apps import AppConfig


class MfaConfig(AppConfig):
    name = "mfa"
    verbose_name = "Two-factor sign-in"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .services import session_start_unverified

        # Every password sign-in (including any after a password reset) starts a session with
        # no second factor, whatever the session held before.
        user_logged_in.connect(session_start_unverified, dispatch_uid="mfa-session-start")
