"""The dashboard page and its CSV downloads. Thin: scope, filters, figures, render."""

import hashlib

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET

from audit.services import audit_record
from core.replica import replica_reads
from core.vocabulary import AuditAction

from .csv_export import csv_response
from .figures import SECTIONS, Context, sections_for, table_for
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
        # Who may see what is read from the primary, never from a lagging replica.
        scope = scope_for(request.user)
    except NotAllowed:
        return _refuse(request)
    # The figures may be seconds old: read from the replica while it keeps up (core/replica.py).
    # The audit row is a write: it goes to the primary.
    with replica_reads():
        form, ctx, refresh = _context(request, scope, timezone.now())
        audit_record(action=AuditAction.DASHBOARD_VIEWED, request=request,
                     detail={k: v for k, v in ctx.filters.items() if v})
        # Computed only when the rendered figures are not cached (the template's cache blocks,
        # issue 19): lazy, so a cached page runs none of the figure queries.
        sections = SimpleLazyObject(lambda: sections_for(ctx))
        # One section at a time when chosen from the contents (the filters stay in the address);
        # the headline figures are always at the top (issue 18).
        chosen = request.GET.get("section", "")
        if chosen not in {slug for slug, _title, _builders in SECTIONS}:
            chosen = ""
        shown = SimpleLazyObject(
            lambda: [s for s in sections if s["slug"] == chosen] or list(sections))
        filters = request.GET.copy()
        filters.pop("section", None)
        return render(request, "dashboard/index.html", {
            "form": form, "scope": scope, "ctx": ctx, "window": ctx.window,
            "sections": sections, "shown": shown, "chosen": chosen,
            "headlines": SimpleLazyObject(lambda: headlines(list(sections))),
            "figures_key": _figures_key(scope, ctx, refresh), "figures_seconds": _live_seconds(),
            "query": request.GET.urlencode(), "filter_query": filters.urlencode(),
            "refresh": refresh,
        })


def _live_seconds() -> int:
    return max(settings.DASHBOARD_LIVE_SECONDS, 0)


def _figures_key(scope, ctx, refresh) -> str:
    """The rendered figures are the same for the same scope and filters, the same summary
    rebuild and the same minute (DASHBOARD_LIVE_SECONDS, as the open-breach count already is):
    issue 19, docs/performance.md. A new rebuild or the next minute makes a new key."""
    seconds = _live_seconds()
    minute = int(ctx.now.timestamp() // seconds) if seconds else ctx.now.timestamp()
    parts = (repr(scope), sorted((k, str(v)) for k, v in ctx.filters.items()),
             refresh.pk if refresh is not None else None, minute)
    return hashlib.sha256(repr(parts).encode()).hexdigest()


@login_required
@require_GET
def table_csv(request, slug):
    try:
        scope = scope_for(request.user)  # on the primary, as for the page
    except NotAllowed:
        return _refuse(request)
    with replica_reads():
        _, ctx, _ = _context(request, scope, timezone.now())
        table = table_for(ctx, slug)
        if table is None:
            raise Http404("No such table.")
        audit_record(action=AuditAction.DASHBOARD_CSV_DOWNLOADED, request=request,
                     detail={"table": slug})
        stamp = timezone.localdate(ctx.now).isoformat()
        return csv_response(table, filename=f"{slug}-{ctx.filters['grain']}-{stamp}.csv")
