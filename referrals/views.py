"""The referrer's pages. Thin: find the referral through the access policy (referrals.access),
parse a form, call a service.

The question pages are driven by referrals.steps (the step registry); none is named here
except the first (it runs before a draft exists).
"""

import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.roles import role_of
from audit.services import audit_record
from core.vocabulary import AuditAction, Status
from pathways.deadlines import deadlines_open_for

from . import duties, services, steps
from .access import Need, referral_load
from .display import answers_display, household_member_text
from .forms import AttachmentForm, UrgencyForm
from .models import Referral
from .pdf import referral_pdf_ready
from .services.attachments import download_name
from .services.drafts import MAY_REFER, may_continue_draft
from .services.submission import submission_problems


def _not_found(request, *, action=None, pk=None):
    """A 404 that still records the refused attempt (raising would roll the audit row back)."""
    if action:
        audit_record(action=action, request=request, allowed=False,
                     detail={"referral_id": pk})
    return render(request, "referrals/not_found.html", status=404)


def _membership_stopped(request, referral):
    """A draft whose referrer's membership was refused or removed after it was started: it
    cannot be continued or sent (issue 14, attack 5); say why and what to do instead."""
    audit_record(action=AuditAction.REFERRAL_DRAFT_REFUSED, request=request, referral=referral,
                 allowed=False, detail={"reason": "membership_not_approved"})
    return render(request, "referrals/membership_stopped.html", {"referral": referral},
                  status=403)


BIGINT_MAX = 2**63 - 1


def _posted_id(request, name: str) -> int | None:
    """A row id from the form, or None if it is not one (a crafted value must be a clear 400,
    never a 500: issue 14, attack 6)."""
    value = request.POST.get(name, "")
    if not value.isascii() or not value.isdigit() or not 0 < int(value) <= BIGINT_MAX:
        return None
    return int(value)


def _bad_request(request, message: str):
    return render(request, "referrals/bad_request.html", {"message": message}, status=400)


def _step_context(referral, step, form, *, change: bool):
    number, total = steps.step_number(referral, step.key)
    before = steps.step_before(referral, step.key) if referral.pk else None
    if change:
        back = reverse("referrals:check", args=[referral.pk])
    elif before is not None:
        back = reverse("referrals:step", args=[referral.pk, before.key])
    else:
        back = reverse("home")
    # Issue 16, part 4: what else the referrer must or may do, on the page after the answer
    # that triggers it (the same engine opens the staff checklist at submission).
    prompts = (duties.prompts_after(referral, before.key, now=timezone.now())
               if referral.pk and before is not None and not change else [])
    return {"referral": referral, "step": step, "form": form, "number": number, "total": total,
            "back_url": back, "change": change, "draft_days": settings.REFERRAL_DRAFT_EXPIRY_DAYS,
            "duty_items": duties.prompt_items(prompts)}


def _next_url(referral, step, *, change: bool) -> str:
    following = steps.step_after(referral, step.key)
    if change or following is None:
        return reverse("referrals:check", args=[referral.pk])
    return reverse("referrals:step", args=[referral.pk, following.key])


@login_required
@require_http_methods(["GET", "POST"])
def start(request):
    """Before any question: 999, the teams' phone numbers, then whether it is urgent."""
    if role_of(request.user).role not in MAY_REFER:
        # Someone awaiting approval (or staff) is told why and whom to phone, not a bare 403.
        return render(request, "referrals/not_yet_able.html",
                      {"role": role_of(request.user).role}, status=403)
    step = steps.BY_KEY["urgency"]
    blank = Referral(referrer=request.user)
    form = UrgencyForm(request.POST or None, referral=blank)
    if request.method == "POST" and form.is_valid():
        referral = services.draft_start(actor=request.user, urgency=form.values(),
                                        now=timezone.now(), request=request)
        return redirect(_next_url(referral, step, change=False))
    return render(request, step.template, _step_context(blank, step, form, change=False))


@login_required
def resume(request, pk):
    referral = referral_load(request.user, pk, Need.DRAFT)
    if referral is None:
        return _not_found(request)
    if not may_continue_draft(referral, request.user):
        return _membership_stopped(request, referral)
    following = steps.first_unfinished(referral)
    if following is None:
        return redirect("referrals:check", pk=referral.pk)
    return redirect("referrals:step", pk=referral.pk, key=following.key)


@login_required
@require_http_methods(["GET", "POST"])
def step(request, pk, key):
    referral = referral_load(request.user, pk, Need.DRAFT)
    current = steps.BY_KEY.get(key)
    if referral is None or current is None:
        return _not_found(request)
    if not may_continue_draft(referral, request.user):
        return _membership_stopped(request, referral)
    if not current.applies(referral):
        return redirect("referrals:resume", pk=referral.pk)
    change = request.GET.get("change") == "1"
    if request.method == "GET":
        audit_record(action=AuditAction.REFERRAL_DRAFT_VIEWED, request=request, referral=referral,
                     detail={"step": key})
    if current.kind == "alleged":
        return _alleged(request, referral, current, change=change)
    if current.kind == "household":
        return _household(request, referral, current, change=change)
    if current.kind == "attachments":
        return _attachments(request, referral, current, change=change)
    form = current.form(request.POST or None, referral=referral)
    if request.method == "POST" and form.is_valid():
        referral = services.draft_save_step(referral=referral, actor=request.user,
                                            step_key=key, values=form.values(),
                                            now=timezone.now(), request=request)
        return redirect(_next_url(referral, current, change=change))
    return render(request, current.template, _step_context(referral, current, form, change=change))


def _mark_done_and_continue(request, referral, current, *, change):
    referral = services.draft_save_step(referral=referral, actor=request.user,
                                        step_key=current.key, values={}, now=timezone.now(),
                                        request=request)
    return redirect(_next_url(referral, current, change=change))


def _alleged(request, referral, current, *, change):
    """Add people one at a time; 'Save and continue' with a blank form adds nobody."""
    action = request.POST.get("action")
    if action == "remove":
        person_id = _posted_id(request, "person")
        if person_id is None:
            return _bad_request(request, "The person to remove was not recognised. Go back to "
                                         "the list of people and try again.")
        services.alleged_person_remove(referral=referral, actor=request.user,
                                       person_id=person_id, request=request)
        return redirect(request.get_full_path())
    form = current.form(request.POST or None, referral=referral)
    if request.method == "POST":
        if action == "continue" and form.is_blank():
            return _mark_done_and_continue(request, referral, current, change=change)
        if form.is_valid():
            services.alleged_person_add(referral=referral, actor=request.user,
                                        values=form.values(), request=request)
            if action == "continue":
                return _mark_done_and_continue(request, referral, current, change=change)
            return redirect(request.get_full_path())
    context = _step_context(referral, current, form, change=change)
    context["people"] = list(referral.alleged_persons.all())
    return render(request, current.template, context)


def _household(request, referral, current, *, change):
    """The GOV.UK "add another" pattern: people added one at a time, each can be changed
    (`?member=ID` opens them in the form) or removed; 'Save and continue' with a blank form
    adds nobody."""
    action = request.POST.get("action")
    if action == "remove":
        member_id = _posted_id(request, "member")
        if member_id is None:
            return _bad_request(request, "The person to remove was not recognised. Go back to "
                                         "the list of people and try again.")
        services.household_member_remove(referral=referral, actor=request.user,
                                         member_id=member_id, request=request)
        return redirect(_household_url(referral, change=change))
    member = None
    if "member" in request.GET:  # changing someone already added
        member_id = request.GET["member"]
        member = (referral.household_members.filter(pk=int(member_id)).first()
                  if member_id.isascii() and member_id.isdigit()
                  and 0 < int(member_id) <= BIGINT_MAX else None)
        if member is None:
            return _not_found(request)
    form = current.form(request.POST or None, referral=referral, member=member)
    if request.method == "POST":
        if member is None and action == "continue" and form.is_blank():
            return _mark_done_and_continue(request, referral, current, change=change)
        if form.is_valid():
            if member is not None:
                services.household_member_change(referral=referral, actor=request.user,
                                                 member_id=member.pk, values=form.values(),
                                                 request=request)
            else:
                services.household_member_add(referral=referral, actor=request.user,
                                              values=form.values(), request=request)
            if action == "continue":
                return _mark_done_and_continue(request, referral, current, change=change)
            return redirect(_household_url(referral, change=change))
    context = _step_context(referral, current, form, change=change)
    # Everyone added, the person being changed included and marked, so the referrer sees
    # whom they are changing among the others.
    context["members"] = [(m, household_member_text(m)) for m in referral.household_members.all()]
    context["member"] = member
    context["list_url"] = _household_url(referral, change=change)
    if member is not None:  # "Back" from changing one person is the list of people
        context["back_url"] = context["list_url"]
    return render(request, current.template, context)


def _household_url(referral, *, change: bool) -> str:
    url = reverse("referrals:step", args=[referral.pk, "household"])
    return f"{url}?change=1" if change else url


def _attachments(request, referral, current, *, change):
    """One file at a time; a rejected file keeps the description typed with it."""
    action = request.POST.get("action")
    if action == "remove":
        attachment_id = _posted_id(request, "attachment")
        if attachment_id is None:
            return _bad_request(request, "The file to remove was not recognised. Go back to "
                                         "the list of files and try again.")
        services.attachment_remove(referral=referral, actor=request.user,
                                   attachment_id=attachment_id, request=request)
        return redirect(request.get_full_path())
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if action == "continue" and "file" not in request.FILES:
            return _mark_done_and_continue(request, referral, current, change=change)
        if form.is_valid():
            try:
                services.attachment_add(referral=referral, actor=request.user,
                                        upload=form.cleaned_data["file"],
                                        description=form.cleaned_data["description"],
                                        request=request)
            except services.AttachmentRejected as rejected:
                form.add_error("file", str(rejected))
            else:
                if action == "continue":
                    return _mark_done_and_continue(request, referral, current, change=change)
                return redirect(request.get_full_path())
    context = _step_context(referral, current, form, change=change)
    context["attachments"] = list(referral.attachments.all())
    context["max_files"] = settings.REFERRAL_ATTACHMENT_MAX_FILES
    context["max_mb"] = settings.REFERRAL_ATTACHMENT_MAX_BYTES // (1024 * 1024)
    return render(request, current.template, context)


@login_required
@require_http_methods(["GET", "POST"])
def check(request, pk):
    if request.method == "POST":
        return _check_post(request, pk)
    referral = referral_load(request.user, pk, Need.OWN,
                             related=("team", "organisation", "referrer"))
    if referral is None:
        return _not_found(request)
    if referral.status == Status.DRAFT and not may_continue_draft(referral, request.user):
        return _membership_stopped(request, referral)
    if referral.status != Status.DRAFT:
        return redirect("referrals:confirmation", pk=referral.pk)
    problems = submission_problems(referral)
    if problems:
        return redirect("referrals:step", pk=referral.pk, key=problems[0][0])
    total = len(steps.steps_for(referral)) + 1
    audit_record(action=AuditAction.REFERRAL_VIEWED, request=request, referral=referral,
                 detail={"page": "check_answers"})
    return render(request, "referrals/check.html", {
        "referral": referral, "sections": answers_display(referral),
        "submission_key": uuid.uuid4(), "number": total, "total": total,
        "duty_items": duties.prompt_items(duties.duties_for(referral, now=timezone.now())),
        "back_url": reverse("referrals:step", args=[referral.pk, steps.steps_for(referral)[-1].key]),
    })


def _check_post(request, pk):
    """Send the draft. Its row is read once, locked, with whether the person may still refer
    (the same answer as may_continue_draft) and the pathway's team (issue 19: 4 statements
    fewer than loading, checking the membership and locking separately)."""
    referral = services.referral_lock_for_submit(request.user, pk)
    if referral is None:
        return _not_found(request)
    if referral.status == Status.DRAFT and not services.may_still_refer(referral, request.user):
        return _membership_stopped(request, referral)
    try:
        key = uuid.UUID(request.POST.get("submission_key", ""))
    except ValueError:
        return _bad_request(request, "The form was incomplete: go back to the check your "
                                     "answers page and try again.")
    try:
        referral = services.referral_submit(referral=referral, actor=request.user,
                                            submission_key=key, request=request)
    except services.SubmissionProblem as problem:
        return redirect("referrals:step", pk=referral.pk, key=problem.problems[0][0])
    return redirect("referrals:confirmation", pk=referral.pk)


@login_required
def confirmation(request, pk):
    referral = referral_load(request.user, pk, Need.OWN,
                             related=("team", "organisation", "referrer"))
    if referral is None or referral.is_draft:
        return _not_found(request)
    audit_record(action=AuditAction.REFERRAL_VIEWED, request=request, referral=referral,
                 detail={"page": "confirmation"})
    # Only the MASH referral sent with this one: staff's duplicate links are internal.
    sent_with = referral.linked_referrals.filter(referrer_id=referral.referrer_id,
                                                 answers__linked_from_adult_referral=True)
    linked = [(r, deadlines_open_for(r).first()) for r in sent_with]
    return render(request, "referrals/confirmation.html", {
        "referral": referral, "deadline": deadlines_open_for(referral).first(), "linked": linked,
        "urgent_told": duties.urgent_told(referral),
        "duty_items": duties.confirmation_items(referral),
    })


@login_required
def pdf(request, pk):
    referral = referral_load(request.user, pk, Need.SEE,
                             related=("team", "organisation", "referrer"))
    if referral is None or referral.is_draft:
        return _not_found(request, action=AuditAction.REFERRAL_PDF_DOWNLOADED, pk=pk)
    document = referral_pdf_ready(referral=referral)
    if document is None:  # the worker is rendering it: say so, and offer it again
        # A look at the referral all the same (its page names it): one row, not a download.
        audit_record(action=AuditAction.REFERRAL_VIEWED, request=request, referral=referral,
                     detail={"pdf": "preparing"})
        return render(request, "referrals/pdf_preparing.html", {"referral": referral})
    audit_record(action=AuditAction.REFERRAL_PDF_DOWNLOADED, request=request, referral=referral)
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{referral.reference}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def attachment(request, pk, attachment_pk):
    referral = referral_load(request.user, pk, Need.SEE,
                             related=("team", "organisation", "referrer"))
    item = referral.attachments.filter(pk=attachment_pk).first() if referral else None
    if item is None:
        return _not_found(request, action=AuditAction.REFERRAL_ATTACHMENT_DOWNLOADED, pk=pk)
    audit_record(action=AuditAction.REFERRAL_ATTACHMENT_DOWNLOADED, request=request, referral=referral,
                 obj=item)
    response = FileResponse(default_storage.open(item.stored_name, "rb"), as_attachment=True,
                            filename=download_name(item), content_type=item.content_type)
    response["Cache-Control"] = "no-store"
    return response
