"""Council administrators read a referral's audit; nobody else can; reading is audited."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import audit_record
from core.vocabulary import AuditAction
from tests.conftest import otp_login


@pytest.fixture
def history(db, referrer):
    audit_record(action=AuditAction.REFERRAL_VIEWED, actor=referrer, referral_id=12)
    audit_record(action=AuditAction.ACCESS_REFUSED, referral_id=12, allowed=False)
    audit_record(action=AuditAction.REFERRAL_VIEWED, actor=referrer, referral_id=13)


def test_an_administrator_reads_one_referrals_audit(client, council_admin, history,
                                                    mfa_enforced):
    otp_login(client, council_admin)
    page = client.get(reverse("audit:referral", args=[12]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "2 events" in text and "Refused" in text and "Dana Volunteer" in text
    # The action in words (AuditAction's label), not its stored code.
    assert "Viewed a referral" in text and "referral.viewed" not in text
    assert AuditEvent.objects.filter(action="audit.viewed", actor=council_admin,
                                     referral_id=12).exists()


@pytest.mark.parametrize("who", ["referrer", "staff"])
def test_others_are_refused_and_the_refusal_is_audited(client, who, referrer, staff_member,
                                                       history, mfa_enforced):
    user = referrer if who == "referrer" else staff_member("mash", role="manager")
    otp_login(client, user)
    page = client.get(reverse("audit:referral", args=[12]))
    assert page.status_code == 403
    assert b"Dana Volunteer" not in page.content
    assert AuditEvent.objects.filter(action="access.refused", actor=user, referral_id=12,
                                     allowed=False).exists()


def test_the_admin_shows_the_audit_read_only(client, council_admin, history, mfa_enforced):
    otp_login(client, council_admin)
    listing = client.get("/admin/audit/auditevent/?q=12")
    assert listing.status_code == 200 and b"Viewed a referral" in listing.content
    event = AuditEvent.objects.filter(referral_id=12).first()
    change = client.get(f"/admin/audit/auditevent/{event.pk}/change/")
    assert change.status_code == 200 and b'name="action"' not in change.content
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}
                       ).status_code == 403
