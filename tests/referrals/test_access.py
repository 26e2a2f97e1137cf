"""The one access policy (referrals/access.py): who sees, follows and acts on a referral, and
every writer refusing an actor outside scope even when no view checked first. Referrals are
built by the submission service."""

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import Membership, MembershipRole, MembershipStatus, Organisation, Sector
from audit.models import AuditEvent
from core.vocabulary import AuditAction, Outcome, Status
from feedback.services import feedback_give_by_phone
from feedback.updates import referral_chase, referral_information_add
from referrals import access, services, workflow
from referrals.access import Need
from referrals.models import Referral, ReferralEvent
from tests.factories.triage import CRITERIA_FOR
from tests.referrals.factories import complete_draft
from triage import services as triage_services
from triage import transitions
from triage.models import InternalNote
from triage.transitions import Feedback

pytestmark = pytest.mark.django_db

TOLD = Feedback(outcome_text="A decision was made.", reason="Because.",
                signposting="Citizens Advice Southwark.")


def _member(make_user, organisation, email, role=MembershipRole.REFERRER):
    user = make_user(email, email.split("@")[0])
    Membership.objects.create(user=user, organisation=organisation, role=role,
                              status=MembershipStatus.APPROVED)
    return user


@pytest.fixture
def world(referrer, organisation, make_user, staff_member, council_admin):
    sent = services.referral_submit(referral=complete_draft(referrer), actor=referrer,
                                    submission_key=uuid.uuid4())
    draft = complete_draft(referrer)
    elsewhere = Organisation.objects.create(name="Elsewhere Trust", sector=Sector.HEALTH)
    return {
        "sent": sent, "draft": draft,
        "people": {
            "referrer": referrer,
            "colleague": _member(make_user, organisation, "colleague@daycentre.example.org"),
            "lead": _member(make_user, organisation, "lead@daycentre.example.org",
                            MembershipRole.SAFEGUARDING_LEAD),
            "other_lead": _member(make_user, elsewhere, "lead@elsewhere.example.org",
                                  MembershipRole.SAFEGUARDING_LEAD),
            "oppd_worker": staff_member("oppd"),
            "oppd_manager": staff_member("oppd", role="manager"),
            "mash_worker": staff_member("mash"),
            "administrator": council_admin,
            "anonymous": AnonymousUser(),
        },
    }


# (person, sees the submitted referral, follows it, role on it)
RULES = [
    ("referrer", True, True, workflow.REFERRER),
    ("colleague", False, False, None),
    ("lead", True, True, None),
    ("other_lead", False, False, None),
    ("oppd_worker", True, False, workflow.TRIAGE),
    ("oppd_manager", True, False, workflow.MANAGER),
    ("mash_worker", False, False, None),
    ("administrator", False, False, None),
    ("anonymous", False, False, None),
]


@pytest.mark.parametrize(("who", "sees", "follows", "role"), RULES)
def test_who_sees_follows_and_acts(world, who, sees, follows, role):
    person, sent = world["people"][who], world["sent"]
    assert access.may_see(person, sent) is sees
    assert access.may_follow(person, sent) is follows
    assert access.role_on(person, sent) == role
    assert access.may_act(person, sent) is (role in workflow.STAFF)
    assert (access.referral_load(person, sent.pk) is not None) is sees
    assert (access.referral_load(person, sent.pk, Need.FOLLOW) is not None) is follows
    assert (access.referral_load(person, sent.pk, Need.ACT) is not None) is (
        role in workflow.STAFF)


@pytest.mark.parametrize(("who", "sees", "follows", "role"), RULES)
def test_the_staff_pages_one_query_answers_as_role_on_and_staff_reach(
        world, referrer, who, sees, follows, role):
    """staff_page_reach (issue 19: the staff page's role and its duplicates' reach in one
    query) decides exactly as role_on and staff_reach asked one by one, the duplicates' link
    and merge offered only with a role on the page's referral."""
    person, sent = world["people"][who], world["sent"]
    other = services.referral_submit(referral=complete_draft(referrer), actor=referrer,
                                     submission_key=uuid.uuid4())
    for ids in ([], [other.pk], [other.pk, sent.pk]):
        seen, acted = access.staff_reach(person, [pk for pk in ids if pk != sent.pk])
        expected = (access.role_on(person, sent), seen, acted if role else set())
        assert expected[0] == role
        assert access.staff_page_reach(person, sent, ids) == expected
        with access.remembered():
            assert access.staff_page_reach(person, sent, ids) == expected
        # Loaded as the staff page loads it, the triage grant read in the same statement.
        loaded = access.referral_load(person, sent.pk, Need.STAFF_VIEW, triage_grant=True)
        assert (loaded is not None) is (who in ("oppd_worker", "oppd_manager"))
        if loaded is not None:
            assert access.staff_page_reach(person, loaded, ids) == expected


@pytest.mark.parametrize("who", [who for who, *_ in RULES])
def test_nobody_but_the_referrer_sees_a_draft(world, who):
    person, draft = world["people"][who], world["draft"]
    mine = who == "referrer"
    assert access.may_see(person, draft) is mine
    assert not access.may_follow(person, draft)
    assert (access.referral_load(person, draft.pk, Need.DRAFT) is not None) is mine
    assert access.may_edit_draft(person, draft) is mine


def test_scoped_lists(world):
    people, sent, draft = world["people"], world["sent"], world["draft"]
    assert list(access.referrals_of_referrer(people["referrer"])) == [sent]
    assert list(access.drafts_of(people["referrer"])) == [draft]
    assert list(access.referrals_of_organisation(people["lead"])) == [sent]
    assert not access.referrals_of_organisation(people["referrer"]).exists()
    assert not access.referrals_of_organisation(people["other_lead"]).exists()
    assert list(access.referrals_for_staff(people["oppd_worker"])) == [sent]
    assert not access.referrals_for_staff(people["mash_worker"]).exists()
    assert access.staff_reach(people["oppd_worker"], [sent.pk]) == ({sent.pk}, {sent.pk})
    assert access.staff_reach(people["mash_worker"], [sent.pk]) == (set(), set())
    assert access.referral_by_reference(people["oppd_worker"], sent.reference.lower()) == sent
    assert access.referral_by_reference(people["mash_worker"], sent.reference) is None


@pytest.mark.parametrize("value", ["999999", "abc", "-1", "99999999999999999999", "\u0663",
                                   " 1", "1.0"])
def test_an_id_out_of_scope_or_malformed_is_none_and_audited(world, value):
    request = RequestFactory().get("/", {"other": value})
    request.user = world["people"]["mash_worker"]
    assert access.referral_from_request(request, value,
                                        action=AuditAction.REFERRAL_VIEWED) is None
    assert AuditEvent.objects.filter(action=AuditAction.REFERRAL_VIEWED,
                                     allowed=False).count() == 1


def test_a_real_id_out_of_scope_is_audited_with_its_id(world):
    request = RequestFactory().get("/")
    request.user = world["people"]["mash_worker"]
    sent = world["sent"]
    assert access.referral_from_request(request, str(sent.pk), need=Need.STAFF_VIEW,
                                        action=AuditAction.REFERRAL_VIEWED) is None
    assert AuditEvent.objects.get(allowed=False).referral_id == sent.pk


# --- every writer refuses an actor outside scope, whatever the view did ----------------------

def _transition_calls(referral_id):
    return {
        "decide": lambda actor: transitions.referral_decide(
            referral_id=referral_id, actor=actor, outcome=Outcome.NOT_SAFEGUARDING,
            detail="signposted", feedback=TOLD,
            criteria=CRITERIA_FOR[Outcome.NOT_SAFEGUARDING]),
        "info_request": lambda actor: transitions.referral_info_request(
            referral_id=referral_id, actor=actor, question="Who visits her?"),
        "reroute": lambda actor: transitions.referral_reroute(
            referral_id=referral_id, actor=actor, pathway="mash", reason="A child."),
        "close": lambda actor: transitions.referral_close(
            referral_id=referral_id, actor=actor, reason="Done", feedback=TOLD,
            msp_outcome="fully"),
        "withdraw": lambda actor: transitions.referral_withdraw(
            referral_id=referral_id, actor=actor, reason="Mistake"),
        "claim": lambda actor: triage_services.referral_claim(referral_id=referral_id,
                                                              actor=actor),
        "assign": lambda actor: triage_services.referral_assign(
            referral_id=referral_id, actor=actor, assignee=None),
        "note": lambda actor: triage_services.note_add(referral_id=referral_id, actor=actor,
                                                       text="A note"),
    }


@pytest.mark.parametrize("action", list(_transition_calls(0)))
@pytest.mark.parametrize("who", ["mash_worker", "lead", "colleague", "administrator"])
def test_staff_services_refuse_an_actor_out_of_scope(world, action, who):
    sent = world["sent"]
    events, audits = ReferralEvent.objects.count(), AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        _transition_calls(sent.pk)[action](world["people"][who])
    sent.refresh_from_db()
    assert sent.status == Status.SUBMITTED and sent.assignee_id is None
    assert sent.team.pathway == "oppd"
    assert ReferralEvent.objects.count() == events and AuditEvent.objects.count() == audits
    assert not InternalNote.objects.exists()


@pytest.mark.parametrize("who", ["mash_worker", "lead", "referrer", "superuser"])
def test_phone_feedback_refuses_anyone_but_the_team(world, make_user, who):
    """A superuser outside the team once passed (user.has_perm is True for superusers)."""
    people = {**world["people"], "superuser": make_user(
        "root@council.example.gov.uk", "Root", is_superuser=True, is_staff=True)}
    with pytest.raises(PermissionDenied):
        feedback_give_by_phone(referral=world["sent"], actor=people[who],
                               given_at=timezone.now(), summary="Told them.")
    assert not ReferralEvent.objects.filter(kind="feedback_by_phone").exists()


@pytest.mark.parametrize("who", ["colleague", "other_lead", "oppd_worker", "mash_worker"])
def test_referrer_updates_refuse_anyone_but_the_referrer_and_their_lead(world, who):
    sent, person = world["sent"], world["people"][who]
    events = ReferralEvent.objects.count()
    with pytest.raises(PermissionDenied):
        referral_information_add(referral=sent, actor=person, text="More", now=timezone.now())
    with pytest.raises(PermissionDenied):
        referral_chase(referral=sent, actor=person, now=timezone.now())
    assert ReferralEvent.objects.count() == events


def test_the_lead_may_add_information(world):
    event = referral_information_add(referral=world["sent"], actor=world["people"]["lead"],
                                     text="She has moved in with her son.",
                                     now=timezone.now())
    assert event.referral_id == world["sent"].pk


def test_draft_services_refuse_anyone_but_its_referrer(world):
    draft = world["draft"]
    for who in ("colleague", "lead", "oppd_worker"):
        with pytest.raises(PermissionDenied):
            services.draft_save_step(referral=draft, actor=world["people"][who],
                                     step_key="alleged", values={}, now=timezone.now())
        with pytest.raises(PermissionDenied):
            services.referral_submit(referral=draft, actor=world["people"][who],
                                     submission_key=uuid.uuid4())
    assert Referral.objects.get(pk=draft.pk).status == Status.DRAFT


def test_only_ascii_digits_name_a_referral(world):
    """int() reads other scripts' digits too: '٣' would otherwise name referral 3."""
    referrer, sent = world["people"]["referrer"], world["sent"]
    arabic = "".join(chr(0x660 + int(c)) for c in str(sent.pk))
    assert access.referral_load(referrer, str(sent.pk)) == sent
    assert access.referral_load(referrer, sent.pk) == sent
    for value in (arabic, f" {sent.pk}", f"{sent.pk}.0", True, None):
        assert access.referral_load(referrer, value) is None


@pytest.mark.parametrize("who", ["colleague", "other_lead", "mash_worker"])
def test_a_reply_for_the_referrer_side_is_refused_outside_it(world, who):
    """referral_info_receive(for_referrer=True) trusts no caller: the policy is asked again."""
    sent = world["sent"]
    transitions.referral_info_request(referral_id=sent.pk, actor=world["people"]["oppd_worker"],
                                      question="Who visits her?")
    events = ReferralEvent.objects.count()
    with pytest.raises(PermissionDenied):
        transitions.referral_info_receive(referral_id=sent.pk, actor=world["people"][who],
                                          information="Her son.", for_referrer=True)
    assert Referral.objects.get(pk=sent.pk).status == Status.INFO_REQUESTED
    assert ReferralEvent.objects.count() == events
