"""The clocks page for staff: a referral's clocks, why each is due when it is, pause and resume.

Team staff on the referral only (referrals.access.may_act). Every look is audited; a refusal is a
404, which portal.middleware audits for a URL with a referral_id.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.services import audit_record
from core.vocabulary import AuditAction, ClockKind
from referrals import access
from referrals.models import Referral

from .deadlines import ClockError, deadline_explain, deadline_pause, deadline_resume, due_status
from .forms import PauseForm
from .models import Deadline
from .policies import working_calendar


def _staff_referral(request, referral_id) -> Referral:
    referral = access.referral_load(request.user, referral_id, access.Need.ACT)
    if referral is None:
        raise Http404("No such referral for you.")
    return referral


@login_required
def referral_clocks(request, referral_id):
    referral = _staff_referral(request, referral_id)
    now, calendar = timezone.now(), working_calendar()
    clocks = list(
        Deadline.objects.filter(referral=referral)
        .prefetch_related("pauses")
        .order_by("starts_at", "id")
    )
    pausable = [(c.kind, c.label) for c in clocks if c.is_open and not c.is_paused]
    form = PauseForm(request.POST or None, kinds=pausable)
    if request.method == "POST" and form.is_valid():
        try:
            deadline_pause(
                referral=referral,
                kind=form.cleaned_data["kind"],
                at=now,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ClockError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"The {ClockKind(form.cleaned_data['kind']).phrase} clock is paused."
            )
            return redirect("pathways:referral-clocks", referral_id=referral.pk)
    for clock in clocks:
        clock.status = due_status(clock, now, calendar)
        clock.why = deadline_explain(clock, calendar).explanation.splitlines()
        clock.open_pause = next((p for p in clock.pauses.all() if p.resumed_at is None), None)
    audit_record(action=AuditAction.REFERRAL_CLOCKS_VIEWED, request=request, referral=referral)
    return render(
        request,
        "pathways/referral_clocks.html",
        {
            "referral": referral,
            "clocks": clocks,
            "form": form if pausable else None,
        },
    )


@require_POST
@login_required
def clock_resume(request, referral_id):
    referral = _staff_referral(request, referral_id)
    kind = request.POST.get("kind", "")
    try:
        deadline_resume(referral=referral, kind=kind, at=timezone.now(), actor=request.user)
    except (ClockError, ValueError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The {ClockKind(kind).phrase} clock has resumed.")
    return redirect("pathways:referral-clocks", referral_id=referral.pk)
