"""Details that erode trust (issue 18, item 8): one GOV.UK time formatter everywhere; check
your answers and the staff view without blank optional rows or "(optional)" labels; the lists'
status never ahead of the truth."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from core.vocabulary import Outcome, Status
from pathways.models import Deadline
from referrals.models import Referral
from tests.conftest import otp_login
from tests.factories import triage
from tests.factories.referrals import complete_draft, referral_with


@pytest.mark.parametrize(("utc", "words"), [
    (datetime(2026, 12, 2, 17, 0, tzinfo=UTC), "5pm"),
    (datetime(2026, 12, 2, 17, 30, tzinfo=UTC), "5:30pm"),
    (datetime(2026, 12, 2, 9, 5, tzinfo=UTC), "9:05am"),
    (datetime(2026, 12, 2, 12, 0, tzinfo=UTC), "midday"),
    (datetime(2026, 12, 2, 0, 0, tzinfo=UTC), "midnight"),
    (datetime(2026, 6, 2, 16, 0, tzinfo=UTC), "5pm"),  # British Summer Time
])
def test_times_are_written_the_gov_uk_way(utc, words):
    from core.timetext import time_text

    assert time_text(utc) == words


def test_dates_with_times():
    from core.timetext import date_time_text, when_text

    at = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    assert when_text(at) == "5pm on Monday 23 November 2026"
    assert date_time_text(at) == "23 November 2026 at 5pm"
    assert date_time_text(at, short=True) == "23 Nov 2026, 5pm"


# Templates that still format times their own way, each with why.
OWN_TIME_FORMAT = {
    "audit/templates/audit/referral_audit.html": "the audit log is in UTC to the second",
    "dashboard/sql.py": "SQLite's strftime in SQL, not a time shown to anyone",
}
TIME_IN_DATE_FILTER = re.compile(r"""\|\s*(?:date|time)\s*:\s*["'][^"']*[aAgGhHiPs]""")
TIME_IN_STRFTIME = re.compile(r"""strftime\(["'][^"']*%[IHMp]""")


def test_one_time_formatter_everywhere():
    root = Path(settings.BASE_DIR)
    offenders = []
    for path in [*root.glob("templates/**/*.html"), *root.glob("*/templates/**/*.html"),
                 *root.glob("templates/**/*.txt"), *root.glob("*/templates/**/*.txt")]:
        name = str(path.relative_to(root))
        if name in OWN_TIME_FORMAT or ".venv" in name:
            continue
        if TIME_IN_DATE_FILTER.search(path.read_text()):
            offenders.append(name)
    for path in root.glob("*/**/*.py"):
        name = str(path.relative_to(root))
        if name.startswith((".venv", "tests/")) or "migrations" in name or name in OWN_TIME_FORMAT:
            continue
        if TIME_IN_STRFTIME.search(path.read_text()):
            offenders.append(name)
    assert not offenders, f"format times with core.timetext (|time_text etc.): {offenders}"


@pytest.mark.django_db
def test_confirmation_gives_the_time_the_gov_uk_way(client, referrer):
    referral = referral_with(referrer)
    otp_login(client, referrer)
    page = client.get(reverse("referrals:confirmation", args=[referral.pk])).content.decode()
    assert "p.m." not in page and "a.m." not in page
    from core.timetext import when_text

    deadline = Deadline.objects.open().filter(referral=referral).exclude(kind="feedback").first()
    assert when_text(deadline.due_at) in page


@pytest.mark.django_db
def test_summaries_skip_blank_optional_rows_and_say_no_optional(client, referrer):
    draft = complete_draft(referrer)  # leaves optional questions such as other names blank
    otp_login(client, referrer)
    page = client.get(reverse("referrals:check", args=[draft.pk])).content.decode()
    keys = re.findall(r'<dt class="govuk-summary-list__key">\s*(.*?)\s*</dt>', page, re.S)
    assert keys and not [k for k in keys if "(optional)" in k]
    assert "Other names they use" not in page  # left blank: not a "Not given" row


@pytest.mark.django_db
def test_the_staff_view_skips_them_too(client, referrer):
    referral = referral_with(referrer)
    worker = triage.worker(referral)
    otp_login(client, worker)
    page = client.get(reverse("triage:referral", args=[referral.pk])).content.decode()
    assert "(optional)" not in page
    assert "Other names they use" not in page


def _listed(status, *open_kinds):
    from feedback.selectors import list_status_words

    referral = Referral(status=status)
    referral.open_deadlines = [Deadline(kind=kind) for kind in open_kinds]
    return list_status_words(referral)


def test_the_list_never_says_decision_made_while_a_rating_is_due():
    assert _listed(Status.MASH_DECIDED, "rag") != "Decision made"
    assert "still due" in _listed(Status.MASH_DECIDED, "rag")
    assert _listed(Status.MASH_DECIDED) == "Decision made"
    assert _listed(Status.MASH_DECIDED, "feedback") == "Decision made, feedback due"
    # The rating is the team's own: the referrer and the lead read "waiting for a decision".
    assert _listed(Status.RAG_RATED, "rag", "mash_decision") == Status.SUBMITTED.label


@pytest.mark.django_db
def test_the_leads_list_shows_the_true_state(client, referrer):
    from tests.factories.accounts import LeadFactory

    rated = referral_with(referrer, pathway="mash")
    triage.rag_rate(rated, "amber", triage.worker(rated))
    decided = referral_with(referrer)
    triage.decide(decided, Outcome.NOT_SAFEGUARDING, triage.worker(decided))
    lead = LeadFactory(organisation=referrer.membership.organisation)
    otp_login(client, lead)
    page = client.get(reverse("feedback:organisation")).content.decode()
    assert "Rated, waiting for a decision" not in page
    assert "Decision made, feedback due" in page
