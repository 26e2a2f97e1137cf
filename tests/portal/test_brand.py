"""A council sets its brand colour and logo through settings (issue 18, README)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from portal.settings import _brand_colour


@override_settings(PORTAL_BRAND_COLOUR="#00703c", PORTAL_LOGO_URL="/static/portal/logo.svg")
def test_the_header_carries_the_councils_colour_and_logo(client, db):
    page = client.get("/").content.decode()
    assert '<link rel="stylesheet" href="/brand.css">' in page
    assert '<img src="/static/portal/logo.svg" alt="" class="portal-header__logo">' in page
    css = client.get("/brand.css")
    assert css["Content-Type"].startswith("text/css")
    assert css.content.decode().strip() == ":root{--govuk-brand-colour:#00703c}"


def test_without_a_brand_colour_the_page_links_no_brand_stylesheet(client, db):
    assert "brand.css" not in client.get("/").content.decode()


@pytest.mark.parametrize("value", ["#ffdd00", "#ffffff", "red", "#12345", "#1d70b8;}body{"])
def test_a_colour_white_text_cannot_be_read_on_or_that_is_not_a_colour_stops_the_start(value):
    with pytest.raises(ImproperlyConfigured):
        _brand_colour(value)


def test_a_dark_enough_colour_is_accepted():
    assert _brand_colour(" #1D70B8 ") == "#1d70b8"


@override_settings(PORTAL_BRAND_COLOUR="#00703c")
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_brand_stylesheet_answers_only_get_and_head(client, db, method):
    assert client.get("/brand.css").status_code == 200
    assert client.head("/brand.css").status_code == 200
    response = getattr(client, method)("/brand.css")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
