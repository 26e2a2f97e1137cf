"""The staff referral page asks who the person is once (issue 19: referrals.access.remembered,
opened by triage's staff_required): their groups and team memberships are read once for the
page, not once per question, and any change to them is seen at once."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import TeamMembership
from referrals import access, workflow
from tests.factories.referrals import referral_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_page(client, staff_member, referrer, settings):
    settings.CLOCK_SETTINGS_CACHE_SECONDS = 60
    manager = staff_member("oppd", role="manager")
    manager.groups.add(manager.team_memberships.get().team.group)
    referral = referral_with(referrer)
    referral_with(referrer)  # a possible duplicate: the page lists it (access.staff_reach)
    client.force_login(manager)
    url = reverse("triage:referral", args=[referral.pk])
    assert client.get(url).status_code == 200  # fills the per-process caches
    return url


def _reads_of(queries, table: str) -> int:
    return sum(1 for query in queries if f'FROM "{table}"' in query["sql"].split(" WHERE ")[0])


def test_the_staff_page_reads_the_persons_groups_once(client, manager_page):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(manager_page)
    assert response.status_code == 200
    # Before: four reads of the groups (the page's load, its role, the duplicates, the
    # hand-over link's role) and two of the team membership for the role.
    assert _reads_of(queries.captured_queries, "auth_group") == 1
    wheres = [q["sql"].split(" WHERE ", 1)[-1] for q in queries.captured_queries
              if 'FROM "accounts_teammembership"' in q["sql"]]
    # The person's team memberships once (issue 19, fifth session: the queue's team, the role
    # on the referral and the navigation's role all answer from it; before, the role and the
    # navigation read them again); the assign form's list of the team's members is the other.
    persons = [w for w in wheres if '"accounts_teammembership"."user_id" = ' in w]
    assert len(persons) == 1 and '"accounts_teammembership"."team_id" = ' not in persons[0]
    # The attachments once (before: the answers' files step and the page's Files each); the
    # grants twice, the page's load and one query for the role and the duplicates (before:
    # role_on's EXISTS and the duplicates' reach apart); no pg_trgm threshold set and put
    # back around the duplicate search.
    assert _reads_of(queries.captured_queries, "referrals_attachment") == 1
    assert sum('"referrals_referralgroupobjectpermission"' in q["sql"]
               for q in queries.captured_queries) == 2
    assert not any("set_config" in q["sql"] for q in queries.captured_queries)
    # The whole page under the test settings (no signed-in cache, the request a savepoint):
    # 34 before, 29 after; 30 with issue 16's parallel duties checklist (one read of the
    # referral's duty items); 24 after the fifth session; 23 with issue 19 (the answers read
    # for display read no routing rules without children in the household).
    assert _reads_of(queries.captured_queries, "pathways_routingrule") == 0
    assert len(queries.captured_queries) == 23


def test_without_duplicates_the_grants_are_read_with_the_referral(client, manager_page,
                                                                  referrer):
    """The triage permission is read in the page's own load (access.referral_load's
    triage_grant): a page listing no possible duplicate reads the grants once (twice before:
    the load's view permission, then role_on's triage permission)."""
    alone = referral_with(referrer, person_name="Zachary Quinn")
    url = reverse("triage:referral", args=[alone.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200 and not response.context["duplicates"]
    assert response.context["role"] == workflow.MANAGER
    assert sum('"referrals_referralgroupobjectpermission"' in q["sql"]
               for q in queries.captured_queries) == 1
    assert len(queries.captured_queries) == 22  # 23 before issue 19 (no routing rules read)


def test_what_is_remembered_is_forgotten_when_memberships_or_groups_change(staff_member, teams):
    worker = staff_member("oppd")
    with access.remembered():
        before = access.groups_of(worker)
        extra = Group.objects.create(name="Extra group")
        worker.groups.add(extra)
        assert set(access.groups_of(worker)) == set(before) | {extra.pk}
        assert access.team_of(worker) == teams["oppd"]
        membership = TeamMembership.objects.get(user=worker)
        membership.delete()
        assert access.team_of(worker) is None
        assert extra.pk in access.groups_of(worker)
        assert teams["oppd"].group_id not in access.groups_of(worker)


def test_outside_a_page_nothing_is_remembered(staff_member, django_assert_num_queries):
    worker = staff_member("oppd")
    with django_assert_num_queries(2):
        access.groups_of(worker)
        access.groups_of(worker)


def test_the_queue_reads_the_persons_team_memberships_once(client, staff_member, referrer):
    """The queue's team, whether the person manages it (the workload link) and the teams whose
    requests for advice they work on all answer from one read of their team memberships
    (access.team_memberships_of); before, three statements."""
    manager = staff_member("oppd", role="manager")
    referral_with(referrer)
    client.force_login(manager)
    queue = reverse("triage:queue")
    assert client.get(queue).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(queue)
    assert response.status_code == 200 and response.context["is_manager"]
    assert "Team workload" in response.content.decode()
    assert _reads_of(queries.captured_queries, "accounts_teammembership") == 1


def test_is_manager_sees_a_role_change_inside_the_page(staff_member, teams):
    worker = staff_member("oppd")
    with access.remembered():
        assert not access.is_manager(worker, teams["oppd"])
        membership = TeamMembership.objects.get(user=worker)
        membership.role = "manager"
        membership.save()
        assert access.is_manager(worker, teams["oppd"])
        assert access.consultations_of_teams(worker) == [teams["oppd"].pk]
