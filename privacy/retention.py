"""Retention: closed referrals and their files are deleted after a configurable period.

Default: 6 years after closure for adult pathways (settings.RETENTION_DAYS_AFTER_CLOSURE),
children's (MASH) referrals kept until an administrator decides (RETENTION_KEEP_PATHWAYS).
The sources and their limits are in docs/security.md ("Retention"). What stays is a minimal
stub: the audit rows (append-only, ids and general words only) plus one `retention_deleted`
row naming the reference, pathway, status and dates - no personal data.
"""

import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction

from audit.services import audit_record
from core.vocabulary import AuditAction, Pathway, Status
from referrals.models import Attachment, Referral
from referrals.pdf import referral_pdf_forget

# Finished referrals: closed, withdrawn, merged into another (referrals.workflow).
FINISHED = Status.finished()


def retention_cutoff(*, now: datetime, days: int | None = None) -> datetime:
    return now - timedelta(days=settings.RETENTION_DAYS_AFTER_CLOSURE if days is None else days)


def retention_due(*, now: datetime, days: int | None = None):
    """Finished referrals closed before the cut-off, oldest first."""
    return (
        Referral.objects.filter(
            status__in=FINISHED,
            closed_at__isnull=False,
            closed_at__lt=retention_cutoff(now=now, days=days),
        )
        .exclude(pathway__in=settings.RETENTION_KEEP_PATHWAYS)
        .order_by("closed_at", "pk")
    )


def referral_erase(*, referral_id: int, now: datetime, days: int | None = None) -> bool:
    """Delete one referral past retention (referrals_erase). False when it is no longer due
    (already gone, reopened, or locked by another sweep)."""
    return referrals_erase(referral_ids=[referral_id], now=now, days=days) == 1


@transaction.atomic
def referrals_erase(*, referral_ids: list[int], now: datetime, days: int | None = None) -> int:
    """Delete a batch of referrals past retention, in one transaction, with everything hanging
    off them (events, notes, notices, deadlines, permissions cascade) and their files (after
    commit); one `retention_deleted` audit row each. Those no longer due (already gone,
    reopened) or locked by another sweep are left. Returns how many were deleted.

    One delete for the batch: Django's collector then reads and deletes each related table
    once for all of them (29 statements a referral when erased one at a time)."""
    referrals = list(
        retention_due(now=now, days=days)
        .select_for_update(skip_locked=True)
        .filter(pk__in=referral_ids)
    )
    if not referrals:
        return 0
    ids = [referral.pk for referral in referrals]
    stored: dict[int, list[str]] = {pk: [] for pk in ids}
    for referral_id, name in Attachment.objects.filter(referral_id__in=ids).values_list(
            "referral_id", "stored_name"):
        stored[referral_id].append(name)
    rule_days = settings.RETENTION_DAYS_AFTER_CLOSURE if days is None else days
    for referral in referrals:
        audit_record(
            action=AuditAction.PRIVACY_RETENTION_DELETED,
            referral_id=referral.pk,
            detail={
                "reference": referral.reference or "",
                "pathway": referral.pathway,
                "status": referral.status,
                "received_on": (referral.received_at.date().isoformat()
                                if referral.received_at else ""),
                "closed_on": referral.closed_at.date().isoformat(),
                "attachments": len(stored[referral.pk]),
                "rule_days": rule_days,
            },
        )
    # Referrals linking here keep their row; the link is cleared (SET_NULL) by the delete.
    Referral.objects.filter(pk__in=ids).delete()
    names = [name for names in stored.values() for name in names]
    transaction.on_commit(lambda: _files_delete(names))
    for referral_id in ids:
        transaction.on_commit(lambda referral_id=referral_id: referral_pdf_forget(referral_id))
    return len(ids)


def _files_delete(stored_names: list[str]) -> None:
    for name in stored_names:
        default_storage.delete(name)


def retention_sweep(*, now: datetime, batch_size: int | None = None,
                    days: int | None = None) -> int:
    """Erase every referral past retention, one transaction a batch. Safe to run twice or
    twice at once: a second run finds nothing, a parallel one skips locked rows.

    A daily background job that must never slow the people using the portal (issue 19): it
    works in small batches (RETENTION_BATCH_SIZE) and after each one rests for the pause plus
    as long as the batch took times (1 / RETENTION_BUSY_SHARE - 1), so it keeps the database
    busy at most that share of the time, and yields more when the database is slow because
    staff are using it (a batch then takes longer, and so does the rest)."""
    batch_size = batch_size or settings.RETENTION_BATCH_SIZE
    erased = 0
    # One pathway at a time: each batch is then a short range of the retention index
    # (pathway, closed_at, id), never a pass over the pathways kept (MASH) or the whole table.
    for pathway in Pathway.values:
        if pathway in settings.RETENTION_KEEP_PATHWAYS:
            continue
        while True:
            began = time.monotonic()
            ids = list(retention_batch(pathway=pathway, now=now, days=days, size=batch_size))
            done = referrals_erase(referral_ids=ids, now=now, days=days) if ids else 0
            erased += done
            if len(ids) < batch_size or done == 0:
                break
            time.sleep(retention_rest(time.monotonic() - began))
    return erased


def retention_batch(*, pathway: str, now: datetime, days: int | None, size: int):
    """The ids of the next batch: one pathway's oldest closures past the cut-off, read from
    the retention index (referral_retention_due) whatever the table's size."""
    return (retention_due(now=now, days=days).filter(pathway=pathway)
            .values_list("pk", flat=True)[:size])


def retention_rest(busy_seconds: float) -> float:
    """Seconds to rest after a batch that took `busy_seconds` (docs/performance.md)."""
    share = settings.RETENTION_BUSY_SHARE
    return settings.RETENTION_BATCH_PAUSE_SECONDS + busy_seconds * (1 / share - 1)
