"""The service's own error pages (issue 18): 400, 403, 404, 500, 429 (portal.ratelimits) and a CSRF
failure, each in the service's layout with GOV.UK's wording, what to do next and the teams'
phone numbers (pathways.contacts).

The 400 and 500 pages are rendered without the request's context processors or the session (either may be
what failed); the phone numbers are read inside a guard (pathways.contacts) and dropped if the
database cannot answer.
"""

from django.conf import settings
from django.http import HttpResponseBadRequest, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from pathways.contacts import phone_numbers


def _standalone(template_name: str) -> str:
    pathway_contacts, edt_contacts = phone_numbers()
    return loader.get_template(template_name).render({
        "service_name": settings.SERVICE_NAME, "council_name": settings.COUNCIL_NAME,
        "contacts": pathway_contacts + edt_contacts,
    })


@requires_csrf_token
def server_error(request, template_name="500.html"):
    return HttpResponseServerError(_standalone(template_name))


@requires_csrf_token
def bad_request(request, exception=None, template_name="400.html"):
    """A request Django refuses (a bad Host header, a malformed cookie or upload, too many
    fields): the request cannot be trusted to build the page (its host may be what is wrong),
    so, like the 500 page, no request context."""
    return HttpResponseBadRequest(_standalone(template_name))


def csrf_failure(request, reason=""):
    """The form was sent without a valid token: usually a page left open past sign-out, or a
    sign-in in another tab. Nothing was saved; say so and how to carry on."""
    return render(request, "portal/csrf_failure.html", status=403)
