import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_start_page_and_sign_in_are_accessible(visit, sign_in, referrer, password):
    page = visit("/")
    assert page.get_by_role("heading", level=1).inner_text() == "Make a safeguarding referral"
    sign_in(referrer.email, password)
    assert "Welcome, Dana" in page.content()
