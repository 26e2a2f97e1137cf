"""Threshold levels keep a history (issue 15 item 6): each administrator's change, in the level's
form or the list's "active" column, is kept with the row before and after, who and when."""

import pytest

from pathways.models import ThresholdLevel, ThresholdLevelChange

pytestmark = pytest.mark.django_db

ADMIN = "admin@council.example.gov.uk"


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user(ADMIN, "Council Admin", is_council_admin=True, is_staff=True,
                      is_superuser=True)
    client.force_login(admin)
    return client


def _form(level, **changed):
    return {"number": level.number, "name": level.name, "summary": level.summary,
            "guidance_url": level.guidance_url, "active": "on" if level.active else "",
            "changes-TOTAL_FORMS": "0", "changes-INITIAL_FORMS": "0", **changed}


def test_a_changed_summary_is_kept_with_before_after_who_and_when(admin_client):
    level = ThresholdLevel.objects.get(code="level-3")
    old = level.summary
    response = admin_client.post(f"/admin/pathways/thresholdlevel/{level.pk}/change/",
                                 _form(level, summary="Targeted help for the family."))
    assert response.status_code == 302, response.content.decode()[:3000]
    change = ThresholdLevelChange.objects.get(level=level)
    assert change.action == "changed" and change.changed_by.email == ADMIN
    assert (change.before["summary"], change.after["summary"]) == (
        old, "Targeted help for the family.")
    assert change.changed_fields() == ["summary"]
    # Saving again without a change adds nothing; a refused form adds nothing.
    level.refresh_from_db()
    admin_client.post(f"/admin/pathways/thresholdlevel/{level.pk}/change/", _form(level))
    response = admin_client.post(f"/admin/pathways/thresholdlevel/{level.pk}/change/",
                                 _form(level, name=""))
    assert response.status_code == 200
    assert ThresholdLevelChange.objects.filter(level=level).count() == 1
    # The level's page shows its history.
    page = admin_client.get(f"/admin/pathways/thresholdlevel/{level.pk}/change/")
    assert "Targeted help for the family." in page.content.decode()


def test_the_lists_active_column_and_a_new_level_are_kept(admin_client):
    levels = list(ThresholdLevel.objects.order_by("number", "id"))
    data = {"form-TOTAL_FORMS": str(len(levels)), "form-INITIAL_FORMS": str(len(levels)),
            "_save": "Save"}
    for i, level in enumerate(levels):
        data[f"form-{i}-id"] = str(level.pk)
        if level.code != "level-1":
            data[f"form-{i}-active"] = "on"
    response = admin_client.post("/admin/pathways/thresholdlevel/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    (change,) = ThresholdLevelChange.objects.all()
    assert change.level.code == "level-1" and change.changed_fields() == ["active"]
    assert (change.before["active"], change.after["active"]) == (True, False)
    response = admin_client.post("/admin/pathways/thresholdlevel/add/", {
        "code": "level-5", "number": "5", "name": "Level 5: Looked after",
        "summary": "The child is looked after.", "guidance_url": "", "active": "on",
        "changes-TOTAL_FORMS": "0", "changes-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.content.decode()[:3000]
    added = ThresholdLevelChange.objects.get(level__code="level-5")
    assert added.action == "added" and added.before == {}
    assert added.after["name"] == "Level 5: Looked after"
