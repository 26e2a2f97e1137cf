"""The dashboard page and its CSV downloads. Thin: scope, filters, figures, render."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit.services import audit_record
from core.vocabulary import AuditAction

from .csv_export import csv_response
from .figures import Context, sections_for, table_for
from .figures.headline import headlines
from .forms import DashboardFilterForm
from .models import SummaryRefresh
from .scope import NotAllowed, scope_for


def _refuse(request):
    # Returned, not raised: ATOMIC_REQUESTS would roll the audit row back with an exception.
    audit_record(action=AuditAction.DASHBOARD_VIEWED, request=request, allowed=False)
    return render(request, "dashboard/forbidden.html", status=403)


def _context(request, scope, now):
    form = DashboardFilterForm(request.GET or None, scope=scope)
    refresh = SummaryRefresh.objects.first()
    ctx = Context(scope=scope, filters=form.filters(), now=now, use_summary=refresh is not None)
    form = DashboardFilterForm(request.GET or None, scope=scope, categories=ctx.categories())
    return form, ctx, refresh


@login_required
@require_GET
def index(request):
    try:
        scope = scope_for(request.user)
    except NotAllowed:
        return _refuse(request)
    form, ctx, refresh = _context(request, scope, timezone.now())
    audit_record(action=AuditAction.DASHBOARD_VIEWED, request=request,
                 detail={k: v for k, v in ctx.filters.items() if v})
    sections = sections_for(ctx)
    # One section at a time when chosen from the contents (the filters stay in the address);
    # the headline figures are always at the top.
    chosen = request.GET.get("section", "")
    shown = [s for s in sections if s["slug"] == chosen] or sections
    filters = request.GET.copy()
    filters.pop("section", None)
    return render(request, "dashboard/index.html", {
        "form": form, "scope": scope, "ctx": ctx, "window": ctx.window,
        "sections": sections, "shown": shown, "chosen": chosen if shown != sections else "",
        "headlines": headlines(sections), "query": request.GET.urlencode(),
        "filter_query": filters.urlencode(), "refresh": refresh,
    })


@login_required
@require_GET
def table_csv(request, slug):
    try:
        scope = scope_for(request.user)
    except NotAllowed:
        return _refuse(request)
    _, ctx, _ = _context(request, scope, timezone.now())
    table = table_for(ctx, slug)
    if table is None:
        raise Http404("No such table.")
    audit_record(action=AuditAction.DASHBOARD_CSV_DOWNLOADED, request=request, detail={"table": slug})
    stamp = timezone.localdate(ctx.now).isoformat()
    return csv_response(table, filename=f"{slug}-{ctx.filters['grain']}-{stamp}.csv")
