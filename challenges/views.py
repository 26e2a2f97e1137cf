"""Challenge pages: the referrer raises one and takes it further; a team manager answers; the
team's list. Thin: the access policy loads the referral, services write, every look audited."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from audit.services import audit_record
from core.vocabulary import AuditAction
from outbox.wording import when_text
from referrals import access
from referrals.access import Need

from . import selectors
from .forms import AnswerForm, RaiseForm
from .models import Challenge
from .services import (
    challenge_answer,
    challenge_raise,
    challenge_take_further,
    may_answer,
    may_raise,
    tiers_for,
)


def _not_found(request):
    return render(request, "challenges/not_found.html", status=404)


def _load(request, pk, need, *, allowed=None):
    """The referral, with one audit row for the look: allowed, or (when the person reaches the
    referral but `allowed` says no) refused, never both."""
    referral = access.referral_from_request(request, pk, need=need,
                                            action=AuditAction.CHALLENGE_VIEWED,
                                            related=("team", "organisation"))
    if referral is None:
        return None
    if allowed is not None and not allowed(request.user, referral):
        audit_record(action=AuditAction.CHALLENGE_VIEWED, request=request, allowed=False,
                     referral=referral)
        return None
    audit_record(action=AuditAction.CHALLENGE_VIEWED, request=request, referral=referral)
    return referral


@login_required
@require_http_methods(["GET", "POST"])
def raise_(request, pk: int):
    referral = _load(request, pk, Need.FOLLOW)
    if referral is None:
        return _not_found(request)
    if not may_raise(request.user, referral):
        messages.info(request, "This decision cannot be challenged here now: a challenge is "
                               "already running, or no decision has been made yet.")
        return redirect("feedback:status", pk=referral.pk)
    form = RaiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            challenge = challenge_raise(referral=referral, actor=request.user,
                                        reason=form.cleaned_data["reason"], now=timezone.now(),
                                        request=request)
        except ValidationError as error:
            form.add_error("reason" if hasattr(error, "error_dict") else None, error)
        except PermissionDenied:
            return _not_found(request)
        else:
            step = challenge.steps.get()
            messages.success(request, f"Your challenge has been sent. The {step.tier_name.lower()} "
                             f"has been told and should answer by {when_text(step.due_at)}.")
            return redirect("feedback:status", pk=referral.pk)
    return render(request, "challenges/raise.html", {
        "referral": referral, "form": form, "tiers": tiers_for(referral.pathway)})


@login_required
@require_POST
def take_further(request, pk: int):
    referral = _load(request, pk, Need.FOLLOW)
    if referral is None:
        return _not_found(request)
    challenge = referral.challenges.order_by("-raised_at", "-id").first()
    if challenge is None:
        return _not_found(request)
    try:
        step = challenge_take_further(challenge=challenge, actor=request.user,
                                      now=timezone.now(), request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        return _not_found(request)
    else:
        messages.success(request, f"Your challenge has gone to the {step.tier_name.lower()}, "
                                  f"who should answer by {when_text(step.due_at)}.")
    return redirect("feedback:status", pk=referral.pk)


@login_required
@require_http_methods(["GET", "POST"])
def answer(request, pk: int):
    """The referral's latest challenge (one runs at a time), for a manager of its team."""
    referral = _load(request, pk, Need.ACT, allowed=may_answer)
    if referral is None:
        return _not_found(request)
    challenge = Challenge.objects.filter(referral=referral).order_by("-raised_at", "-id").first()
    if challenge is None:
        return _not_found(request)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            challenge_answer(challenge=challenge, actor=request.user,
                             upheld=form.cleaned_data["upheld"],
                             response=form.cleaned_data["response"], now=timezone.now(),
                             request=request)
        except ValidationError as error:
            form.add_error("response" if hasattr(error, "error_dict") else None, error)
        except PermissionDenied:
            return _not_found(request)
        else:
            messages.success(request, "The answer is recorded and the referrer has been told.")
            return redirect("challenges:team")
    return render(request, "challenges/answer.html", {
        "referral": referral, "challenge": challenge, "steps": challenge.steps.all(),
        "form": form})


@login_required
def team(request):
    if not access.team_of(request.user):
        audit_record(action=AuditAction.CHALLENGE_VIEWED, request=request, allowed=False)
        return render(request, "challenges/not_found.html", status=403)
    challenges = list(selectors.team_challenges(request.user)[:200])
    audit_record(action=AuditAction.CHALLENGE_VIEWED, request=request,
                 detail={"challenge_ids": [c.pk for c in challenges]})
    return render(request, "challenges/team.html", {
        "challenges": challenges,
        "answerable": {c.pk for c in challenges if may_answer(request.user, c.referral)},
        "now": timezone.now()})
