import re
import uuid
from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied
from guardian.shortcuts import get_objects_for_user

from audit.models import AuditEvent
from core.vocabulary import Status
from outbox.models import Notice
from outbox.wording import notice_text
from pathways.models import Deadline
from referrals import access, services
from referrals.models import Referral, ReferralEvent
from referrals.references import PATTERN

from .factories import complete_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_staff(staff_member, teams):
    """A staff member who is also in the team's group (guardian grants go to the group).

    The skeleton's staff_member fixture makes only the TeamMembership; joining the group is
    the accounts services' job, done here by hand so this test does not depend on it.
    """

    def make(pathway, role="triage"):
        user = staff_member(pathway, role=role)
        user.groups.add(teams[pathway].group)
        return user

    return make


def test_submit_assigns_reference_team_clock_and_acknowledgement(referrer):
    draft = complete_draft(referrer)
    referral = services.referral_submit(referral=draft, actor=referrer,
                                        submission_key=uuid.uuid4())
    referral.refresh_from_db()
    assert PATTERN.match(referral.reference)
    assert referral.status == Status.SUBMITTED
    assert referral.received_at is not None
    assert referral.team.pathway == "oppd"
    assert referral.draft_expires_at is None
    deadline = Deadline.objects.get(referral=referral)
    assert deadline.kind == "concern_decision" and deadline.starts_at == referral.received_at
    event = ReferralEvent.objects.get(referral=referral)
    assert (event.kind, event.to_status, event.visible_to_referrer) == (
        "submitted", Status.SUBMITTED, True)
    acks = Notice.objects.filter(referral=referral, kind="acknowledgement")
    assert sorted(acks.values_list("channel", flat=True)) == ["email", "portal"]
    for notice in acks:
        assert referral.reference in notice.body
        assert "Mary" not in notice.body and "Mary" not in notice.subject  # no personal details


def test_mash_referral_opens_the_mash_clock(referrer):
    referral = services.referral_submit(referral=complete_draft(referrer, child=True),
                                        actor=referrer, submission_key=uuid.uuid4())
    assert referral.team.pathway == "mash"
    assert Deadline.objects.get(referral=referral).kind == "mash_decision"


def test_phone_only_referrer_gets_no_email(referrer):
    draft = complete_draft(referrer, feedback_preference="phone_only")
    services.referral_submit(referral=draft, actor=referrer, submission_key=uuid.uuid4())
    assert list(Notice.objects.filter(referral=draft).values_list("channel", flat=True)) == [
        "portal"]


def test_submit_twice_with_any_key_makes_one_referral(referrer):
    draft = complete_draft(referrer)
    key = uuid.uuid4()
    first = services.referral_submit(referral=draft, actor=referrer, submission_key=key)
    again = services.referral_submit(referral=draft, actor=referrer, submission_key=key)
    other_tab = services.referral_submit(referral=draft, actor=referrer,
                                         submission_key=uuid.uuid4())
    assert first.reference == again.reference == other_tab.reference
    assert Referral.objects.filter(referrer=referrer).count() == 1
    assert ReferralEvent.objects.filter(referral=draft).count() == 1
    assert Notice.objects.filter(referral=draft).count() == 2
    assert Deadline.objects.filter(referral=draft).count() == 1


def test_only_the_referrer_can_submit(referrer, make_user):
    draft = complete_draft(referrer)
    with pytest.raises(PermissionDenied):
        services.referral_submit(referral=draft, actor=make_user("other@example.org"),
                                 submission_key=uuid.uuid4())


def test_incomplete_draft_is_refused_with_the_page_to_finish(referrer):
    draft = complete_draft(referrer, through="person")
    assert draft.steps_done == ["urgency", "person"]
    with pytest.raises(services.SubmissionProblem) as problem:
        services.referral_submit(referral=draft, actor=referrer, submission_key=uuid.uuid4())
    assert problem.value.problems[0][0] == "contact"
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.reference is None


@pytest.fixture
def clock_settings_cached(settings):
    """Production's per-process copy of the clock policies and closure days (the test
    settings read them every time)."""
    from pathways.policies import clock_settings_forget

    settings.CLOCK_SETTINGS_CACHE_SECONDS = 60
    clock_settings_forget()
    yield
    clock_settings_forget()


# Each statement of a routine submission, in order (the caller's transaction holds them all;
# no savepoint of its own). Before issue 9's work: 28 (29 asserted); before issue 19's: 16 (a
# savepoint, a second lock and a read of running clocks around the clock, the next clock's own
# UPDATE, two audit INSERTs, the webhook endpoints and the clock's due time read back).
ROUTINE = [
    "SELECT referrals_referral FOR UPDATE",  # with its pathway's team, in a subquery
    "INSERT pathways_deadline",  # pathways.deadlines.deadline_open_first: a draft has no clock
    "UPDATE referrals_referral",  # reference, team, status, next_due_at: drawn unused in it
    "INSERT referrals_referralgroupobjectpermission",
    "INSERT referrals_referraluserobjectpermission",
    # the record (referrals.record): the timeline event, then its audit row and the clock's in
    # one INSERT; no endpoint listens, and the cached flag says so (outbox.webhooks)
    "INSERT referrals_referralevent", "INSERT audit_auditevent",
    # the acknowledgement, portal and email (outbox.write.referrer_notify): its wording with
    # the clock's due time in hand, both notices in one INSERT ... ON CONFLICT
    "INSERT feedback_notice",
]


def _shape(sql: str) -> str:
    """'SELECT pathways_deadline FOR UPDATE', 'INSERT feedback_notice', 'SAVEPOINT'..."""
    if sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):
        return sql.rsplit(" ", 1)[0]
    depth, outer = 0, []
    for char in sql:  # the statement without its subqueries
        depth += (char == "(") - (char == ")")
        outer.append(char if depth == 0 and char != ")" else "")
    outer = "".join(outer)
    table = re.search(r'(?:INTO|UPDATE|FROM) "?(\w+)"?', outer).group(1)
    return f"{outer.split(' ', 1)[0]} {table}" + (" FOR UPDATE" if " FOR UPDATE" in outer else "")


@pytest.mark.postgres  # the row locks are PostgreSQL's (SQLite has no FOR UPDATE)
def test_submit_query_count(referrer, clock_settings_cached, django_assert_num_queries):
    services.referral_submit(referral=complete_draft(referrer), actor=referrer,
                             submission_key=uuid.uuid4())  # a process's first: fills its caches
    draft = complete_draft(referrer)
    with django_assert_num_queries(len(ROUTINE)) as queries:  # 8 (16 before issue 19)
        services.referral_submit(referral=draft, actor=referrer, submission_key=uuid.uuid4())
    assert [_shape(query["sql"]) for query in queries.captured_queries] == ROUTINE
    # What the statements left out still holds: both audit rows, in order; the next clock.
    draft.refresh_from_db()
    clock = Deadline.objects.get(referral=draft)
    assert (draft.next_due_at, draft.next_paused_at) == (clock.due_at, None)
    assert list(AuditEvent.objects.filter(
        referral_id=draft.pk, action__in=["deadline.opened", "referral.submitted"],
    ).order_by("pk").values_list("action", "object_id")) == [("deadline.opened", str(clock.pk)),
                                    ("referral.submitted", str(
                                        ReferralEvent.objects.get(referral=draft).pk))]
    ack = Notice.objects.get(referral=draft, kind="acknowledgement", channel="portal")
    assert ack.body == notice_text("acknowledgement", draft)[1]  # the due time read back


def test_the_clock_settings_are_read_once_per_process(referrer, clock_settings_cached):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def tables_read():
        draft = complete_draft(referrer)
        with CaptureQueriesContext(connection) as queries:
            services.referral_submit(referral=draft, actor=referrer, submission_key=uuid.uuid4())
        return " ".join(query["sql"] for query in queries)

    first = tables_read()
    assert '"pathways_clockpolicy"' in first and '"pathways_closureday"' in first
    later = tables_read()
    for table in ("pathways_clockpolicy", "pathways_closureday", "auth_permission",
                  "django_content_type"):
        assert f'"{table}"' not in later, table
    before_permissions = later.split('INSERT INTO "referrals_referralgroupobjectpermission"')[0]
    assert "SAVEPOINT" not in before_permissions


def test_a_reference_already_in_use_is_drawn_again(referrer, monkeypatch):
    from referrals.services import submission

    taken = services.referral_submit(referral=complete_draft(referrer), actor=referrer,
                                     submission_key=uuid.uuid4()).reference
    draws = iter([taken, taken, "SR-2345-6789"])
    monkeypatch.setattr(submission, "reference_new", lambda: next(draws))
    referral = services.referral_submit(referral=complete_draft(referrer), actor=referrer,
                                        submission_key=uuid.uuid4())
    referral.refresh_from_db()
    assert referral.reference == "SR-2345-6789" and referral.status == Status.SUBMITTED
    assert Referral.objects.filter(reference=taken).count() == 1


def test_a_refusal_leaves_the_callers_transaction_usable(referrer, make_user):
    """No savepoint of its own, so a refusal must be raised after its block has closed."""
    draft = complete_draft(referrer)
    with pytest.raises(PermissionDenied):
        services.referral_submit(referral=draft, actor=make_user("other@example.org"),
                                 submission_key=uuid.uuid4())
    draft.refresh_from_db()  # would raise TransactionManagementError otherwise
    assert draft.status == Status.DRAFT and draft.reference is None


def test_right_team_only_can_see_it(referrer, team_staff, make_user, organisation):
    from accounts.models import Membership, MembershipRole, MembershipStatus

    referral = services.referral_submit(referral=complete_draft(referrer), actor=referrer,
                                        submission_key=uuid.uuid4())
    oppd = team_staff("oppd")
    mash = team_staff("mash")
    lead = make_user("lead@daycentre.example.org")
    Membership.objects.create(user=lead, organisation=organisation,
                              role=MembershipRole.SAFEGUARDING_LEAD,
                              status=MembershipStatus.APPROVED)
    stranger = make_user("someone@elsewhere.example.org")
    assert oppd.has_perm("referrals.view_referral", referral)
    assert oppd.has_perm("referrals.triage_referral", referral)
    assert not mash.has_perm("referrals.view_referral", referral)
    assert referrer.has_perm("referrals.view_referral", referral)
    assert not referrer.has_perm("referrals.triage_referral", referral)
    assert list(get_objects_for_user(oppd, "referrals.view_referral", Referral)) == [referral]
    assert not get_objects_for_user(mash, "referrals.view_referral", Referral).exists()
    for user, visible in [(oppd, True), (mash, False), (referrer, True), (lead, True),
                          (stranger, False)]:
        assert (access.referral_load(user, referral.pk) is not None) is visible, user
    assert list(access.referrals_of_organisation(lead)) == [referral]
    assert not access.referrals_of_organisation(referrer).exists()


def test_urgent_referral_alerts_each_manager_without_personal_details(referrer, staff_member):
    manager = staff_member("oppd", role="manager")
    staff_member("oppd", role="triage")
    referral = services.referral_submit(referral=complete_draft(referrer, urgent=True),
                                        actor=referrer, submission_key=uuid.uuid4())
    alerts = Notice.objects.filter(referral=referral, kind="urgent_referral")
    assert sorted(alerts.values_list("recipient_id", "channel")) == [
        (manager.pk, "email"), (manager.pk, "portal")]
    for notice in alerts:
        assert "Mary" not in notice.body and "self-harm" not in notice.body


def test_linked_mash_referral_has_its_own_reference_clock_and_copied_answers(
        referrer, team_staff):
    mash = team_staff("mash")
    adult = services.referral_submit(referral=complete_draft(referrer, linked=True),
                                     actor=referrer, submission_key=uuid.uuid4())
    child = Referral.objects.get(linked_to=adult)
    assert child.reference != adult.reference and PATTERN.match(child.reference)
    assert child.pathway == "mash" and child.status == Status.SUBMITTED
    assert child.answers["what_happened"] == adult.answers["what_happened"]
    assert child.answers["children"] == "Two children, 4 and 7"
    assert child.categories == ["neglect"]  # financial has no child equivalent
    assert Deadline.objects.get(referral=child).kind == "mash_decision"
    assert Deadline.objects.get(referral=adult).kind == "concern_decision"
    assert Notice.objects.filter(referral=child, kind="acknowledgement").count() == 2
    assert mash.has_perm("referrals.view_referral", child)
    assert not mash.has_perm("referrals.view_referral", adult)
    # Submitting again changes nothing for either.
    services.referral_submit(referral=adult, actor=referrer, submission_key=uuid.uuid4())
    assert Referral.objects.filter(linked_to=adult).count() == 1


def test_submit_query_count_is_small_and_counted(referrer, staff_member,
                                                 clock_settings_cached):
    """Measured: the whole submission (lock, checks, reference, permissions, clock, timeline,
    acknowledgement notices, audit) for an urgent referral to a team with one manager."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff_member("oppd", role="manager")
    services.referral_submit(referral=complete_draft(referrer), actor=referrer,
                             submission_key=uuid.uuid4())  # fills the process's caches
    draft = complete_draft(referrer, urgent=True)
    # In working hours (a Monday morning): issue 15's out-of-hours alert does not apply.
    monday = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    with CaptureQueriesContext(connection) as queries:
        services.referral_submit(referral=draft, actor=referrer, submission_key=uuid.uuid4(),
                                 now=monday)
    print(f"referral_submit: {len(queries)} queries")
    # The routine 19, then the managers and a portal and an email alert for each, every
    # notice in its own savepoint (feedback.services.notice_queue). 35 before issue 9's work.
    assert len(queries) == len(ROUTINE) + 1 + 2 * 3


# The check page's POST after the middleware, through the test client (test settings: the
# signed-in cache off, so the session, user and fingerprint are read; the request's
# transaction is a savepoint). Issue 19: the view read the row (access.referral_load), checked
# the membership (accounts.roles.role_of: team membership, membership, organisation) and the
# service locked the row again; now one locking read answers all three, so the POST is the
# middleware's statements, ROUTINE and the request's savepoint: 13 (17 before).
CHECK_POST_MIDDLEWARE = [
    "SELECT django_session", "SELECT accounts_user",
    "SELECT accounts_user",  # the role fingerprint (portal.security), one statement
    "SAVEPOINT",
]


@pytest.mark.postgres
def test_the_check_pages_post_reads_the_row_once(client, referrer, teams, clock_settings_cached,
                                                  django_assert_num_queries):
    from django.urls import reverse

    client.force_login(referrer)
    client.post(reverse("referrals:check", args=[complete_draft(referrer).pk]),
                {"submission_key": str(uuid.uuid4())})  # a process's first: fills its caches
    draft = complete_draft(referrer)
    url = reverse("referrals:check", args=[draft.pk])
    client.get(url)  # the session's clocks stored (SessionSecurityMiddleware writes once a minute)
    expected = CHECK_POST_MIDDLEWARE + ROUTINE + ["RELEASE SAVEPOINT"]
    with django_assert_num_queries(len(expected)) as queries:
        response = client.post(url, {"submission_key": str(uuid.uuid4())})
    assert response.status_code == 302, response
    assert [_shape(query["sql"]) for query in queries.captured_queries] == expected
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED


def test_the_prepared_locking_read_is_the_same_statement_scoped_to_each_person(
        referrer, make_user, organisation, teams):
    """Issue 19: the locking read's annotated queryset is prepared once per process (resolving
    its subqueries was most of the POST's Python time); each request adds its own person and
    id, and the statement is the one built from scratch."""
    from django.db import transaction

    from accounts.models import Membership, MembershipStatus
    from referrals.services import submission

    draft = complete_draft(referrer)
    fresh = (Referral.objects.filter(referrer=referrer).select_for_update(of=("self",))
             .annotate(pathway_team=submission._team_of_pathway(),
                       referrer_approved=submission._referrer_approved())
             .filter(pk=draft.pk).order_by("pk")[:1])
    prepared = access._own(submission._locking(), referrer).filter(pk=draft.pk).order_by("pk")[:1]
    assert str(prepared.query) == str(fresh.query)
    colleague = make_user("colleague@daycentre.example.org", "Colin Colleague")
    Membership.objects.create(user=colleague, organisation=organisation,
                              status=MembershipStatus.APPROVED)
    theirs = complete_draft(colleague)
    with transaction.atomic():
        assert services.referral_lock_for_submit(colleague, draft.pk) is None
        mine = services.referral_lock_for_submit(referrer, draft.pk)
        assert mine.pk == draft.pk and mine.pathway_team["pathway"] == "oppd"
        assert mine.referrer_approved is True
        assert services.referral_lock_for_submit(referrer, theirs.pk) is None
        assert services.referral_lock_for_submit(colleague, theirs.pk).pk == theirs.pk
    # Using it compiled nothing into it: the next request's statement is still the fresh one.
    again = access._own(submission._locking(), referrer).filter(pk=draft.pk).order_by("pk")[:1]
    assert str(again.query) == str(fresh.query)
    with pytest.raises(ValueError):
        access.referral_own_locked(referrer, draft.pk, locking=Referral.objects.all())


def test_a_referrer_now_on_a_team_cannot_send_their_draft(client, referrer, teams):
    """The locking read's check gives may_continue_draft's answer: accounts.roles.role_of makes
    someone on a team staff, whatever their membership says."""
    from django.urls import reverse

    from accounts.models import TeamMembership

    draft = complete_draft(referrer)
    TeamMembership.objects.create(user=referrer, team=teams["oppd"], role="triage")
    client.force_login(referrer)
    response = client.post(reverse("referrals:check", args=[draft.pk]),
                           {"submission_key": str(uuid.uuid4())})
    assert response.status_code == 403
    assert "your membership is not approved" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    with pytest.raises(PermissionDenied):
        services.referral_submit(referral=draft, actor=referrer, submission_key=uuid.uuid4())


def test_an_urgent_submission_out_of_hours_costs_five_statements_more(
        referrer, staff_member, clock_settings_cached, settings):
    """Issue 15, item 4 and issue 16, part 4, measured: out of hours an urgent referral also
    reads the Emergency Duty Team's contact point, opens the checklist's EDT item (one INSERT)
    and emails the EDT (one notice in its savepoint: three statements)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.EMERGENCY_DUTY_TEAM_EMAIL = "edt@council.example.gov.uk"
    staff_member("oppd", role="manager")
    services.referral_submit(referral=complete_draft(referrer), actor=referrer,
                             submission_key=uuid.uuid4())  # fills the process's caches
    draft = complete_draft(referrer, urgent=True)
    saturday = datetime(2026, 12, 5, 22, 0, tzinfo=UTC)
    with CaptureQueriesContext(connection) as queries:
        services.referral_submit(referral=draft, actor=referrer, submission_key=uuid.uuid4(),
                                 now=saturday)
    assert len(queries) == len(ROUTINE) + 1 + 2 * 3 + 5
