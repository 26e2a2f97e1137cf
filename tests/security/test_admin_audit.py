"""Issue 14, attack 2: the Django admin was a way round the audit.

A referral's record cannot be deleted in the admin (the delete page, GET and POST, and the bulk
"delete selected" action); every list and object page read there writes one audit row; every
change writes one; and a change to someone's email, password or second factor is told to them
at the address they had before.
"""

import uuid

import pytest
from django.contrib import admin
from django.core import mail
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Team, TeamMembership, User
from audit.admin_mixins import AuditedAdminMixin
from audit.models import AuditEvent
from feedback.models import FeedbackRecord
from outbox.models import Notice
from pathways.models import Deadline
from referrals.models import Referral
from referrals.services import referral_submit
from referrals.workflow import Outcome
from tests.factories.triage import CRITERIA_FOR
from tests.referrals.factories import complete_draft
from triage import transitions
from triage.models import Decision, InternalNote
from triage.services import note_add
from triage.transitions import Feedback

pytestmark = pytest.mark.django_db

SIGNPOSTED = Feedback(outcome_text="This is not a safeguarding concern.",
                      reason="There is no sign of abuse or neglect.",
                      signposting="Southwark Carers can help: 020 7708 4497.")


@pytest.fixture
def record(referrer, staff_member):
    """A referral with a note, a decision, a feedback record, notices and clocks, all made by
    the services the forms call."""
    referral = referral_submit(referral=complete_draft(referrer), actor=referrer,
                               submission_key=uuid.uuid4())
    worker = staff_member(referral.pathway)
    note_add(referral_id=referral.pk, actor=worker, text="Known to housing.")
    transitions.referral_decide(referral_id=referral.pk, actor=worker,
                                outcome=Outcome.NOT_SAFEGUARDING, detail="signposted",
                                feedback=SIGNPOSTED,
                                criteria=CRITERIA_FOR[Outcome.NOT_SAFEGUARDING])
    return referral


@pytest.fixture
def admin_client(client, make_user):
    boss = make_user("root@council.example.gov.uk", "Root Admin", is_council_admin=True,
                     is_staff=True, is_superuser=True)
    client.force_login(boss)
    client.boss = boss
    return client


RECORD_MODELS = [InternalNote, Decision, FeedbackRecord, Notice, Deadline]


def _url(model, view, *args):
    meta = model._meta
    return f"/admin/{meta.app_label}/{meta.model_name}/" + (
        f"{args[0]}/{view}/" if args else "")


def _rows(action, **filters):
    return AuditEvent.objects.filter(action=action, **filters)


@pytest.mark.parametrize("model", RECORD_MODELS, ids=lambda m: m.__name__)
def test_a_referrals_record_cannot_be_deleted_in_the_admin(model, record, admin_client):
    rows = model.objects.filter(referral=record)
    pks = sorted(rows.values_list("pk", flat=True))
    assert pks, "the services made no such row"
    delete_page = _url(model, "delete", pks[0])
    assert admin_client.get(delete_page).status_code == 403
    assert admin_client.post(delete_page, {"post": "yes"}).status_code == 403
    changelist = _url(model, "")
    action_form = admin_client.get(changelist).context["action_form"]
    offered = [value for value, _label in action_form.fields["action"].choices] \
        if action_form is not None else []
    assert "delete_selected" not in offered
    admin_client.post(changelist, {"action": "delete_selected", "post": "yes",
                                   "_selected_action": [str(pk) for pk in pks]})
    assert sorted(model.objects.filter(referral=record).values_list("pk", flat=True)) == pks
    assert not _rows("admin.deleted").exists()


@pytest.mark.parametrize("model", RECORD_MODELS, ids=lambda m: m.__name__)
def test_each_read_in_the_admin_is_audited_once(model, record, admin_client):
    obj = model.objects.filter(referral=record).first()
    assert admin_client.get(_url(model, "")).status_code == 200
    listed = _rows("admin.listed", actor=admin_client.boss)
    assert listed.count() == 1
    assert str(obj.pk) in listed.get().detail["ids"]
    assert record.pk in listed.get().detail["referral_ids"]
    assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200
    viewed = _rows("admin.viewed", actor=admin_client.boss)
    assert viewed.count() == 1
    row = viewed.get()
    assert (row.referral_id, row.object_id, row.object_type) == (
        record.pk, str(obj.pk), model._meta.label_lower)


def test_every_admin_page_is_under_the_audit():
    """Whatever is registered later must use the mixin too."""
    missing = [model._meta.label for model, model_admin in admin.site._registry.items()
               if not isinstance(model_admin, AuditedAdminMixin)]
    assert missing == []


def test_no_admin_page_may_delete_a_row_of_a_referral(rf, admin_client):
    """Any model with a referral behind it, registered now or later, refuses deletion."""
    request = rf.get("/admin/")
    request.user = admin_client.boss
    deletable = [model._meta.label for model, model_admin in admin.site._registry.items()
                 if any(getattr(field, "related_model", None) is Referral
                        for field in model._meta.fields)
                 and model_admin.has_delete_permission(request)]
    assert deletable == []


def test_changing_a_persons_email_is_audited_and_told_at_the_old_address(
        admin_client, referrer, django_capture_on_commit_callbacks):
    page = admin_client.get(_url(User, "change", referrer.pk))
    data = {key: value for key, value in page.context["adminform"].form.initial.items()
            if value is not None and key not in ("password", "groups", "last_login",
                                                 "date_joined")}
    data.update(email="attacker@example.net", groups=[])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(_url(User, "change", referrer.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    referrer.refresh_from_db()
    assert referrer.email == "attacker@example.net"
    changed = _rows("admin.changed", object_id=str(referrer.pk)).get()
    assert changed.actor == admin_client.boss
    assert "Email address" in str(changed.detail["changes"]) or "email" in str(
        changed.detail["changes"]).lower()
    assert "attacker" not in str(changed.detail)
    [notice] = mail.outbox
    assert notice.to == ["volunteer@daycentre.example.org"]
    assert "email address you sign in with" in notice.body
    assert "attacker" not in notice.body and "Dana" not in notice.body


def test_changing_a_password_is_audited_and_told(admin_client, referrer,
                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/accounts/user/{referrer.pk}/password/", {
            "password1": "a-brand-new-passphrase-77", "password2": "a-brand-new-passphrase-77",
            "usable_password": "true"})
    assert response.status_code == 302
    referrer.refresh_from_db()
    assert referrer.check_password("a-brand-new-passphrase-77")
    assert _rows("admin.changed", object_id=str(referrer.pk)).count() == 1
    [notice] = mail.outbox
    assert notice.to == [referrer.email] and "your password" in notice.body
    assert "a-brand-new-passphrase-77" not in notice.body


def test_adding_and_deleting_an_authenticator_is_audited_and_told(
        admin_client, referrer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin/otp_totp/totpdevice/add/", {
            "user": referrer.pk, "name": "Admin's phone", "confirmed": "on",
            "key": "3132333435363738393031323334353637383930", "step": 30, "t0": 0,
            "digits": 6, "tolerance": 1, "drift": 0, "throttling_failure_count": 0})
    assert response.status_code == 302, response.context["adminform"].form.errors
    device = TOTPDevice.objects.get(user=referrer)
    assert _rows("admin.added", object_type="otp_totp.totpdevice",
                 object_id=str(device.pk)).count() == 1
    assert [m.to for m in mail.outbox] == [[referrer.email]]
    assert "authenticator" in mail.outbox[0].body
    assert admin_client.get(_url(TOTPDevice, "delete", device.pk)).status_code == 200
    assert _rows("admin.viewed", object_id=str(device.pk), detail__page="delete").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(_url(TOTPDevice, "delete", device.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert _rows("admin.deleted", object_id=str(device.pk)).count() == 1
    assert len(mail.outbox) == 2


def test_team_memberships_and_roles_changed_inline_are_audited(admin_client, make_user):
    team = Team.objects.get(pathway="oppd")
    person = make_user("new.worker@council.example.gov.uk", "New Worker")
    page = admin_client.get(_url(Team, "change", team.pk))
    form = page.context["adminform"].form
    data = {key: value for key, value in form.initial.items()
            if value is not None and key not in ("id", "group")}
    if team.group_id:
        data["group"] = team.group_id
    data.update({"memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "0",
                 "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
                 "memberships-0-user": person.pk, "memberships-0-role": "manager",
                 "memberships-0-team": team.pk})
    response = admin_client.post(_url(Team, "change", team.pk), data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [f.errors for f in response.context["inline_admin_formsets"][0].formset])
    membership = TeamMembership.objects.get(user=person, team=team)
    assert membership.role == "manager"
    row = _rows("admin.added", object_type="accounts.teammembership").get()
    assert row.object_id == str(membership.pk) and row.actor == admin_client.boss
    assert _rows("admin.changed", object_type="accounts.team", object_id=str(team.pk)).exists()
