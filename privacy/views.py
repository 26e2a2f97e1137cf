from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from audit.services import audit_record
from core.vocabulary import AuditAction
from referrals import access

from .export import subject_access_export
from .forms import PersonExportForm, PersonSearchForm
from .people import SCOPE, people_search, subject_access_person_export

CONTENT_TYPES = {"json": "application/json", "pdf": "application/pdf"}


def _refused(request, action: str, **detail):
    """A 403 page *returned*, so the audit row of the refusal commits with the request."""
    audit_record(action=action, request=request, allowed=False, detail=detail)
    return render(request, "privacy/refused.html", status=403)


def _download(body: bytes, fmt: str, stem: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    # Ids and a time in the file name, never the person's name (nothing personal in URLs or
    # headers).
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


@login_required
def export(request, user_pk: int, fmt: str):
    """A subject access export for an account holder, downloaded by a council administrator
    (audited)."""
    if not access.is_administrator(request.user):
        return _refused(request, AuditAction.PRIVACY_SUBJECT_ACCESS_EXPORTED, scope="account", user_id=user_pk)
    if fmt not in CONTENT_TYPES:
        return _refused(request, AuditAction.PRIVACY_SUBJECT_ACCESS_EXPORTED, scope="account", user_id=user_pk)
    person = get_object_or_404(get_user_model(), pk=user_pk)
    body = subject_access_export(person=person, actor=request.user, fmt=fmt, request=request)
    return _download(body, fmt, f"subject-access-{person.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def person_search(request):
    """The privacy office finds the referrals naming a person (name and date of birth)."""
    if not access.is_administrator(request.user):
        return _refused(request, AuditAction.PRIVACY_SUBJECT_ACCESS_SEARCHED, scope=SCOPE)
    form = PersonSearchForm(request.POST or None)
    matches = None
    if request.method == "POST" and form.is_valid():
        matches = people_search(actor=request.user, name=form.cleaned_data["name"],
                                dob=form.cleaned_data["dob"], request=request)
    return render(request, "privacy/person_search.html", {"form": form, "matches": matches})


@login_required
@require_POST
def person_export(request):
    """The export (JSON or PDF) of what the portal holds about the person searched for."""
    if not access.is_administrator(request.user):
        return _refused(request, AuditAction.PRIVACY_SUBJECT_ACCESS_EXPORTED, scope=SCOPE)
    form = PersonExportForm(request.POST)
    if not form.is_valid():
        return render(request, "privacy/person_search.html",
                      {"form": form, "matches": None}, status=400)
    fmt = form.cleaned_data["fmt"]
    body = subject_access_person_export(actor=request.user, name=form.cleaned_data["name"],
                                        dob=form.cleaned_data["dob"], fmt=fmt, request=request)
    return _download(body, fmt, f"subject-access-person-{timezone.now():%Y%m%d-%H%M%S}")
