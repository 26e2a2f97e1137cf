"""Baseline views for the benchmarks in bench/ (docs/performance.md).

Routed under /bench/ only when settings.BENCH_VIEWS is true, which `python -m bench` sets for
the gunicorn it starts; never in production. Each view goes through the same middleware,
session and authentication stack as the real pages, so a ratio against it measures what our
own code adds.
"""

import uuid
from contextlib import ExitStack
from unittest import mock

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.template import engines
from django.urls import path, resolve, reverse
from django.views.decorators.http import require_POST

from referrals.models import Referral

_TINY = engines["django"].from_string(
    "<!DOCTYPE html><html lang=\"en\"><title>Bench</title>"
    "<p>{{ referral.reference }} {{ referral.status }} {{ user.get_short_name }}</p></html>"
)


_BARE = engines["django"].from_string(
    "<!DOCTYPE html><html lang=\"en\"><title>Bench</title>"
    "<p>{{ referral.reference }} {{ referral.status }}</p></html>"
)


@transaction.non_atomic_requests
def bare(request, pk: int):
    """The floor under the floor (issue 19): served by portal.bench_wsgi's handler with no
    middleware at all, no request transaction, one primary-key query and a tiny template
    rendered without a request (no context processors)."""
    referral = Referral.objects.only("reference", "status").filter(pk=pk).first()
    if referral is None:
        raise Http404("No such referral.")
    return HttpResponse(_BARE.render({"referral": referral}))


@login_required
def minimal(request, pk: int):
    """One primary-key query and a tiny template: the floor for any signed-in page."""
    referral = Referral.objects.only("reference", "status").filter(pk=pk).first()
    if referral is None:
        raise Http404("No such referral.")
    return HttpResponse(_TINY.render({"referral": referral}, request))


@require_POST
@login_required
def insert(request):
    """Insert one row and answer 201: the floor for any form that writes."""
    referral = Referral.objects.create(reference=uuid.uuid4().hex[:12], referrer=request.user)
    return HttpResponse(str(referral.pk), status=201)


def _no_audit(**kwargs):
    return None


@login_required
def referral_without_audit(request, pk: int):
    """The staff referral page (triage:referral) with its audit write replaced by a no-op.

    Compared with the real page it isolates what the audit row costs. Safe only because
    gunicorn's sync workers serve one request at a time per process (the patch is undone
    before the response leaves).
    """
    try:
        match = resolve(reverse("triage:referral", args=[pk]))
    except Exception as exc:  # NoReverseMatch until the triage pages land
        raise Http404("The staff referral page is not available.") from exc
    # Modules that imported audit_record by name hold their own reference: patch them all.
    importers = _importers_of_audit_record()
    with ExitStack() as stack:
        stack.enter_context(mock.patch("audit.services.audit_record", _no_audit))
        for module in importers:
            stack.enter_context(mock.patch.object(module, "audit_record", _no_audit))
        return match.func(request, *match.args, **match.kwargs)


def _importers_of_audit_record() -> list:
    import sys

    from audit.services import audit_record

    return [
        module for name, module in list(sys.modules.items())
        if module is not None and name != "audit.services"
        and getattr(module, "audit_record", None) is audit_record
    ]


class BenchAdminSite(admin.AdminSite):
    site_header = "Bench admin"


bench_admin = BenchAdminSite(name="bench_admin")


@admin.register(Referral, site=bench_admin)
class ReferralBenchAdmin(admin.ModelAdmin):
    """Django's stock changelist (count, 100 rows a page, newest first): the baseline the
    triage queue is compared with."""

    list_display = ("reference", "pathway", "status", "urgent", "received_at")
    ordering = ("-pk",)


urlpatterns = [
    path("bare/<int:pk>/", bare, name="bench-bare"),
    path("minimal/<int:pk>/", minimal, name="bench-minimal"),
    path("insert/", insert, name="bench-insert"),
    path("referral-without-audit/<int:pk>/", referral_without_audit, name="bench-referral-no-audit"),
    path("admin/", bench_admin.urls),
]
