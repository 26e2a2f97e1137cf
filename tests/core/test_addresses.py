"""core.addresses.address: reverse(name) remembered per process, for the layout's links and the
navigation; it must give what reverse gives whatever the URLconf or script prefix in force."""

import sys
import types

import pytest
from django.http import HttpResponse
from django.template import engines
from django.urls import NoReverseMatch, path, reverse, set_script_prefix

from core.addresses import address

NAMES = ["home", "accounts:sign-out", "accounts:sign-in", "learning:give-feedback",
         "learning:guidance", "accessibility", "cookies", "privacy", "display",
         "mfa:keep-alive", "triage:queue", "triage:workload"]


def test_the_same_address_as_reverse_and_as_the_url_tag():
    for name in NAMES:
        assert address(name) == address(name) == reverse(name)
        tag = engines["django"].from_string(
            "{% site_url name %}|{% url name %}")
        new, old = tag.render({"name": name}).split("|")
        assert new == old


def test_a_missing_name_raises_as_reverse_does_every_time():
    for _ in range(2):
        with pytest.raises(NoReverseMatch):
            address("no-such-page")


def test_another_urlconf_or_script_prefix_has_its_own_addresses(settings):
    assert address("home") == reverse("home")
    module = types.ModuleType("addresses_test_urls")
    module.urlpatterns = [path("elsewhere/", lambda request: HttpResponse(), name="home")]
    sys.modules["addresses_test_urls"] = module
    try:
        settings.ROOT_URLCONF = "addresses_test_urls"
        assert address("home") == "/elsewhere/"
        with pytest.raises(NoReverseMatch):
            address("triage:queue")
    finally:
        del sys.modules["addresses_test_urls"]
    settings.ROOT_URLCONF = "portal.urls"
    set_script_prefix("/portal/")
    try:
        assert address("triage:queue") == reverse("triage:queue")
        assert address("triage:queue").startswith("/portal/")
    finally:
        set_script_prefix("/")
    assert address("triage:queue") == reverse("triage:queue")
