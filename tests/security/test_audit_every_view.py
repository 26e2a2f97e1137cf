"""Every page or file about a referral that someone is allowed to open writes an audit row for
that referral in the same request. Generated from the URLconf: a new referral URL is covered
without editing this file."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from accounts.models import Membership, MembershipRole, MembershipStatus
from audit.models import AuditEvent
from referrals.models import Attachment
from tests.referrals.factories import complete_draft
from tests.security.urlwalk import build_path, converters, url_patterns
from tests.triage.factories import referral_make

REFERRAL_PARAMS = {"pk", "referral_pk", "referral_id"}


@pytest.fixture
def people(referrer, organisation, make_user, staff_member, council_admin):
    lead = make_user("lead@daycentre.example.org", "Lena Lead")
    Membership.objects.create(user=lead, organisation=organisation,
                              status=MembershipStatus.APPROVED,
                              role=MembershipRole.SAFEGUARDING_LEAD)
    return {"referrer": referrer, "lead": lead, "worker": staff_member("oppd"),
            "manager": staff_member("oppd", role="manager"), "admin": council_admin}


@pytest.fixture
def objects(referrer):
    sent = referral_make(referrer=referrer)
    stored = default_storage.save("attachments/audit-test", ContentFile(b"%PDF-1.4\n"))
    attachment = Attachment.objects.create(referral=sent, stored_name=stored,
                                           original_name="a.pdf", content_type="application/pdf",
                                           size=9)
    yield {"sent": sent, "draft": complete_draft(referrer), "attachment": attachment}
    default_storage.delete(stored)


def referral_urls(objects):
    """(url name, path, referral) for every URL whose parameters are a referral (and its
    attachment), once with the sent referral and once with a draft."""
    out = []
    for entry in url_patterns():
        params = converters(entry)
        if not params or not REFERRAL_PARAMS & set(params) or entry.is_regex:
            continue
        if (entry.name or "").startswith("admin:"):
            continue  # the admin's own object ids (it shows the audit read-only, tests/audit)
        for referral in (objects["sent"], objects["draft"]):
            def value_for(name, converter, regex_body, referral=referral):
                if name in REFERRAL_PARAMS:
                    return referral.pk
                if name == "attachment_pk":
                    return objects["attachment"].pk
                if name == "key":
                    return "person"
                if name == "action":
                    return "decide"
                return "x"

            path, _ = build_path(entry, value_for)
            out.append((entry.name, path, referral))
    return out


def test_every_allowed_referral_page_is_audited(people, objects):
    opened, problems = set(), []
    for who, person in people.items():
        client = Client()
        client.force_login(person)
        for name, path, referral in referral_urls(objects):
            before = AuditEvent.objects.filter(referral_id=referral.pk, allowed=True).count()
            response = client.get(path)
            if response.status_code != 200:
                continue
            opened.add(name)
            after = AuditEvent.objects.filter(referral_id=referral.pk, allowed=True).count()
            if after <= before:
                problems.append((who, name, path))
    assert problems == []
    # The walk really opened the referrer's, the staff's and the administrator's pages.
    assert {"feedback:status", "referrals:pdf", "referrals:attachment", "referrals:step",
            "triage:referral", "audit:referral", "clocks:referral-clocks"} <= opened
