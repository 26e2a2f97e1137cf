"""Learning from referrers: rate a referral just sent, the feedback link on every page, the
guidance page, and the administrators' page of organisations to contact. Thin: parse, call a
service or selector, render."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.views import defaults
from django.views.decorators.http import require_GET

from audit.services import audit_record
from core.vocabulary import AuditAction
from referrals import access
from referrals.access import Need

from . import selectors, services
from .forms import PageFeedbackForm, RateForm

THANKS = "Thank you for your feedback. We read every answer to improve the service."


@require_GET
def guidance(request):
    sections = [(section, selectors.guidance_blocks(section.body))
                for section in selectors.guidance_sections()]
    return render(request, "learning/guidance.html", {"sections": sections})


def _page_name(request) -> str:
    """The URL name of the page the feedback link was followed from (from the Referer, on
    this site only), never its address: addresses can hold ids."""
    referer = request.META.get("HTTP_REFERER", "")
    parts = urlsplit(referer)
    if not referer or (parts.netloc and parts.netloc != request.get_host()):
        return ""
    try:
        match = resolve(parts.path)
    except Resolver404:
        return ""
    return match.view_name if match.view_name != "learning:give-feedback" else ""


def give_feedback(request):
    """The feedback link's short form, signed in or not (rate-limited: portal.ratelimits)."""
    if request.method == "POST":
        form = PageFeedbackForm(request.POST)
        if form.is_robot():  # answered as if accepted, stored nowhere
            return redirect("learning:thanks")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.page_feedback_give(user=request.user, rating=data["rating"],
                                            comment=data["comment"], page=data["page"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("learning:thanks")
    else:
        form = PageFeedbackForm(initial={"page": _page_name(request)})
    return render(request, "learning/give_feedback.html", {"form": form})


@require_GET
def thanks(request):
    return render(request, "learning/thanks.html")


@login_required
def rate(request, referral_pk):
    """ "How was making this referral?" after sending it: the referrer only, once."""
    referral = access.referral_load(request.user, referral_pk, Need.OWN,
                                    related=("organisation",))
    if referral is None or referral.is_draft:
        raise Http404("No referral of yours has that number.")
    if services.referral_rated(referral=referral):
        messages.success(request, "You have already told us how making this referral was. "
                                  "Thank you.")
        return redirect("referrals:confirmation", pk=referral.pk)
    form = RateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_rate(referral=referral, actor=request.user,
                                   rating=form.cleaned_data["rating"],
                                   comment=form.cleaned_data["comment"])
        except services.AlreadyRated:
            pass
        except ValidationError as error:
            form.add_error(None, error)
        if not form.errors:
            messages.success(request, THANKS)
            return redirect("referrals:confirmation", pk=referral.pk)
    # A look at a page naming the referral, like the confirmation page (the rating itself is
    # kept by the day only, so this row does not name who gave it).
    audit_record(action=AuditAction.REFERRAL_VIEWED, request=request, referral=referral,
                 detail={"page": "rate"})
    return render(request, "learning/rate.html", {"referral": referral, "form": form})


@login_required
@require_GET
def organisations(request):
    """For council administrators: what referrers tell us, organisations whose referrals have
    fallen, and those that have stopped referring, so the council can reach out."""
    if not access.is_administrator(request.user):
        audit_record(action=AuditAction.DASHBOARD_VIEWED, request=request, allowed=False,
                     detail={"page": "learning:organisations"})
        return defaults.permission_denied(
            request, PermissionDenied("This page is for council administrators."))
    now = timezone.now()
    since, quiet = selectors.organisations_quiet(now=now)
    year_ago = selectors._year_before(now)
    audit_record(action=AuditAction.DASHBOARD_VIEWED, request=request,
                 detail={"page": "learning:organisations"})
    return render(request, "learning/organisations.html", {
        "fallen": selectors.organisations_fallen(now=now), "quiet": quiet,
        "quiet_since": since, "quiet_months": selectors.quiet_months(),
        "ratings": selectors.ratings_summary(since=year_ago, now=now),
        "comments": selectors.recent_comments(since=year_ago, now=now),
    })
