from datetime import date

import pytest

from pathways.routing import age_on, route_suggest

TODAY = date(2026, 11, 21)

# The rules are rows (migration pathways 0008); these read them.
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("need", "dob", "age", "expected"),
    [
        ("older_physical", date(1940, 1, 1), None, "oppd"),
        ("mental_health", None, 45, "mental-health"),
        ("learning_disability", None, None, "learning-disabilities"),
        ("older_physical", date(2010, 1, 1), None, "mash"),  # 16: a child, whatever the need
        ("mental_health", None, 17, "mash"),
        ("not_sure", None, 30, "front-door"),
        ("not_sure", None, None, "front-door"),
        ("not_sure", None, 12, "mash"),
        # A date of birth wins over an approximate age.
        ("mental_health", date(2008, 11, 22), 40, "mash"),  # 17 until tomorrow
        ("mental_health", date(2008, 11, 21), 10, "mental-health"),  # 18 today
    ],
)
def test_route_suggest(need, dob, age, expected):
    front_door = "learning-disabilities" if expected == "front-door" else "oppd"
    suggestion = route_suggest(main_need=need, today=TODAY, front_door=front_door, dob=dob,
                               age=age)
    assert suggestion.pathway == (front_door if expected == "front-door" else expected)
    assert suggestion.reason and "\n" not in suggestion.reason


def test_reason_says_why():
    child = route_suggest(main_need="mental_health", today=TODAY, front_door="oppd", age=15)
    assert "under 18" in child.reason
    unsure = route_suggest(main_need="not_sure", today=TODAY, front_door="oppd", age=50)
    assert "not sure" in unsure.reason


def test_age_on_birthday_boundaries():
    assert age_on(date(2000, 2, 29), date(2018, 2, 28)) == 17
    assert age_on(date(2000, 2, 29), date(2018, 3, 1)) == 18
