"""What each notice says, in general words only.

Notices can leave the portal by email, so they carry the referral's reference, what changed in
general words and where to sign in: never the person's name, date of birth, address or any
detail of the concern. The full story is behind sign-in (feedback:status).
"""

from zoneinfo import ZoneInfo

from django.db import models
from django.urls import reverse

from core import timetext
from pathways.deadlines import deadlines_open_for

LONDON = ZoneInfo("Europe/London")


class NoticeKind(models.TextChoices):
    # To the referrer.
    ACKNOWLEDGEMENT = "acknowledgement", "Referral received"
    DECISION = "feedback:decision", "Decision"
    INFO_REQUESTED = "info_requested", "More information requested"
    INFO_RECEIVED = "info_received", "Information received: back with the team"
    REROUTED = "rerouted", "Passed to another team"
    ENQUIRY_STARTED = "enquiry_started", "Safeguarding enquiry started"
    ENQUIRY_CONCLUDED = "enquiry_concluded", "Safeguarding enquiry concluded"
    CLOSED = "closed", "Referral closed"
    # To staff.
    INFORMATION_ADDED = "information_added", "Referrer added information"
    CHASED = "chased", "Referrer chased a missed timeframe"

    @classmethod
    def to_referrer(cls) -> tuple[str, ...]:
        return (cls.ACKNOWLEDGEMENT, cls.DECISION, cls.INFO_REQUESTED, cls.INFO_RECEIVED,
                cls.REROUTED, cls.ENQUIRY_STARTED, cls.ENQUIRY_CONCLUDED, cls.CLOSED)


def when_text(at) -> str:
    """'5pm on Monday 23 November 2026' in London time (core.timetext, the one formatter)."""
    return timetext.when_text(at)


def _team_words(referral) -> str:
    return f"the {referral.team.name}" if referral.team_id else "the council's safeguarding team"


READ = object()  # notice_text: read the decision clock's due time from the database


def _decision_due(referral):
    clock = deadlines_open_for(referral).exclude(kind="feedback").first()
    return clock.due_at if clock is not None else None


def _acknowledgement(referral, decision_due=None) -> tuple[str, str]:
    due = _decision_due(referral) if decision_due is READ else decision_due
    by_when = (
        f" We aim to decide by {when_text(due)}."
        if due is not None
        else " We aim to decide within the timeframe for this kind of referral."
    )
    return (
        f"Safeguarding referral {referral.reference} received",
        f"We have received your safeguarding referral. Its reference is {referral.reference}.\n\n"
        f"What happens next: {_team_words(referral)} will look at it and decide whether it is a "
        f"safeguarding concern and what should happen.{by_when} We will tell you the decision.\n\n"
        "If anyone is in immediate danger, call 999.",
    )


_SIMPLE = {
    NoticeKind.DECISION: (
        "Decision on safeguarding referral {ref}",
        "A decision has been made on your safeguarding referral {ref}. Sign in to read whether it "
        "is a safeguarding concern, the reason, and what happens next.",
    ),
    NoticeKind.INFO_REQUESTED: (
        "More information needed for safeguarding referral {ref}",
        "{Team} needs more information about your safeguarding referral {ref}. Sign in to see "
        "what is needed and to add it.",
    ),
    NoticeKind.INFO_RECEIVED: (
        "Information received for safeguarding referral {ref}",
        "{Team} has received the information it asked for about your safeguarding referral "
        "{ref}. The referral is back with the team, which is looking at it again. You do not "
        "need to do anything.",
    ),
    NoticeKind.REROUTED: (
        "Safeguarding referral {ref} passed to another team",
        "Your safeguarding referral {ref} has been passed to {team}, which is the right team to "
        "look at it. You do not need to do anything. Sign in to see the team's contact details.",
    ),
    NoticeKind.ENQUIRY_STARTED: (
        "Safeguarding enquiry started for referral {ref}",
        "A safeguarding enquiry has started following your referral {ref}. We will tell you when "
        "it concludes, as far as the person's consent allows.",
    ),
    NoticeKind.ENQUIRY_CONCLUDED: (
        "Safeguarding enquiry concluded for referral {ref}",
        "The safeguarding enquiry that followed your referral {ref} has concluded. Sign in to "
        "read what we can share.",
    ),
    NoticeKind.CLOSED: (
        "Safeguarding referral {ref} closed",
        "Your safeguarding referral {ref} has been closed. Sign in to see the outcome and who to "
        "contact if you have a new concern.",
    ),
    NoticeKind.INFORMATION_ADDED: (
        "New information on safeguarding referral {ref}",
        "The referrer has added information to safeguarding referral {ref}. Sign in to read it "
        "on the referral's timeline.",
    ),
    NoticeKind.CHASED: (
        "Referrer chased safeguarding referral {ref}",
        "The referrer of safeguarding referral {ref} has chased it because a timeframe was "
        "missed. Sign in to see which clock and to respond.",
    ),
}


def notice_text(kind: str, referral, *, decision_due=READ) -> tuple[str, str]:
    """The subject and body for a notice of this kind about this referral. `decision_due`: the
    acknowledgement's decision clock due time (None: no clock) when the caller has it in hand
    (a submission has just opened it); read from the referral's clocks otherwise."""
    if kind == NoticeKind.ACKNOWLEDGEMENT:
        return _acknowledgement(referral, decision_due)
    # Every decision's feedback ("feedback:<decision kind>") shares the decision wording.
    key = NoticeKind.DECISION if kind.startswith("feedback:") else kind
    if key not in _SIMPLE:
        raise ValueError(f"No wording for notice kind {kind!r}")
    subject, body = _SIMPLE[key]
    team = _team_words(referral)
    words = {"ref": referral.reference, "team": team, "Team": team[0].upper() + team[1:]}
    return subject.format(**words), body.format(**words)


def sign_in_link(site_url: str, referral_id: int | None, *, staff: bool) -> str:
    """Where the email points: sign in, then the referral (integer id only, never details)."""
    sign_in = f"{site_url}{reverse('accounts:sign-in')}"
    if referral_id is None or staff:
        return sign_in
    return f"{sign_in}?next={reverse('feedback:status', args=[referral_id])}"
