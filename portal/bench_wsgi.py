"""The benchmark's WSGI entry point (bench/procs.py): the portal, plus a bare Django handler.

`/bench/bare/<pk>/` is served by a handler with no middleware at all: no session, no user, no
second factor, no CSRF, no logging or metrics, no request transaction; one primary-key query and
a tiny template (portal/bench_views.py). It is the floor under the minimal signed-in view
(issue 19). Everything else goes to portal.wsgi's application, as in production. Production
never uses this module.
"""

import django
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler

from portal.wsgi import application as portal_application

BARE_PREFIX = "/bench/bare/"


class BareHandler(WSGIHandler):
    """Django's WSGI handler with an empty middleware list."""

    def load_middleware(self, is_async=False):
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        self._middleware_chain = convert_exception_to_response(self._get_response)


django.setup(set_prefix=False)
bare_application = BareHandler()


def application(environ, start_response):
    if environ.get("PATH_INFO", "").startswith(BARE_PREFIX):
        return bare_application(environ, start_response)
    return portal_application(environ, start_response)
