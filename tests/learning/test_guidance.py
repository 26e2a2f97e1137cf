"""The guidance page (issue 15, item 8): sections kept by administrators, with default content
from a data migration, public, and linked from the referral form and the start page."""

import re

import pytest
from django.urls import reverse

from learning.models import GuidanceSection
from learning.selectors import guidance_blocks
from tests.factories.accounts import ReferrerFactory
from tests.factories.referrals import complete_draft

pytestmark = pytest.mark.django_db

DEFAULTS = ["what-counts-as-abuse", "levels-of-need", "section-42", "cuckooing",
            "modern-slavery", "prevent", "suicide-prevention", "training-dates"]
# Real national numbers only: emergency, police non-emergency, NHS 111, Samaritans.
REAL_NUMBERS = {"999", "101", "111", "116 123"}


def test_the_default_sections_are_there_in_order():
    assert list(GuidanceSection.objects.values_list("slug", flat=True)) == DEFAULTS


def test_no_made_up_phone_numbers_in_the_defaults():
    for section in GuidanceSection.objects.all():
        numbers = set(re.findall(r"\b\d{3}(?: \d{3})?\b", section.body))
        # Years and section numbers are not phone numbers; the rest must be real ones.
        numbers -= {"1989", "2014", "2023"}
        assert numbers <= REAL_NUMBERS, (section.slug, numbers - REAL_NUMBERS)


def test_the_page_is_public_and_shows_published_sections(client):
    GuidanceSection.objects.filter(slug="prevent").update(published=False)
    GuidanceSection.objects.create(slug="local", title="<b>Local</b> help",
                                   body="First <script>x</script>\n\n- one\n- two", order=99)
    response = client.get(reverse("learning:guidance"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="section-42"' in page and "Cuckooing" in page and "Training dates" in page
    assert "Prevent: worries about radicalisation" not in page
    assert "&lt;b&gt;Local&lt;/b&gt; help" in page and "&lt;script&gt;" in page
    assert "<li>one</li>" in page


def test_plain_text_becomes_paragraphs_and_lists():
    assert guidance_blocks("One\nline.\n\n- a\n- b\n\nMixed\n- c") == [
        ("p", "One line."), ("ul", ["a", "b"]), ("p", "Mixed - c")]


def test_linked_from_the_start_page_and_the_concern_step(client):
    guidance = reverse("learning:guidance")
    assert f'href="{guidance}"' in client.get(reverse("start")).content.decode()
    referrer = ReferrerFactory()
    draft = complete_draft(referrer, through="concern")
    client.force_login(referrer)
    page = client.get(reverse("referrals:step", args=[draft.pk, "concern"])).content.decode()
    assert f'href="{guidance}#what-counts-as-abuse"' in page
    assert "What counts as abuse or neglect (opens in new tab)" in page


def test_administrators_edit_it_in_the_admin(client):
    from tests.factories.accounts import council_admin

    admin_user = council_admin()
    client.force_login(admin_user)
    home = client.get(reverse("home")).content.decode()
    changelist = reverse("admin:learning_guidancesection_changelist")
    assert changelist in home
    assert client.get(changelist).status_code == 200
    section = GuidanceSection.objects.get(slug="training-dates")
    page = client.get(reverse("admin:learning_guidancesection_change", args=[section.pk]))
    assert page.status_code == 200
