"""The triage workspace: the team's queue, the staff referral page, its actions, and the
manager's workload page. Views parse input and call services or selectors; every look at a
referral is audited, and a refused look is audited too."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views import defaults
from django.views.decorators.http import require_POST

from accounts.models import User
from audit.services import audit_record
from challenges import selectors as challenge_selectors
from consultations import selectors as consultation_selectors
from core.vocabulary import AuditAction, Status
from pathways import deadlines
from pathways.policies import working_calendar
from referrals import access, workflow
from referrals.access import Need
from referrals.display import answers_display
from referrals.models import DutyState, Referral, ReferralDuty
from referrals.services.duties import referral_duty_record
from referrals.workflow import Action
from triage import transitions

from . import forms, selectors, services

SEARCH_KEY = "triage_search"
# Shown elsewhere on the page, or the form's own bookkeeping.
HIDDEN_FIELDS = {"id", "answers", "categories", "person_name", "reference", "steps_done",
                 "submission_key", "draft_expires_at", "draft_reminded_at", "consent_grounds"}


class Refused(Exception):
    """Access refused after the refusal was audited. Answered with a response rather than an
    exception, so the request's transaction (ATOMIC_REQUESTS) commits the audit row."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def staff_required(view):
    """Signed in and a member of a pathway team; the team is passed to the view."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        try:
            with access.remembered():  # who the person is, read once for the page
                team = access.team_of(request.user)
                if team is None:
                    audit_record(action=AuditAction.TRIAGE_REFUSED, request=request,
                                 allowed=False)
                    raise Refused(403, "The triage workspace is for pathway team staff.")
                return view(request, *args, team=team, **kwargs)
        except Refused as refusal:
            if refusal.status == 404:
                return defaults.page_not_found(request, Http404(str(refusal)))
            return defaults.permission_denied(request, PermissionDenied(str(refusal)))

    return wrapped


def _referral(request, pk: int, need: Need = Need.STAFF_VIEW, *,
              triage_grant: bool = False) -> Referral:
    """The referral if the person's teams may reach it for `need`; otherwise an audited 404.
    `triage_grant`: read the triage permission with it (access.staff_page_reach)."""
    referral = access.referral_from_request(
        request, pk, need=need, action=AuditAction.REFERRAL_VIEWED,
        related=("team", "referrer", "organisation", "assignee"), triage_grant=triage_grant)
    if referral is None:
        raise Refused(404, "No referral you can see has that number.")
    return referral


# --- the queue -------------------------------------------------------------------------------

@staff_required
def queue(request, team):
    now = timezone.now()
    search_form = forms.SearchForm()
    if request.method == "POST":
        if "clear_search" in request.POST:
            request.session.pop(SEARCH_KEY, None)
            return redirect("triage:queue")
        search_form = forms.SearchForm(request.POST)
        if search_form.is_valid():
            data = search_form.cleaned_data
            ids = selectors.search(user=request.user, reference=data["reference"],
                                   name=data["name"], dob=data["dob"],
                                   postcode=data["postcode"])
            # Kept in the session (server side), never the URL: the criteria are personal.
            request.session[SEARCH_KEY] = ids
            audit_record(action=AuditAction.TRIAGE_SEARCHED, request=request,
                         detail={"results": len(ids),
                                 "by": sorted(k for k, v in data.items() if v)})
            return redirect("triage:queue")
    filters = selectors.QueueFilters.from_query(request.GET)
    page = selectors.queue_page(user=request.user, team=team, filters=filters, now=now,
                                after=request.GET.get("after", ""))
    search_ids = request.session.get(SEARCH_KEY)
    results = (selectors.rows_by_ids(user=request.user, ids=search_ids, now=now)
               if search_ids is not None else None)
    audit_record(action=AuditAction.TRIAGE_QUEUE_VIEWED, request=request,
                 detail={"team": team.pk, "rows": [r.pk for r in page.rows]})
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "triage/queue.html", {
        "team": team, "page": page, "filters": filters, "search_form": search_form,
        "search_form_html": None if search_form.is_bound else forms.search_form_blank_html(),
        "results": results, "filter_query": query.urlencode(),
        "status_options": forms.filter_options_html("status", filters.status),
        "category_options": forms.filter_options_html("category", filters.category),
        "is_manager": access.is_manager(request.user, team),
        "consultations": list(consultation_selectors.team_waiting(request.user, team)[:100]),
    })


# --- the staff referral page -----------------------------------------------------------------

def _fields(referral) -> list[tuple[str, str]]:
    """Every submitted field, generically, so new fields show without editing this page."""
    rows = []
    for f in Referral._meta.concrete_fields:
        if f.name in HIDDEN_FIELDS:
            continue
        value = getattr(referral, f.name)
        if value in (None, "", [], {}):
            continue
        if f.choices:
            value = getattr(referral, f"get_{f.name}_display")()
        elif f.name == "status" and value in Status.values:
            value = Status(value).label
        elif isinstance(value, bool):
            value = "Yes" if value else "No"
        rows.append((str(f.verbose_name).capitalize(), value))
    return rows


def _answers(referral) -> list[tuple[str, object]]:
    answers = referral.answers if isinstance(referral.answers, dict) else {}
    return [(str(k).replace("_", " ").replace("-", " ").capitalize(), v)
            for k, v in answers.items()]


def _url(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _attachments(referral) -> list[tuple[str, str]]:
    manager = getattr(referral, "attachments", None)
    if manager is None or not hasattr(manager, "all"):
        return []
    return [(str(getattr(a, "original_name", "") or getattr(a, "name", "") or a),
             _url("referrals:attachment", referral.pk, a.pk)) for a in manager.all()]


@staff_required
def referral_detail(request, pk, team):
    return _referral_page(request, _referral(request, pk, triage_grant=True), team)


def _referral_page(request, referral, team, *, page="triage", duty_problem=None):
    """The staff referral page; `duty_problem` re-renders it after a duty recording the service
    refused (issue 16, part 4): the errors in a summary and on the duty's form, with the choice
    and the reason as typed."""
    now = timezone.now()
    duplicates = selectors.duplicates_for(referral)
    # The role on this referral and which duplicates the person may see, and act on (link and
    # merge are offered only for a duplicate the person may act on too: access.may_link), in
    # one query (access.staff_page_reach).
    role, visible, linkable = access.staff_page_reach(request.user, referral,
                                                      [d.pk for d in duplicates])
    available = workflow.transitions_available(status=referral.status,
                                               pathway=referral.pathway, role=role or "")
    actions, seen = [], set()
    for row in available:
        if row.action not in seen and row.action != Action.WITHDRAW:
            seen.add(row.action)
            actions.append((row.action, Action(row.action).label))
    clocks = list(referral.deadlines.order_by("due_at", "id"))
    calendar = working_calendar()
    for clock in clocks:
        clock.due = deadlines.due_status(clock, now, calendar)
    # Listed twice (the answers' files step and the page's Files), read once.
    prefetch_related_objects([referral], "attachments")
    audit_record(action=AuditAction.REFERRAL_VIEWED, request=request, referral=referral,
                 detail={"page": page})
    fields = _fields(referral)
    return render(request, "triage/referral.html", {
        "duty_problem": duty_problem,
        "referral": referral, "team": team, "role": role, "actions": actions,
        "fields": fields, "answers": _answers(referral),
        # The summary's status: the recorded fields' "Status" row, found here once rather
        # than by a loop over every field in the template.
        "status_text": "".join(str(value) for label, value in fields if label == "Status"),
        "sections": answers_display(referral),
        "categories": [selectors.category_label(c) for c in referral.categories or []],
        "attachments": _attachments(referral), "pdf_url": _url("referrals:pdf", referral.pk),
        # The hand-over bundle (api.export) for a case-management system without the API.
        "bundle_url": _url("handover:bundle", referral.pk)
        if access.may_export(request.user, referral, role=role) else "",
        "events": referral.events.select_related("actor"), "clocks": clocks,
        "notices": referral.notices.order_by("-created_at"),
        "feedback_records": referral.feedback_records.all(),
        "decisions": referral.decisions.select_related("decided_by", "need_level", "feedback"),
        "notes": referral.internal_notes.select_related("author"),
        "note_form": forms.NoteForm(), "duplicates": duplicates, "visible": visible,
        "linkable": linkable,
        "challenges": challenge_selectors.for_staff(referral),
        "duties": referral.duties.select_related("duty", "duty__contact", "recorded_by"),
        "duty_states": [(value, label) for value, label in DutyState.choices
                        if value in DutyState.recordable()],
        "links": referral.duplicate_links.select_related("other"),
        "assign_form": forms.AssignForm(team=referral.team,
                                        initial={"assignee": referral.assignee_id or ""})
        if role == workflow.MANAGER else None,
        "age_band": selectors.age_band(dob=referral.person_dob,
                                       approx=referral.person_age_approx, today=now.date()),
    })


def _other_by_reference(form, user):
    """The link or merge target named in the form, through the access policy: a reference the
    person may not act on reads the same as one that does not exist."""
    other = access.referral_by_reference(user, form.cleaned_data["reference"], Need.STAFF_ACT)
    if other is None:
        form.add_error("reference", "No referral you can act on has that reference")
    return other


def _perform(action, form, referral, request):
    data = form.cleaned_data
    common = {"referral_id": referral.pk, "actor": request.user, "request": request}
    if action == Action.DECIDE:
        return transitions.referral_decide(
            **common, outcome=data["outcome"], detail=data.get("detail", ""),
            rationale=data.get("rationale", ""), feedback=form.feedback(),
            criteria=form.criteria(), need_level=form.need_level())
    if action == Action.CLOSE:
        return transitions.referral_close(**common, reason=data["reason"],
                                          feedback=form.feedback(),
                                          told_by_phone=data.get("told_by_phone", False),
                                          msp_outcome=data.get("msp_outcome", ""))
    if action in (Action.LINK, Action.MERGE):
        other = _other_by_reference(form, request.user)
        if other is None:
            return None
        if action == Action.LINK:
            return transitions.referral_link(**common, other_id=other.pk,
                                             reason=data["reason"])
        return transitions.referral_merge(**common, other_id=other.pk, reason=data["reason"],
                                          feedback=form.feedback())
    if action == Action.RAG_RATE:
        return transitions.referral_rag_rate(**common, rating=data["rating"],
                                             reason=data["reason"])
    if action == Action.INFO_REQUEST:
        return transitions.referral_info_request(**common, question=data["question"])
    if action == Action.INFO_RECEIVE:
        return transitions.referral_info_receive(**common, information=data["information"])
    if action == Action.REROUTE:
        return transitions.referral_reroute(**common, pathway=data["pathway"],
                                            reason=data["reason"])
    if action == Action.PLAN:
        return transitions.referral_plan(**common, reason=data["reason"])
    raise Http404("Unknown action")


def _form_for(action, referral, data=None, initial=None):
    form_class = forms.FORMS[action]
    kwargs = {}
    if action == Action.DECIDE:
        answers = referral.answers if isinstance(referral.answers, dict) else {}
        kwargs = {"pathway": referral.pathway,
                  "suggested_level": str(answers.get("need_level") or "")}
    elif action == Action.CLOSE:
        kwargs = {"pathway": referral.pathway}
    return form_class(data, initial=initial, **kwargs)


@staff_required
def referral_action(request, pk, action, team):
    if action not in forms.FORMS:
        raise Http404("Unknown action")
    referral = _referral(request, pk, Need.STAFF_ACT)
    role = access.role_on(request.user, referral)
    if not any(row.action == action for row in workflow.transitions_available(
            status=referral.status, pathway=referral.pathway, role=role or "")):
        audit_record(action=workflow.audit_action(action), request=request, referral=referral,
                     allowed=False, detail={"status": referral.status})
        messages.error(request, f"{Action(action).label} is not possible now.")
        return redirect("triage:referral", pk=referral.pk)
    initial = {}
    if "other" in request.GET:
        # An id in the query string goes through the policy like any other: the page prints
        # the reference only of a referral the person may act on (an audited refusal else).
        other = access.referral_from_request(request, request.GET["other"],
                                             need=Need.STAFF_ACT, action=AuditAction.REFERRAL_VIEWED)
        initial["reference"] = other.reference if other else ""
    form = _form_for(action, referral, initial=initial)
    if request.method == "POST":
        form = _form_for(action, referral, data=request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    done = _perform(action, form, referral, request)
            except transitions.TransitionForbidden as error:
                audit_record(action=workflow.audit_action(action), request=request, referral=referral,
                             allowed=False)
                raise Refused(403, str(error)) from error
            except transitions.TransitionError as error:
                for field, message in error.errors.items():
                    form.add_error(field if field in form.fields else None, message)
                if not error.errors:
                    form.add_error(None, str(error))
            else:
                if done is not None:
                    messages.success(request, f"{Action(action).label}: done.")
                    return redirect("triage:referral", pk=referral.pk)
    audit_record(action=AuditAction.REFERRAL_VIEWED, request=request, referral=referral,
                 detail={"page": f"action:{action}"})
    return render(request, "triage/action.html", {
        "referral": referral, "form": form, "action": action,
        "action_label": Action(action).label,
        # Making Safeguarding Personal: the closure shows what the adult wanted (the form's
        # answer) above the question whether it was achieved.
        "desired_outcomes": _desired_outcomes(referral) if getattr(form, "asks_msp", False)
        else None,
    })


def _desired_outcomes(referral) -> str:
    answers = referral.answers if isinstance(referral.answers, dict) else {}
    return str(answers.get("adult_wants", "")).strip()


@require_POST
@staff_required
def claim(request, pk, team):
    referral = _referral(request, pk, Need.STAFF_ACT)
    try:
        with transaction.atomic():
            services.referral_claim(referral_id=referral.pk, actor=request.user,
                                    request=request)
    except services.AlreadyClaimed as error:
        messages.error(request, str(error))
    except transitions.TransitionForbidden as error:
        audit_record(action=AuditAction.REFERRAL_CLAIMED, request=request, referral=referral, allowed=False)
        raise Refused(403, str(error)) from error
    except transitions.TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"You have taken referral {referral.reference}.")
    return redirect("triage:referral", pk=referral.pk)


@require_POST
@staff_required
def assign(request, pk, team):
    referral = _referral(request, pk, Need.STAFF_ACT)
    form = forms.AssignForm(request.POST, team=referral.team)
    if not form.is_valid():
        messages.error(request, "Select a member of the team.")
    else:
        value = form.cleaned_data["assignee"]
        assignee = User.objects.filter(pk=int(value)).first() if value else None
        try:
            with transaction.atomic():
                services.referral_assign(referral_id=referral.pk, actor=request.user,
                                         assignee=assignee, request=request)
        except transitions.TransitionForbidden as error:
            audit_record(action=AuditAction.REFERRAL_ASSIGNED, request=request, referral=referral,
                         allowed=False)
            raise Refused(403, str(error)) from error
        except transitions.TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Referral {referral.reference}: "
                                      f"{'assigned to ' + assignee.full_name if assignee else 'released'}.")
    if request.POST.get("next") == "workload":
        return redirect("triage:workload")
    return redirect("triage:referral", pk=referral.pk)


@require_POST
@staff_required
def note(request, pk, team):
    referral = _referral(request, pk, Need.STAFF_ACT)
    form = forms.NoteForm(request.POST)
    if form.is_valid():
        with transaction.atomic():
            services.note_add(referral_id=referral.pk, actor=request.user,
                              text=form.cleaned_data["text"], request=request)
        messages.success(request, "Note added.")
    else:
        messages.error(request, "Enter the note.")
    return redirect(reverse("triage:referral", args=[referral.pk]) + "#notes")


@require_POST
@staff_required
def duty_record(request, pk, duty_pk, team):
    """Issue 16, part 4: a parallel duty on the checklist recorded as done or not needed."""
    referral = _referral(request, pk, Need.STAFF_ACT)
    state, note = request.POST.get("state", ""), request.POST.get("note", "")
    try:
        with transaction.atomic():
            referral_duty_record(referral=referral, duty_id=duty_pk, actor=request.user,
                                 state=state, note=note, request=request)
    except access.OutOfScope as refusal:
        audit_record(action=AuditAction.REFERRAL_VIEWED, request=request, referral=referral,
                     allowed=False, detail={"page": "duty"})
        raise Refused(403, "You cannot act on this referral.") from refusal
    except ReferralDuty.DoesNotExist as missing:
        raise Refused(404, "No such duty on this referral.") from missing
    except ValidationError as invalid:
        # GOV.UK pattern: the page again, with the error summary and what was typed kept.
        errors = {field: problems[0] for field, problems in invalid.message_dict.items()}
        return _referral_page(request, referral, team, page="duty", duty_problem={
            "pk": duty_pk, "state": state, "note": note, "errors": errors})
    else:
        messages.success(request, "Duty recorded.")
    return redirect(reverse("triage:referral", args=[referral.pk]) + "#duties")


# --- managers --------------------------------------------------------------------------------

@staff_required
def workload(request, team):
    if not access.is_manager(request.user, team):
        audit_record(action=AuditAction.TRIAGE_WORKLOAD_VIEWED, request=request, allowed=False)
        raise Refused(403, "The workload page is for team managers.")
    now = timezone.now()
    urgent = selectors.unassigned_urgent(user=request.user, team=team, now=now)
    late = selectors.overdue(user=request.user, team=team, now=now)
    audit_record(action=AuditAction.TRIAGE_WORKLOAD_VIEWED, request=request,
                 detail={"team": team.pk, "rows": [r.pk for r in urgent + late]})
    return render(request, "triage/workload.html", {
        "team": team, "workload": selectors.workload(team=team), "urgent": urgent,
        "overdue": late, "assign_form": forms.AssignForm(team=team),
    })
