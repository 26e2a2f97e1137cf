"""No personal details in emails: every notice kind's email holds the reference, general
words and a sign-in link, never the person's name, date of birth, postcode or address."""

import pytest
from django.core import mail

from feedback.services import feedback_owe
from outbox.channels import email_body
from outbox.models import Channel
from outbox.send import notice_send_now
from outbox.wording import NoticeKind
from outbox.write import notice_queue
from pathways.deadlines import deadline_open

from .factories import PERSON_ADDRESS, PERSON_DOB, PERSON_NAME, PERSON_POSTCODE

DOB_FORMS = [
    PERSON_DOB.isoformat(), PERSON_DOB.strftime("%d/%m/%Y"), PERSON_DOB.strftime("%-d %B %Y"),
    PERSON_DOB.strftime("%d %B %Y"), PERSON_DOB.strftime("%d-%m-%Y"),
]
PERSONAL = [PERSON_NAME, *PERSON_NAME.split(), PERSON_POSTCODE, PERSON_POSTCODE.replace(" ", ""),
            PERSON_ADDRESS, "Grove Lane", *DOB_FORMS]


def assert_no_personal_details(text: str):
    lowered = text.lower()
    for detail in PERSONAL:
        assert detail.lower() not in lowered, f"personal detail {detail!r} in: {text}"


@pytest.mark.parametrize("kind", [kind.value for kind in NoticeKind])
def test_every_notice_kind_email_holds_no_personal_details(kind, referral):
    deadline_open(referral=referral, kind="concern_decision", starts=referral.received_at)
    recipient = referral.assignee if kind in ("information_added", "chased") else referral.referrer
    notice = notice_queue(kind=kind, recipient=recipient, referral=referral,
                          channel=Channel.EMAIL)
    notice_send_now(notice.pk)
    [email] = mail.outbox
    for text in (email.subject, email.body, email_body(notice)):
        assert_no_personal_details(text)
    assert referral.reference in email.subject
    assert "/account/sign-in/" in email.body


def test_decision_email_carries_no_outcome_detail(referral, django_capture_on_commit_callbacks):
    """The decision's reason can name people: it stays behind sign-in."""
    with django_capture_on_commit_callbacks(execute=True):
        feedback_owe(referral=referral, kind="decision", outcome_text="Not a safeguarding concern",
                     reason=f"{PERSON_NAME} at {PERSON_POSTCODE} has support already.",
                     signposting="Age UK Lewisham and Southwark")
    [email] = mail.outbox
    assert_no_personal_details(email.body)
    assert "has support already" not in email.body
    assert "Not a safeguarding concern" not in email.body


def test_acknowledgement_says_what_happens_next_and_by_when(referral):
    clock = deadline_open(referral=referral, kind="concern_decision",
                          starts=referral.received_at)
    notice = notice_queue(kind="acknowledgement", recipient=referral.referrer, referral=referral)
    assert referral.reference in notice.body
    assert "What happens next" in notice.body
    assert f"{clock.due_at.astimezone().year}" in notice.body
    assert "We aim to decide by" in notice.body


def test_unknown_kind_without_words_is_refused(referral):
    with pytest.raises(ValueError, match="No wording"):
        notice_queue(kind="mystery", recipient=referral.referrer, referral=referral)
