"""Account pages: sign-up, email confirmation, approvals, password reset. Thin: forms parse,
services decide."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from . import selectors, services, throttle
from .forms import (
    REFUSE,
    DecisionForm,
    NewPasswordForm,
    ResendVerificationForm,
    ResetRequestForm,
    SignInForm,
    SignUpForm,
)
from .models import Membership


def council_admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not request.user.is_council_admin:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm

    def form_valid(self, form):
        response = super().form_valid(form)
        throttle.device_remember(response, self.request, username=form.get_user().email)
        return response


@require_http_methods(["GET", "POST"])
def sign_up(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.referrer_sign_up(
            full_name=data["full_name"], email=data["email"], password=data["password1"],
            job_title=data["job_title"], phone=data["phone"],
            organisation=data["organisation"],
            new_organisation_name=data.get("new_organisation_name", ""),
            new_organisation_sector=data.get("new_organisation_sector", ""),
            now=timezone.now(), request=request,
        )
        # Same page whether or not the address already had an account.
        return redirect("accounts:sign-up-done")
    return render(request, "accounts/sign_up.html", {"form": form})


def check_email(request):
    return render(request, "accounts/check_email.html")


def verify(request, token):
    """Following the emailed link confirms the address. Safe to follow twice."""
    try:
        user = services.email_verify(token=token, now=timezone.now(), request=request)
    except services.VerificationFailed as failure:
        return render(request, "accounts/verify_failed.html", {"expired": failure.expired},
                      status=400)
    membership = Membership.objects.filter(user=user).select_related("organisation").first()
    return render(request, "accounts/verify_done.html", {"membership": membership})


@require_http_methods(["GET", "POST"])
def verify_resend(request):
    form = ResendVerificationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.verification_resend(email=form.cleaned_data["email"], request=request)
        return redirect("accounts:sign-up-done")
    return render(request, "accounts/verify_resend.html", {"form": form})


@council_admin_required
def approvals(request):
    return render(request, "accounts/approvals.html", {
        "memberships": selectors.memberships_awaiting_approval(),
        "counts": selectors.approval_counts(),
    })


@council_admin_required
@require_http_methods(["GET", "POST"])
def approval_decide(request, membership_pk):
    membership = get_object_or_404(
        Membership.objects.select_related("user", "organisation", "decided_by"), pk=membership_pk
    )
    form = DecisionForm(request.POST if request.method == "POST" else None)
    problem = None
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        try:
            if form.cleaned_data["decision"] == REFUSE:
                services.membership_refuse(membership=membership, actor=request.user,
                                           reason=form.cleaned_data["reason"], now=now,
                                           request=request)
                messages.success(request, f"You refused {membership.user.full_name}'s request. "
                                          "They have been told by email.")
            else:
                services.membership_approve(membership=membership, actor=request.user,
                                            role=form.role, now=now, request=request)
                messages.success(request, f"{membership.user.full_name} can now make referrals. "
                                          "They have been told by email.")
            return redirect("accounts:approvals")
        except services.ApprovalError as error:
            problem = str(error)
    return render(request, "accounts/approval_decide.html",
                  {"membership": membership, "form": form, "problem": problem})


class ResetRequestView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    form_class = ResetRequestForm
    success_url = reverse_lazy("accounts:password-reset-done")

    def form_valid(self, form):
        # Not Django's form.save(): it sends the email inside the request (slower for a known
        # address) with a link built from the request's Host header. The service queues it.
        services.password_reset_request(email=form.cleaned_data["email"], request=self.request)
        return redirect(self.success_url)


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_reset_record(user=form.user, request=self.request)
        return response
