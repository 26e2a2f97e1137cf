"""The service-built factories reach every status the workflow table allows."""

import pytest

from accounts.models import MembershipRole, MembershipStatus
from referrals.workflow import Status
from tests.factories import accounts, triage
from tests.factories.referrals import ReferralFactory

pytestmark = pytest.mark.django_db


def test_people_are_signed_up_and_approved():
    referrer = accounts.ReferrerFactory()
    lead = accounts.LeadFactory(organisation=referrer.membership.organisation)
    assert referrer.membership.status == MembershipStatus.APPROVED
    assert lead.membership.role == MembershipRole.SAFEGUARDING_LEAD
    assert lead.membership.status == MembershipStatus.APPROVED


@pytest.mark.parametrize("child,status", [
    (False, Status.SUBMITTED), (False, Status.INFO_REQUESTED), (False, Status.ENQUIRY),
    (False, Status.PLAN_REVIEW), (False, Status.CONCERN_DECIDED), (False, Status.WITHDRAWN),
    (False, Status.CLOSED), (True, Status.RAG_RATED), (True, Status.MASH_DECIDED),
])
def test_a_referral_reaches_each_status_through_the_services(child, status):
    referral = ReferralFactory(child=child)
    assert referral.status == Status.SUBMITTED and referral.reference
    assert referral.team.pathway == ("mash" if child else "oppd")
    assert triage.to_status(referral, status).status == status


def test_options_reach_the_referral():
    referral = ReferralFactory(consent="no", feedback_preference="phone_only", urgent=True,
                               pathway="mental-health")
    assert (referral.consent, referral.feedback_preference, referral.urgent,
            referral.pathway) == ("no", "phone_only", True, "mental-health")
