"""A PDF copy of a referral, rendered by WeasyPrint from an autoescaped template.

WeasyPrint fetches every URL the HTML names. The fetcher below serves only our own static
files from disk and refuses everything else (no network, no file:// outside static), so text a
referrer typed can never make the server fetch a URL.
"""

from django.contrib.staticfiles import finders
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


def referral_pdf(*, referral) -> bytes:
    html = render_to_string("referrals/pdf.html", {
        "referral": referral, "sections": answers_display(referral),
        "linked": linked_for_referrer(referral),
        "alleged_persons": list(referral.alleged_persons.all()),
        "attachments": list(referral.attachments.all()),
    })
    return HTML(string=html, base_url=STATIC_PREFIX + "/",
                url_fetcher=StaticOnlyFetcher()).write_pdf()
