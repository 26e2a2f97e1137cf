"""Policy pages with real content, and the display controls that work without JavaScript."""

import pytest
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "must_say"),
    [
        ("accessibility", ["WCAG", "Increase text", "High contrast", "Enforcement procedure",
                           "Equality and Human Rights Commission"]),
        ("cookies", ["sessionid", "csrftoken", "display_text", "display_contrast",
                     "only essential cookies"]),
        ("privacy", ["special category data", "Article 6(1)(e)", "Article 9(2)(b)",
                     "Article 9(2)(g)", "Schedule 1", "safeguarding of children and of "
                     "individuals at risk", "How long we keep it", "Information Commissioner",
                     "subject access request"]),
    ],
)
def test_policy_pages_have_real_content(client, name, must_say):
    page = client.get(reverse(name)).content.decode()
    for words in must_say:
        assert words in page, f"{name} does not mention {words!r}"


def test_council_contacts_are_marked_until_the_council_sets_them(client):
    assert "For the council to complete" in client.get(reverse("privacy")).content.decode()
    with override_settings(COUNCIL_DPO_CONTACT="dpo@council.example.gov.uk"):
        page = client.get(reverse("privacy")).content.decode()
    assert "dpo@council.example.gov.uk" in page
    assert "For the council to complete" not in page


def test_display_controls_set_cookies_and_the_page_uses_them(client):
    response = client.post(reverse("display"), {"text": "large", "next": "/cookies/"})
    assert response.status_code == 302
    assert response.url == "/cookies/"
    assert response.cookies["display_text"].value == "large"
    assert response.cookies["display_text"]["max-age"] == 365 * 24 * 60 * 60

    client.post(reverse("display"), {"contrast": "high", "next": "/"})
    page = client.get(reverse("cookies")).content.decode()
    assert 'class="govuk-template portal-text-large portal-high-contrast"' in page
    assert 'aria-pressed="true"' in page

    client.post(reverse("display"), {"text": "standard", "next": "/"})
    page = client.get(reverse("cookies")).content.decode()
    assert 'class="govuk-template portal-high-contrast"' in page


def test_display_controls_never_redirect_off_site(client):
    response = client.post(reverse("display"), {"text": "large",
                                                "next": "https://evil.example.com/"})
    assert response.url == "/"
