"""Pages that belong to the service as a whole: home per role, display options, policies."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from accounts.models import Membership
from accounts.roles import role_of
from accounts.selectors import approval_counts
from core.vocabulary import Role
from ops.selectors import worker_health
from pathways.contacts import contacts_unset

ONE_YEAR = 365 * 24 * 60 * 60

HOME_TEMPLATES = {
    Role.REFERRER: "portal/home_referrer.html",
    Role.ORGANISATION_LEAD: "portal/home_lead.html",
    Role.TRIAGE_WORKER: "portal/home_staff.html",
    Role.TEAM_MANAGER: "portal/home_staff.html",
    Role.COUNCIL_ADMIN: "portal/home_admin.html",
    Role.PENDING: "portal/home_pending.html",
}


def start(request):
    """The service's start page for people who are not signed in."""
    if request.user.is_authenticated:
        return home(request)
    return render(request, "portal/start.html")


@login_required
def home(request):
    info = role_of(request.user)
    context = {"role": info.role, "organisation": info.organisation, "team": info.team}
    if info.role == Role.COUNCIL_ADMIN:
        context["counts"] = approval_counts()
        context["health"] = worker_health(now=timezone.now())
        context["contacts_unset"] = contacts_unset()
    elif info.role == Role.PENDING:
        context["membership"] = Membership.objects.filter(user=request.user).first()
    return render(request, HOME_TEMPLATES[info.role], context)


@require_POST
def display(request):
    """Text size and contrast, kept in cookies so they persist across pages and sessions and
    work without JavaScript (a plain form post and redirect)."""
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    for field, cookie, on in (("text", "display_text", "large"),
                              ("contrast", "display_contrast", "high")):
        value = request.POST.get(field)
        if value is None:
            continue
        if value == on:
            response.set_cookie(cookie, on, max_age=ONE_YEAR, samesite="Lax",
                                secure=settings.SESSION_COOKIE_SECURE, httponly=True)
        else:
            response.delete_cookie(cookie, samesite="Lax")
    return response


def accessibility(request):
    return render(request, "portal/accessibility.html",
                  {"accessibility_contact": settings.COUNCIL_ACCESSIBILITY_CONTACT})


def cookies(request):
    return render(request, "portal/cookies.html")


def privacy(request):
    return render(request, "portal/privacy.html", {"dpo_contact": settings.COUNCIL_DPO_CONTACT})


@require_safe  # GET and HEAD only: a stylesheet, nothing to send to it
def brand_css(request):
    """The council's brand colour (PORTAL_BRAND_COLOUR, checked at start for contrast) as the
    custom property govuk-frontend's header reads; a stylesheet, so style-src stays 'self'."""
    colour = settings.PORTAL_BRAND_COLOUR
    body = f":root{{--govuk-brand-colour:{colour}}}\n" if colour else ""
    response = HttpResponse(body, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response
