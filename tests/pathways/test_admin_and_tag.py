"""Administrators set the clocks in Django admin; staff pages show "due in" with one tag."""

import pytest
from django.template import Context, Template

from pathways.deadlines import deadline_open
from pathways.models import ClockPolicy, ClosureDay, Deadline

from .conftest import ldt

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user(
        "admin@council.example.gov.uk",
        "Council Admin",
        is_council_admin=True,
        is_staff=True,
        is_superuser=True,
    )
    client.force_login(admin)
    return client


def test_administrator_changes_a_policy_and_new_clocks_follow(admin_client, make_referral):
    policy = ClockPolicy.objects.get(pathway="mash", kind="rag", variant="amber")
    page = admin_client.get(f"/admin/pathways/clockpolicy/{policy.pk}/change/")
    assert page.status_code == 200
    assert "Example: a clock starting now" in page.content.decode()
    response = admin_client.post(
        f"/admin/pathways/clockpolicy/{policy.pk}/change/",
        {
            "amount": "16",
            "unit": "working_hours",
            "warning_amount": "4",
            "warning_unit": "working_hours",
            "warning_anchor": "before_due",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    deadline = deadline_open(
        referral=make_referral("mash", rag_rating="amber"), kind="rag", starts=ldt(2026, 3, 2, 10)
    )
    assert deadline.due_at == ldt(2026, 3, 4, 10, 0)
    assert deadline.warning_at == ldt(2026, 3, 3, 14, 0)


def test_admin_refuses_an_impossible_policy(admin_client):
    policy = ClockPolicy.objects.get(pathway="oppd", kind="feedback")
    response = admin_client.post(
        f"/admin/pathways/clockpolicy/{policy.pk}/change/",
        {
            "amount": "0",
            "unit": "elapsed_hours",
            "warning_amount": "1",
            "warning_unit": "working_hours",
            "warning_anchor": "before_due",
        },
    )
    assert response.status_code == 200
    assert "only a working-days clock can be 0" in response.content.decode()
    policy.refresh_from_db()
    assert (policy.amount, policy.unit) == (1, "working_days")


def test_closure_days_are_added_in_admin(admin_client):
    response = admin_client.post(
        "/admin/pathways/closureday/add/", {"date": "2026-12-24", "name": "Council closure day"}
    )
    assert response.status_code == 302
    assert ClosureDay.objects.get().name == "Council closure day"


def test_deadlines_are_read_only_in_admin(admin_client, make_referral):
    deadline = deadline_open(
        referral=make_referral("oppd"), kind="concern_decision", starts=ldt(2026, 3, 2, 10)
    )
    assert admin_client.get("/admin/pathways/deadline/").status_code == 200
    assert admin_client.get(f"/admin/pathways/deadline/{deadline.pk}/change/").status_code == 200
    admin_client.post(f"/admin/pathways/deadline/{deadline.pk}/change/", {"due_at_0": "2030-01-01"})
    deadline.refresh_from_db()
    assert deadline.due_at == ldt(2026, 3, 2, 17, 0)
    assert admin_client.get("/admin/pathways/deadline/add/").status_code == 403


def test_due_status_tag_reads_the_calendar_once(make_bare_referral, django_assert_num_queries):
    deadlines = [
        deadline_open(referral=make_bare_referral("mash"), kind="mash_decision", starts=start)
        for start in (ldt(2026, 3, 2, 10), ldt(2026, 3, 2, 15), ldt(2026, 2, 27, 10))
    ]
    template = Template(
        "{% load clocks %}{% for d in deadlines %}<p>{% due_status d now %}</p>{% endfor %}"
    )
    with django_assert_num_queries(1):  # the closure days, once
        html = template.render(Context({"deadlines": deadlines, "now": ldt(2026, 3, 2, 16, 0)}))
    assert html.count('<strong class="govuk-tag govuk-tag--green">On time</strong>') == 1
    assert html.count('<strong class="govuk-tag govuk-tag--yellow">Due soon</strong>') == 1
    assert html.count('<strong class="govuk-tag govuk-tag--red">Overdue</strong>') == 1
    assert "MASH decision. Overdue: it was due Mon 2 Mar 2026 10:00 GMT." in html
    assert Deadline.objects.count() == 3
