"""The referrer's pages: my referrals, a referral's status, add information, chase; the
organisation lead's list; everyone's portal notices; administrators' failed notices.

Thin: selectors read (permission-scoped), services write, every view of a referral audited.
A refusal is answered with a 404 page *returned* (not raised) so the audit row of the refused
look commits with the request.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.recipients import follow_up_person
from audit.services import audit_record
from challenges import selectors as challenge_selectors
from core.vocabulary import AuditAction, Status
from outbox.write import notices_mark_read
from referrals import access
from referrals.access import Need
from referrals.display import draft_summary
from referrals.models import Referral

from . import selectors
from .followup import colleagues_for, referral_follow_up_pass
from .forms import FollowUpForm, InformationForm, PhoneFeedbackForm, WorseForm
from .listing import listing, search_remember
from .services import feedback_give_by_phone, notice_retry_failed
from .updates import referral_chase, referral_information_add
from .worse import referral_worsen

WORSE_DONE = "feedback_worse_done"


def _not_found(request, pk: int, action: str):
    audit_record(action=action, request=request, allowed=False, referral_id=pk)
    return render(request, "feedback/not_found.html", status=404)


def _referral_or_none(request, pk: int, action: str):
    referral = access.referral_load(request.user, pk, Need.FOLLOW, related=("team", "organisation"))
    if referral is not None:
        audit_record(action=action, request=request, referral=referral)
    return referral


@login_required
def my_referrals(request):
    if request.method == "POST":  # the search: its text may be a name, so never in the URL
        return redirect(search_remember(request, "my-referrals"))
    found = listing(request, selectors.with_feedback_detail(
        access.referrals_of_referrer(request.user)), by_name=True, key="my-referrals")
    submitted = list(found.page)
    audit_record(action=AuditAction.FEEDBACK_MY_REFERRALS_VIEWED, request=request,
                 detail={"referral_ids": [r.pk for r in submitted]})
    return render(request, "feedback/my_referrals.html", {
        "drafts": [draft_summary(draft, today=timezone.localdate())
                   for draft in access.drafts_of(request.user)],
        "submitted": submitted,
        "listing": found,
        "now": timezone.now(),
    })


@login_required
def status(request, pk: int):
    referral = _referral_or_none(request, pk, AuditAction.REFERRAL_STATUS_VIEWED)
    if referral is None:
        return _not_found(request, pk, AuditAction.REFERRAL_STATUS_VIEWED)
    now = timezone.now()
    return render(request, "feedback/status.html", {
        "referral": referral,
        "status_words": selectors.status_words(referral),
        "timeline": selectors.timeline_for_referrer(referral),
        "feedback": selectors.feedback_for_referrer(referral),
        "consent_withheld": selectors.consent_withheld(referral),
        "deadlines": selectors.deadlines_open_of(referral),
        "clock_words": selectors.CLOCK_WORDS,
        "contact": selectors.contact_for(referral),
        "missed": selectors.deadline_missed(referral, now),
        "is_open": referral.status in Status.open(),
        "challenge_view": challenge_selectors.for_follower(request.user, referral),
        "may_pass_follow_up": access.may_pass_follow_up(request.user, referral),
        "follow_up_person": follow_up_person(referral),
    })


@login_required
@require_http_methods(["GET", "POST"])
def follow_up(request, pk: int):
    """The organisation's lead hands a referral's follow-up to a colleague (feedback.followup).
    Anyone else, or another organisation's referral, reads as "no such referral"."""
    referral = access.referral_load(request.user, pk, Need.FOLLOW,
                                    related=("team", "organisation", "referrer", "follower"))
    if referral is None or not access.may_pass_follow_up(request.user, referral):
        return _not_found(request, pk, AuditAction.REFERRAL_FOLLOW_UP_VIEWED)
    audit_record(action=AuditAction.REFERRAL_FOLLOW_UP_VIEWED, request=request, referral=referral)
    colleagues = list(colleagues_for(referral))
    form = FollowUpForm(request.POST if request.method == "POST" else None,
                        colleagues=colleagues)
    if request.method == "POST" and form.is_valid():
        try:
            referral_follow_up_pass(referral=referral, actor=request.user,
                                    colleague_id=form.cleaned_data["colleague"],
                                    now=timezone.now(), request=request)
        except ValidationError as error:
            form.add_error("colleague" if hasattr(error, "error_dict") else None, error)
        except PermissionDenied:
            return _not_found(request, pk, AuditAction.REFERRAL_FOLLOW_UP_PASSED)
        else:
            person = follow_up_person(Referral.objects.select_related("referrer", "follower")
                                      .get(pk=referral.pk))
            messages.success(request, f"{person.full_name} now follows up referral "
                                      f"{referral.reference} and will be told what happens next.")
            return redirect("feedback:status", pk=referral.pk)
    return render(request, "feedback/follow_up.html", {
        "referral": referral, "form": form, "colleagues": colleagues,
        "current": follow_up_person(referral)})


@login_required
@require_http_methods(["GET", "POST"])
def information_add(request, pk: int):
    referral = _referral_or_none(request, pk, AuditAction.REFERRAL_ADD_INFORMATION_VIEWED)
    if referral is None:
        return _not_found(request, pk, AuditAction.REFERRAL_ADD_INFORMATION_VIEWED)
    form = InformationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            referral_information_add(referral=referral, actor=request.user,
                                     text=form.cleaned_data["text"], now=timezone.now(),
                                     upload=form.cleaned_data.get("file"), request=request)
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied:
            return _not_found(request, pk, AuditAction.REFERRAL_INFORMATION_ADDED)
        else:
            messages.success(request, "Your information has been added. The team has been told.")
            return redirect("feedback:status", pk=referral.pk)
    return render(request, "feedback/add_information.html", {"referral": referral, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def chase(request, pk: int):
    referral = _referral_or_none(request, pk, AuditAction.REFERRAL_CHASE_VIEWED)
    if referral is None:
        return _not_found(request, pk, AuditAction.REFERRAL_CHASE_VIEWED)
    now = timezone.now()
    context = {
        "referral": referral,
        "missed": selectors.deadline_missed(referral, now),
        "clock_words": selectors.CLOCK_WORDS,
        "contact": selectors.contact_for(referral),
        "escalation_route": settings.FEEDBACK_ESCALATION_ROUTE,
        "error": "",
        "result": None,
    }
    if request.method == "POST":
        try:
            context["result"] = referral_chase(referral=referral, actor=request.user, now=now,
                                               request=request)
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
        except PermissionDenied:
            return _not_found(request, pk, AuditAction.REFERRAL_CHASED)
    return render(request, "feedback/chase.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def worse(request, pk: int):
    """"Things have got worse": re-flag as urgent, with what changed (feedback.worse)."""
    referral = _referral_or_none(request, pk, AuditAction.REFERRAL_STATUS_VIEWED)
    if referral is None:
        return _not_found(request, pk, AuditAction.REFERRAL_STATUS_VIEWED)
    form = WorseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = referral_worsen(referral=referral, actor=request.user,
                                     what_changed=form.cleaned_data["what_changed"],
                                     now=timezone.now(), request=request)
        except ValidationError as error:
            form.add_error("what_changed" if hasattr(error, "error_dict") else None, error)
        except PermissionDenied:
            return _not_found(request, pk, AuditAction.REFERRAL_WORSENED)
        else:
            # Kept in the session for the confirmation page (post, redirect, get).
            request.session[WORSE_DONE] = {"referral": referral.pk, "lines": result.sentences()}
            return redirect("feedback:worse-done", pk=referral.pk)
    return render(request, "feedback/worse.html", {
        "referral": referral, "form": form, "is_open": referral.status in Status.open()})


@login_required
def worse_done(request, pk: int):
    referral = _referral_or_none(request, pk, AuditAction.REFERRAL_STATUS_VIEWED)
    done = request.session.get(WORSE_DONE) or {}
    if referral is None or done.get("referral") != referral.pk:
        if referral is None:
            return _not_found(request, pk, AuditAction.REFERRAL_STATUS_VIEWED)
        return redirect("feedback:status", pk=referral.pk)
    return render(request, "feedback/worse_done.html",
                  {"referral": referral, "lines": done["lines"]})


@login_required
@require_http_methods(["GET", "POST"])
def phone_feedback(request, pk: int):
    """Staff record feedback given by phone (referrers for whom email is not safe)."""
    referral = access.referral_load(request.user, pk, Need.ACT, related=("referrer", "team"))
    if referral is None:
        return _not_found(request, pk, AuditAction.FEEDBACK_PHONE_VIEWED)
    audit_record(action=AuditAction.FEEDBACK_PHONE_VIEWED, request=request, referral=referral)
    form = PhoneFeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            feedback_give_by_phone(referral=referral, actor=request.user, given_at=timezone.now(),
                                   summary=form.cleaned_data["summary"], request=request)
        except ValidationError as error:
            form.add_error("summary", error)
        else:
            messages.success(request, f"Feedback given by phone is recorded for {referral.reference}.")
            return redirect("feedback:give-by-phone", pk=referral.pk)
    return render(request, "feedback/phone_feedback.html", {
        "referral": referral, "form": form,
        "outstanding": referral.feedback_records.filter(given_at__isnull=True),
        "given": referral.feedback_records.filter(given_at__isnull=False),
        "referrer_phone": referral.referrer_phone or referral.referrer.phone,
    })


@login_required
def organisation(request):
    organisation = access.lead_organisation(request.user)
    if organisation is None:
        audit_record(action=AuditAction.FEEDBACK_ORGANISATION_VIEWED, request=request, allowed=False)
        return render(request, "feedback/not_found.html", status=403)
    if request.method == "POST":
        return redirect(search_remember(request, "organisation"))
    found = listing(request, selectors.with_feedback_detail(
        access.referrals_of_organisation(request.user)).select_related("referrer"),
        by_name=False, key="organisation")
    referrals = list(found.page)
    audit_record(action=AuditAction.FEEDBACK_ORGANISATION_VIEWED, request=request,
                 detail={"referral_ids": [r.pk for r in referrals]})
    return render(request, "feedback/organisation.html", {
        "organisation": organisation, "referrals": referrals, "listing": found,
        "now": timezone.now(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def notices(request):
    if request.method == "POST":
        notices_mark_read(user=request.user, now=timezone.now())
        messages.success(request, "All your notices are marked as read.")
        return redirect("feedback:notices")
    return render(request, "feedback/notices.html",
                  {"notices": selectors.notices_for(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def notices_failed(request):
    if not access.is_administrator(request.user):
        audit_record(action=AuditAction.NOTICE_FAILED_LIST_VIEWED, request=request, allowed=False)
        return render(request, "feedback/not_found.html", status=403)
    if request.method == "POST":
        try:
            notice_id = int(request.POST.get("notice", ""))
        except ValueError:
            notice_id = 0
        if notice_retry_failed(notice_id=notice_id, actor=request.user, now=timezone.now(),
                               request=request):
            messages.success(request, "The notice will be sent again.")
        return redirect("feedback:notices-failed")
    return render(request, "feedback/notices_failed.html",
                  {"notices": selectors.notices_failed()[:200]})
