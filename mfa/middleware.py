"""Send any signed-in but unverified request to the second-factor page."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from .policy import exempt_paths, totp_required
from .services import totp_devices


class SecondFactorMiddleware:
    """After AuthenticationMiddleware and django-otp's OTPMiddleware.

    Staff without an authenticator go to set one up; everyone else to the verify page. With
    settings.MFA_ENFORCED False (test settings only) it does nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.MFA_ENFORCED
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(exempt_paths())
        ):
            if totp_required(user) and not totp_devices(user).exists():
                target = reverse("mfa:setup")
            else:
                target = reverse("mfa:verify")
            return redirect_to_login(request.get_full_path(), target)
        return self.get_response(request)
