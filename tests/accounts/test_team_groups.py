import pytest

from accounts.models import TeamMembership


@pytest.mark.django_db
def test_team_membership_puts_the_person_in_the_team_group_and_out_again(make_user, teams):
    user = make_user("worker@council.example.gov.uk")
    membership = TeamMembership.objects.create(user=user, team=teams["oppd"])
    assert teams["oppd"].group in user.groups.all()

    membership.delete()
    assert teams["oppd"].group not in user.groups.all()


@pytest.mark.django_db
def test_a_team_member_has_the_team_groups_object_permissions(staff_member, teams, referrer):
    from tests.factories.referrals import referral_with

    referral = referral_with(referrer)  # submission grants the OPPD team's group access
    oppd_worker = staff_member("oppd")
    mash_worker = staff_member("mash")
    assert oppd_worker.has_perm("referrals.view_referral", referral)
    assert not mash_worker.has_perm("referrals.view_referral", referral)
