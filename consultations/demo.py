"""Demo requests for advice before referring (issue 15), so the dashboard's advice section
shows real figures: requested, called back in time or late, turned into a draft, and one
waiting that the real sweep marks as missed, each through the real services at a chosen time.
Idempotent: does nothing once a demo request exists. Needs accounts.demo first."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Team, User

from .models import Consultation
from .services import consultation_advise, consultation_convert, consultation_request
from .sweep import consultations_sweep

DEMO = "Demo: "

# (referrer, team's pathway, days ago, urgency, question, what staff did, hours later)
REQUESTS = [
    ("referrer@camberwell-daycentre.example.org", "oppd", 14, "soon",
     "A member's son has moved in and she seems frightened of him. Is this a referral?",
     "advise", 2),
    ("referrer@bellenden.example.sch.uk", "lado", 9, "today",
     "A parent says a volunteer at our after-school club messages pupils on social media. "
     "Should we refer to the LADO, and do we tell the volunteer?", "advise", 30),
    ("referrer@kch.example.nhs.uk", "mash", 3, "today",
     "A 15-year-old on the ward says she is staying with a man she met online.",
     "convert", 1),
    ("referrer@peckhamfoodbank.example.org", "mental-health", 2, "no_rush",
     "A regular says he is not taking his medication and is giving food away to people "
     "who pressure him. What can we do?", None, 0),
]


def _at(days_ago: int, now: datetime) -> datetime:
    """10am London time on that day: inside the working day on weekdays."""
    local = timezone.localtime(now - timedelta(days=days_ago))
    return local.replace(hour=10, minute=0, second=0, microsecond=0)


@transaction.atomic
def demo_consultations_ensure(*, now: datetime | None = None) -> int:
    """Create the demo requests once; returns how many it made."""
    if Consultation.objects.filter(question__startswith=DEMO).exists():
        return 0
    now = now or timezone.now()
    made = 0
    for email, pathway, days_ago, urgency, question, action, hours in REQUESTS:
        asker = User.objects.filter(email=email).first()
        team = Team.objects.filter(pathway=pathway).first()
        staff = User.objects.filter(email=f"triage.{pathway}@council.example.gov.uk").first()
        if asker is None or team is None or staff is None:
            continue
        at = _at(days_ago, now)
        consultation = consultation_request(
            actor=asker, team=team, question=DEMO + question, urgency=urgency,
            contact_phone="020 7946 0123", best_time="Mornings", now=at)
        answered = at + timedelta(hours=hours)
        if action == "advise":
            consultation_advise(consultation=consultation, actor=staff, now=answered,
                                advice="Called back. Talked it through: make a referral if she "
                                       "tells you again or you see signs of harm; the team's "
                                       "number is on the first page of the form.")
        elif action == "convert":
            consultation_convert(consultation=consultation, actor=staff, now=answered,
                                 advice="Called back: this is a safeguarding referral. A draft "
                                        "has been started from your question.")
        made += 1
    # The real sweep: a request not called back by its due time is marked missed (and the
    # team's managers told), as beat does every minute.
    consultations_sweep(now=now)
    return made
