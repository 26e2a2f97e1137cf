"""The parallel duties of one referral (issue 16, part 4): what the referrer is told on the form,
and the staff checklist's items opened at submission.

The rules are pathways.duties (rows, and a pure engine); this module gathers a referral's facts
for it. The step each trigger is answered on decides where the prompt first shows: on the page
after it, then on check your answers and the confirmation page.
"""

from __future__ import annotations

from datetime import datetime

from outbox.wording import when_text
from pathways.calendar import WorkingCalendar
from pathways.contacts import edt_contact
from pathways.duties import (
    DutyFacts,
    Triggered,
    duties_triggered,
    duty_rules,
    facts_of,
    out_of_hours,
)
from pathways.duty_models import DutyTrigger, Obligation
from pathways.policies import working_calendar

from .models import DutyState, Referral, ReferralDuty

# The form step whose answers decide each trigger (referrals.steps keys).
ANSWERED_ON = {
    DutyTrigger.OUT_OF_HOURS_URGENT: "urgency",
    DutyTrigger.PIPOT: "pathway",
    DutyTrigger.CATEGORIES: "concern",
    DutyTrigger.RISK_CHECKLIST: "risk-checklist",
    DutyTrigger.PRIVATE_FOSTERING: "child",
}


def facts_for(referral: Referral, *, now: datetime,
              calendar: WorkingCalendar | None = None) -> DutyFacts:
    """The referral's facts; the calendar is read only for an urgent referral (the one trigger
    that needs the time), so a routine submission pays nothing for it."""
    late = False
    if referral.urgent:
        late = out_of_hours(now, calendar or working_calendar())
    return facts_of(categories=referral.categories or (), answers=referral.answers or {},
                    urgent=referral.urgent, out_of_hours=late)


def duties_for(referral: Referral, *, now: datetime,
               calendar: WorkingCalendar | None = None) -> list[Triggered]:
    """What the referral's answers trigger, if it were sent at `now`."""
    return duties_triggered(duty_rules(), facts_for(referral, now=now, calendar=calendar))


def prompts_after(referral: Referral, previous_step: str | None, *,
                  now: datetime) -> list[Triggered]:
    """The duties to tell the referrer about on the page after `previous_step`: those whose
    trigger is answered there."""
    if previous_step is None:
        return []
    return [t for t in duties_for(referral, now=now)
            if ANSWERED_ON.get(t.rule.trigger) == previous_step]


def duties_open(referral: Referral, *, now: datetime,
                calendar: WorkingCalendar | None = None) -> list[Triggered]:
    """At submission: the checklist's items, one row per triggered duty (one INSERT, and none
    when nothing is triggered). Called inside the submission's transaction."""
    triggered = duties_for(referral, now=now, calendar=calendar)
    if triggered:
        ReferralDuty.objects.bulk_create([
            ReferralDuty(referral=referral, duty_id=t.rule.pk, reason=t.reason[:300],
                         triggered_at=now, state=DutyState.PENDING)
            for t in triggered
        ], ignore_conflicts=True)
    return triggered


def urgent_told(referral: Referral, *, calendar: WorkingCalendar | None = None) -> list[str]:
    """What the confirmation page says, honestly, about who was told of an urgent referral and
    when someone will look (issue 15, item 4), from the notices actually written."""
    if not referral.urgent or referral.received_at is None:
        return []
    team = referral.team.name if referral.team_id else "council's safeguarding team"
    notices = list(referral.notices.filter(
        kind__in=("urgent_referral", "urgent_referral_edt")).values_list(
            "kind", "recipient_id"))
    managers = {who for kind, who in notices if kind == "urgent_referral" and who}
    edt_emailed = any(kind == "urgent_referral_edt" for kind, _ in notices)
    opens = (calendar or working_calendar()).next_opening(referral.received_at)
    lines = []
    if managers:
        lines.append(f"You marked this referral as urgent, so the {team}'s "
                     f"{'manager has' if len(managers) == 1 else 'managers have'} been told by "
                     "email and in the portal.")
    else:
        lines.append(f"You marked this referral as urgent, so it is at the top of the {team}'s "
                     "list.")
    if opens is None:
        lines.append("If you have not already, phone the team today.")
        return lines
    if edt_emailed:
        lines.append(f"It was sent outside working hours, so the Emergency Duty Team has been "
                     f"emailed. The {team} will see it at {when_text(opens)}.")
    else:
        lines.append(f"It was sent outside working hours and the Emergency Duty Team could not "
                     f"be emailed: phone them. The {team} will see it at {when_text(opens)}.")
    return lines


# Said instead of the Emergency Duty Team's prompt when no address is set for it (the portal
# cannot email it): the confirmation page's words (urgent_told), before sending.
EDT_UNSET_TEXT = ("It is outside working hours and the Emergency Duty Team cannot be emailed "
                  "when you send this urgent referral (no address is set): phone them. If anyone "
                  "is in immediate danger, call 999.")


def prompt_items(triggered: list[Triggered]) -> list[dict]:
    """The referrer's view of triggered duties: name, what to do, the contact (no reasons: the
    reasons name answers, which the staff checklist shows). The out-of-hours prompt says the
    Emergency Duty Team is emailed only when it can be (an address is set), as the
    confirmation page does; the address is read only when that prompt is shown."""
    items = []
    for t in triggered:
        item = {"key": t.rule.key, "name": t.rule.name, "obligation": t.rule.obligation_label,
                "text": t.rule.referrer_text, "contact": t.rule.contact}
        if t.rule.trigger == DutyTrigger.OUT_OF_HOURS_URGENT and not edt_contact()[0]:
            item.update(obligation=Obligation.MUST.label, text=EDT_UNSET_TEXT)
        items.append(item)
    return items


def confirmation_items(referral: Referral) -> list[dict]:
    """The duties opened at submission, for the confirmation page. The Emergency Duty Team's
    item is said by urgent_told instead (what was actually emailed)."""
    rows = referral.duties.select_related("duty", "duty__contact").exclude(
        duty__obligation=Obligation.DONE_FOR_YOU)
    return [{"key": row.duty.key, "name": row.duty.name,
             "obligation": row.duty.get_obligation_display(), "text": row.duty.referrer_text,
             "contact": row.duty.contact} for row in rows]
