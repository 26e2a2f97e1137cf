"""Referral PDFs are rendered by the worker and cached per version of the referral (issue 19):
the web never runs WeasyPrint, the page offers the file when it is ready, and a change to what
the copy shows makes a new version."""

import io

import pytest
from django.core.cache import caches
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEvent
from referrals import pdf, tasks
from tests.factories import triage
from tests.factories.referrals import referral_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_queue(monkeypatch, settings):
    """Tasks asked for, not run: the test runs them as the worker would, when it chooses."""
    settings.PDF_RENDER_IN_WORKER = True
    caches[pdf.PDF_CACHE_ALIAS].clear()
    asked = []
    monkeypatch.setattr(tasks.referral_pdf_render, "delay", asked.append)
    return asked


@pytest.fixture
def renders(monkeypatch):
    """Counts WeasyPrint runs, and says whether each was in a web request."""
    done = []
    real = pdf._pdf_from

    def counting(html):
        done.append(html)
        return real(html)

    monkeypatch.setattr(pdf, "_pdf_from", counting)
    return done


def _text(response) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def _downloads(referral) -> int:
    return AuditEvent.objects.filter(action="referral.pdf_downloaded", referral_id=referral.pk).count()


def test_the_worker_renders_each_version_once_and_the_page_offers_it_when_ready(
        client, referrer, worker_queue, renders):
    referral = referral_submit(referrer)
    client.force_login(referrer)
    url = reverse("referrals:pdf", args=[referral.pk])

    response = client.get(url)
    assert response.status_code == 200 and b"is being prepared" in response.content
    assert worker_queue == [referral.pk] and renders == [] and _downloads(referral) == 0
    client.get(url)
    assert worker_queue == [referral.pk]  # asked once per version, not once per request

    tasks.referral_pdf_render(referral.pk)  # the worker
    assert len(renders) == 1
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf" and referral.reference in _text(response)
    assert client.get(url)["Content-Type"] == "application/pdf"
    assert len(renders) == 1 and _downloads(referral) == 2  # cached: no second render

    # A new version: the referral moves to another team, which the copy names.
    triage.reroute(referral, "oppd" if referral.pathway != "oppd" else "mental-health")
    referral.refresh_from_db()
    response = client.get(url)
    assert b"is being prepared" in response.content  # the old copy is never offered
    assert worker_queue == [referral.pk, referral.pk]
    tasks.referral_pdf_render(referral.pk)
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf" and len(renders) == 2
    assert referral.team.name in _text(response)


def test_erasure_forgets_the_cached_copy(client, referrer, worker_queue):
    referral = referral_submit(referrer)
    tasks.referral_pdf_render(referral.pk)
    key = pdf._key(referral.pk)
    assert caches[pdf.PDF_CACHE_ALIAS].get(key) is not None
    pdf.referral_pdf_forget(referral.pk)
    assert caches[pdf.PDF_CACHE_ALIAS].get(key) is None


def test_with_an_eager_worker_the_first_request_gets_the_file(client, referrer, settings):
    """The test settings' eager Celery (and a deployment's worker that is quick enough)."""
    settings.PDF_RENDER_IN_WORKER = True
    referral = referral_submit(referrer)
    client.force_login(referrer)
    response = client.get(reverse("referrals:pdf", args=[referral.pk]))
    assert response["Content-Type"] == "application/pdf"
