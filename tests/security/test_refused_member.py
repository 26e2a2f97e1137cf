"""Issue 14, attack 5: a member whose membership is refused or removed after starting a draft
can neither carry on with it nor send it, through the pages or the services."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, MembershipStatus
from audit.models import AuditEvent
from referrals import services
from referrals.models import Referral
from referrals.workflow import Status
from tests.referrals.factories import complete_draft

pytestmark = pytest.mark.django_db


def refuse(referrer):
    # What a council administrator's change in the admin does to the row.
    Membership.objects.filter(user=referrer).update(status=MembershipStatus.REFUSED)


def remove(referrer):
    Membership.objects.filter(user=referrer).delete()


@pytest.fixture(params=[refuse, remove], ids=["refused", "removed"])
def stopped_draft(request, referrer, teams):
    draft = complete_draft(referrer)
    request.param(referrer)
    referrer.refresh_from_db()
    return draft


def test_the_pages_refuse_with_a_clear_message(client, referrer, stopped_draft):
    client.force_login(referrer)
    pages = [
        ("get", reverse("referrals:resume", args=[stopped_draft.pk]), {}),
        ("get", reverse("referrals:step", args=[stopped_draft.pk, "person"]), {}),
        ("post", reverse("referrals:step", args=[stopped_draft.pk, "concern"]),
         {"what_happened": "Changed after refusal"}),
        ("post", reverse("referrals:step", args=[stopped_draft.pk, "alleged"]),
         {"action": "remove", "person": "1"}),
        ("get", reverse("referrals:check", args=[stopped_draft.pk]), {}),
        ("post", reverse("referrals:check", args=[stopped_draft.pk]),
         {"submission_key": str(uuid.uuid4())}),
    ]
    for method, url, data in pages:
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, url
        assert "your membership is not approved" in response.content.decode(), url
    stopped_draft.refresh_from_db()
    assert stopped_draft.status == Status.DRAFT
    assert stopped_draft.answers["what_happened"] != "Changed after refusal"
    assert AuditEvent.objects.filter(action="referral.draft_refused", allowed=False,
                                     referral_id=stopped_draft.pk).count() == len(pages)


def test_the_services_refuse_too(referrer, stopped_draft):
    with pytest.raises(PermissionDenied):
        services.referral_submit(referral=stopped_draft, actor=referrer,
                                 submission_key=uuid.uuid4())
    with pytest.raises(PermissionDenied):
        services.draft_save_step(referral=stopped_draft, actor=referrer, step_key="concern",
                                 values={}, now=timezone.now())
    assert Referral.objects.get(pk=stopped_draft.pk).status == Status.DRAFT


def test_an_approved_member_still_sends_their_draft(client, referrer, teams):
    draft = complete_draft(referrer)
    client.force_login(referrer)
    response = client.post(reverse("referrals:check", args=[draft.pk]),
                           {"submission_key": str(uuid.uuid4())})
    assert response.url == reverse("referrals:confirmation", args=[draft.pk])
