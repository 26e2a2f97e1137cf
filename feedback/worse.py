""""Things have got worse": the referrer (or their organisation's lead) re-flags an open
referral as urgent, saying what changed (issue 15).

In one transaction: the referral becomes urgent (the team's queue puts urgent referrals first),
the change goes on both timelines (referrals.record), and the team's managers, duty managers and
the assignee are told at once (outbox). Outside working time (pathways.calendar: Monday to Friday
9am to 5pm, not bank holidays or closure days) the Emergency Duty Team's address is emailed too.
The result says, honestly, who has been told and when the team will next be at work, for the
confirmation the referrer reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.recipients import TeamPeople, breach_recipients
from core.vocabulary import EventKind, Status
from outbox.dispatch import notices_enqueue_on_commit
from outbox.models import Channel
from outbox.wording import when_text
from outbox.write import notice_queue
from pathways import contacts
from pathways.calendar import WorkingCalendar
from pathways.policies import working_calendar
from referrals import access
from referrals.models import Referral, ReferralEvent
from referrals.record import record

WORSE_MAX_CHARS = 5000


@dataclass(frozen=True)
class WorseResult:
    event: ReferralEvent
    team_name: str
    managers_told: int
    assignee_told: bool
    in_hours: bool
    edt_emailed: bool
    edt_phone: str
    team_opens: datetime | None  # out of hours: when the team is next at work

    def sentences(self) -> list[str]:
        """What the confirmation page says, in plain words."""
        told = []
        if self.managers_told:
            told.append(f"the {self.team_name}'s {'manager has' if self.managers_told == 1 else 'managers have'} "
                        "been told by email and in the portal")
        if self.assignee_told:
            told.append("the worker looking after the referral has been told")
        if not told:
            told.append(f"the {self.team_name}'s shared inbox has been emailed")
        lines = [_sentence(" and ".join(told)) + "."]
        if self.in_hours:
            lines.append(f"The referral is now marked urgent and is at the top of the "
                         f"{self.team_name}'s list.")
            return lines
        if self.edt_emailed:
            lines.append("It is out of hours, so the Emergency Duty Team has been emailed.")
        else:
            lines.append("It is out of hours, and the Emergency Duty Team could not be emailed"
                         f"{': phone them on ' + self.edt_phone if self.edt_phone else ''}.")
        if self.team_opens is not None:
            lines.append(f"The {self.team_name} will see it at {when_text(self.team_opens)}, "
                         "when it next opens.")
        return lines


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def team_opens(now: datetime, calendar: WorkingCalendar) -> datetime | None:
    """None in working time; otherwise the next opening (9am on the next working day, or today
    before 9am on a working day)."""
    return calendar.next_opening(now)


def edt_contact() -> tuple[str, str]:
    """The Emergency Duty Team's email (the setting, else its contact point's) and phone."""
    return contacts.edt_contact()


@transaction.atomic
def referral_worsen(*, referral: Referral, actor, what_changed: str, now: datetime,
                    request=None) -> WorseResult:
    referral = (Referral.objects.select_for_update(of=("self",))
                .select_related("team", "assignee").get(pk=referral.pk))
    access.require_follow(actor, referral)
    if referral.status not in Status.open():
        raise ValidationError("This referral is closed. If you have a new concern, make a new "
                              "referral.")
    what_changed = (what_changed or "").strip()
    if not what_changed:
        raise ValidationError({"what_changed": "Enter what has changed."})
    if len(what_changed) > WORSE_MAX_CHARS:
        raise ValidationError(
            {"what_changed": f"What has changed must be {WORSE_MAX_CHARS} characters or fewer."})
    calendar = working_calendar()
    opens = team_opens(now, calendar)
    was_urgent = referral.urgent
    if not was_urgent:
        referral.urgent = True
        referral.urgent_reason = "The referrer said things have got worse."
        referral.save(update_fields=["urgent", "urgent_reason"])
    people = TeamPeople([referral])
    team = people.team_of(referral)
    managers = breach_recipients(referral, people)  # the managers and the duty managers
    assignee = referral.assignee if referral.assignee_id and referral.assignee.is_active else None
    edt_email, edt_phone = edt_contact() if opens is not None else ("", "")
    event = record(
        referral=referral, kind=EventKind.WORSENED, actor=actor, request=request, at=now,
        reason=what_changed, visible_to_referrer=True,
        detail={"was_urgent": was_urgent, "out_of_hours": opens is not None},
        audit_detail={"chars": len(what_changed), "was_urgent": was_urgent,
                      "managers": len(managers), "out_of_hours": opens is not None,
                      "edt_emailed": bool(edt_email)},
    )
    team_name = team.name if team is not None else "council's safeguarding team"
    subject = f"Urgent: things have got worse on referral {referral.reference}"
    body = (f"The referrer of safeguarding referral {referral.reference} says things have got "
            "worse. It is now marked urgent. Sign in to read what has changed and act on it now.")
    key = f"worse:{event.pk}"
    notices = []
    for person in {p.pk: p for p in [*managers, *([assignee] if assignee else [])]}.values():
        for channel in (Channel.PORTAL, Channel.EMAIL):
            notices.append(notice_queue(kind="worsened", subject=subject, body=body,
                                        recipient=person, referral=referral, channel=channel,
                                        send_after_commit=False,
                                        dedupe_key=f"{key}:{person.pk}:{channel}"))
    if not managers and not assignee and team is not None and team.email:
        notices.append(notice_queue(kind="worsened", subject=subject, body=body,
                                    recipient_email=team.email, referral=referral,
                                    send_after_commit=False, dedupe_key=f"{key}:team"))
    if edt_email:
        notices.append(notice_queue(
            kind="worsened_edt", subject=subject, recipient_email=edt_email, referral=referral,
            body=(f"Out of hours: the referrer of safeguarding referral {referral.reference} to "
                  f"the {team_name} says things have got worse. The team opens at "
                  f"{when_text(opens)}. If you need to act before then, the referral's details "
                  "are in the portal for staff who can see it; otherwise phone the referrer "
                  "through the team's out-of-hours arrangements."),
            send_after_commit=False, dedupe_key=f"{key}:edt"))
    notices_enqueue_on_commit([n for n in notices if n is not None])
    return WorseResult(event=event, team_name=team_name, managers_told=len(managers),
                       assignee_told=assignee is not None, in_hours=opens is None,
                       edt_emailed=bool(edt_email), edt_phone=edt_phone, team_opens=opens)
