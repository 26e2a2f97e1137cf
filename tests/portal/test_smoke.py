import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_migrations_are_complete():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_pathway_teams_exist(teams):
    assert sorted(teams) == ["all-age-disability", "lado", "learning-disabilities", "mash",
                             "mental-health", "oppd"]


@pytest.mark.django_db(transaction=True)
def test_demo_data_is_safe_to_rerun(demo):
    from accounts.models import User

    count = User.objects.count()
    call_command("demo_data", verbosity=0)
    assert User.objects.count() == count >= 11
