"""A PDF copy of a referral, rendered by WeasyPrint from an autoescaped template.

Rendering takes a core for a few hundred milliseconds, so the web never does it (issue 19): the
page asks `referral_pdf_ready`, which hashes the HTML the PDF would be made from (the version: any
change to what the copy shows makes a new one) and answers the PDF cached for that version, or
None after asking the worker to render it (`referrals.tasks.referral_pdf_render`). One cache
entry per referral holds the latest version only, and erasure forgets it.

WeasyPrint fetches every URL the HTML names. The fetcher below serves only our own static
files from disk and refuses everything else (no network, no file:// outside static), so text a
referrer typed can never make the server fetch a URL.
"""

import hashlib

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import caches
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .display import answers_display

STATIC_PREFIX = "static:"


class StaticOnlyFetcher(URLFetcher):
    def fetch(self, url, headers=None):
        if not url.startswith(STATIC_PREFIX):
            raise ValueError("Only the portal's own static files can be used in a PDF.")
        relative = url.removeprefix(STATIC_PREFIX).lstrip("/")
        if ".." in relative.split("/"):
            raise ValueError("Refusing a path outside the static files.")
        path = finders.find(relative)
        if not path:
            raise ValueError("No such static file.")
        with open(path, "rb") as handle:
            return URLFetcherResponse(url, body=handle.read())


def linked_for_referrer(referral):
    """The referral this one was sent with (a MASH copy's adult referral), or None.

    `linked_to` also records staff's duplicate links and merges, which point at other
    referrers' referrals: their references are internal and never go into the referrer's copy.
    """
    linked = referral.linked_to
    if (linked is not None and (referral.answers or {}).get("linked_from_adult_referral")
            and linked.referrer_id == referral.referrer_id):
        return linked
    return None


def referral_pdf_html(*, referral) -> str:
    return render_to_string("referrals/pdf.html", {
        "referral": referral, "sections": answers_display(referral),
        "linked": linked_for_referrer(referral),
        "alleged_persons": list(referral.alleged_persons.all()),
        "attachments": list(referral.attachments.all()),
    })


def _pdf_from(html: str) -> bytes:
    return HTML(string=html, base_url=STATIC_PREFIX + "/",
                url_fetcher=StaticOnlyFetcher()).write_pdf()


def referral_pdf(*, referral) -> bytes:
    return _pdf_from(referral_pdf_html(referral=referral))


# ---- the per-version cache --------------------------------------------------------------------
PDF_CACHE_ALIAS = "pdfs"
QUEUED_SECONDS = 120  # a render asked for and not done by then is asked for again


def pdf_version(html: str) -> str:
    return hashlib.sha256(html.encode()).hexdigest()[:32]


def _key(referral_id: int) -> str:
    return f"referral:{referral_id}"


def referral_pdf_ready(*, referral) -> bytes | None:
    """The PDF of the referral as it is now, if the worker has rendered it; else None, having
    asked the worker (once per version) to render it. Renders here only when settings say the
    worker cannot share a cache with the web (PDF_RENDER_IN_WORKER off, no Redis)."""
    if not settings.PDF_RENDER_IN_WORKER:
        return referral_pdf(referral=referral)
    cache = caches[PDF_CACHE_ALIAS]
    version = pdf_version(referral_pdf_html(referral=referral))
    cached = cache.get(_key(referral.pk))
    if cached is not None and cached[0] == version:
        return cached[1]
    if cache.add(f"{_key(referral.pk)}:{version}:queued", 1, timeout=QUEUED_SECONDS):
        from .tasks import referral_pdf_render

        # Not on commit: the task reads only what is already committed (this request writes
        # nothing it shows), and an eager worker (tests) renders it for the check just below.
        referral_pdf_render.delay(referral.pk)
        cached = cache.get(_key(referral.pk))
        if cached is not None and cached[0] == version:
            return cached[1]
    return None


def referral_pdf_store(*, referral) -> str:
    """Render the referral as it is now and keep it as its latest version (the worker's job)."""
    html = referral_pdf_html(referral=referral)
    version = pdf_version(html)
    cached = caches[PDF_CACHE_ALIAS].get(_key(referral.pk))
    if cached is None or cached[0] != version:
        caches[PDF_CACHE_ALIAS].set(_key(referral.pk), (version, _pdf_from(html)),
                                    timeout=settings.PDF_CACHE_SECONDS)
    return version


def referral_pdf_forget(referral_id: int) -> None:
    """Erasure (privacy.retention): the copy goes with the referral."""
    caches[PDF_CACHE_ALIAS].delete(_key(referral_id))
