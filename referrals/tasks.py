"""Beat tasks: the deadline sweep (every minute), and drafts (remind, then delete expired ones
with their files). Both safe to run twice."""

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from .services import drafts_delete_expired, drafts_remind
from .sweep import deadlines_sweep as run_sweep


@shared_task(ignore_result=True)
def drafts_sweep() -> dict:
    now = timezone.now()
    return {"reminded": drafts_remind(now=now), "deleted": drafts_delete_expired(now=now)}


@shared_task(ignore_result=True)
def referral_pdf_render(referral_id: int) -> None:
    """Render a referral's PDF into the cache (referrals.pdf): the web never renders one."""
    from .models import Referral
    from .pdf import referral_pdf_store

    referral = (Referral.objects.select_related("team", "organisation", "referrer")
                .filter(pk=referral_id).first())
    if referral is not None and not referral.is_draft:
        referral_pdf_store(referral=referral)


def _aware(iso: str) -> datetime:
    """An ISO 8601 time with its offset. Without one, 01:30 on the October night would be
    guessed (it happens twice in London), so a time without an offset is refused."""
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        raise ValueError(f"{iso!r} has no UTC offset; give one, e.g. {iso}+00:00")
    return moment


# The name it had when the sweep lived in pathways: beat's schedule and queued messages use it.
@shared_task(name="pathways.tasks.deadlines_sweep", acks_late=True, ignore_result=True)
def deadlines_sweep(now: str | None = None) -> dict:
    """Record due warnings and breaches. Safe to run twice or concurrently.

    `now` (ISO 8601 with offset) is for tests and catch-up runs; beat sends none.
    """
    moment = _aware(now) if now else timezone.now()
    return run_sweep(now=moment).as_dict()
