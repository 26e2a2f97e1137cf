"""Requests for advice: the referrer asks and follows; the team answers. Thin: the access
policy decides, services write, every look audited (refusals too)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from audit.services import audit_record
from core.vocabulary import AuditAction

from . import selectors
from .forms import AdviceForm, RequestForm
from .services import consultation_advise, consultation_convert, consultation_request, may_ask


def _refused(request, pk=None, status=404):
    audit_record(action=AuditAction.CONSULTATION_VIEWED, request=request, allowed=False,
                 detail={"consultation": pk} if pk else {})
    return render(request, "consultations/not_found.html", status=status)


@login_required
def mine(request):
    if not may_ask(request.user):
        return _refused(request, status=403)
    consultations = list(selectors.mine(request.user)[:200])
    audit_record(action=AuditAction.CONSULTATION_VIEWED, request=request,
                 detail={"consultation_ids": [c.pk for c in consultations]})
    return render(request, "consultations/mine.html", {"consultations": consultations})


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    if not may_ask(request.user):
        return _refused(request, status=403)
    form = RequestForm(request.POST or None,
                       initial={"contact_phone": request.user.phone})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consultation = consultation_request(
                actor=request.user, team=data["team"], question=data["question"],
                urgency=data["urgency"], contact_phone=data["contact_phone"],
                best_time=data["best_time"], now=timezone.now(), request=request)
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied:
            return _refused(request, status=403)
        else:
            return redirect("consultations:detail", pk=consultation.pk)
    return render(request, "consultations/new.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def detail(request, pk: int):
    consultation, how = selectors.consultation_load(request.user, pk)
    if consultation is None:
        return _refused(request, pk)
    audit_record(action=AuditAction.CONSULTATION_VIEWED, request=request, obj=consultation)
    form = AdviceForm(request.POST or None)
    if request.method == "POST":
        if how != "staff":
            return _refused(request, pk)
        service = consultation_convert if "convert" in request.POST else consultation_advise
        if form.is_valid():
            try:
                service(consultation=consultation, actor=request.user,
                        advice=form.cleaned_data["advice"], now=timezone.now(), request=request)
            except ValidationError as error:
                form.add_error("advice" if hasattr(error, "error_dict") else None, error)
            except PermissionDenied:
                return _refused(request, pk)
            else:
                messages.success(request, "A draft referral has been started for the referrer, "
                                          "and they have been told." if service is consultation_convert
                                 else "The advice is recorded and the referrer has been told.")
                return redirect("triage:queue")
    return render(request, "consultations/detail.html", {
        "consultation": consultation, "staff": how == "staff", "form": form})
