"""Writers of a request for advice: ask, record the advice, turn it into a draft referral, and
the sweep's "not called back in time". Keyword-only, atomic; who may is the one access policy
(referrals.access); every change has its audit row; notices go through the outbox."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Team
from accounts.roles import role_of
from audit.services import audit_record
from core.vocabulary import AuditAction, ClockKind, Role
from outbox.dispatch import notices_enqueue_on_commit
from outbox.models import Channel
from outbox.wording import when_text
from outbox.write import notice_queue
from pathways.clocks import compute
from pathways.policies import policy_rule, rule_to_json, working_calendar
from referrals import access
from referrals.access import OutOfScope
from referrals.references import ALPHABET
from referrals.services.drafts import draft_save_step, draft_start

from .models import Consultation, ConsultationState

QUESTION_MAX_CHARS = 3000
ADVICE_MAX_CHARS = 5000
MAY_ASK = (Role.REFERRER, Role.ORGANISATION_LEAD)


def reference_new() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"AD-{chars[:4]}-{chars[4:]}"


def may_ask(user) -> bool:
    info = role_of(user)
    return info.role in MAY_ASK and info.organisation is not None


@transaction.atomic
def consultation_request(*, actor, team: Team, question: str, urgency: str, contact_phone: str,
                         best_time: str, now: datetime, request=None) -> Consultation:
    """Ask a team for advice before referring: a reference and a call-back clock."""
    if not may_ask(actor):
        raise OutOfScope("Only approved members of an organisation can ask for advice.")
    question = (question or "").strip()
    if not question:
        raise ValidationError({"question": "Enter your question."})
    rule = policy_rule(team.pathway, ClockKind.CONSULTATION)
    clock = compute(rule, now, working_calendar())
    fields = dict(requester=actor, organisation=role_of(actor).organisation, team=team,
                  pathway=team.pathway, question=question, urgency=urgency,
                  contact_phone=contact_phone.strip(), best_time=best_time.strip(),
                  requested_at=now, rule=rule_to_json(rule), due_at=clock.due,
                  warning_at=clock.warning)
    for _ in range(5):  # a reference collision is rare: draw again
        try:
            with transaction.atomic():
                consultation = Consultation.objects.create(reference=reference_new(), **fields)
            break
        except IntegrityError:
            continue
    else:
        raise RuntimeError("could not draw a free reference")
    audit_record(action=AuditAction.CONSULTATION_REQUESTED, actor=actor, request=request,
                 obj=consultation, detail={"team": team.pk, "urgency": urgency,
                                           "due_at": clock.due.isoformat()})
    _tell(_team_people(team), consultation, kind="consultation_staff",
          key=f"consultation:{consultation.pk}:requested",
          subject=f"Request for advice {consultation.reference}",
          body=f"A referrer has asked the {team.name} for advice ({consultation.get_urgency_display().split(':')[0].lower()}). "
               f"Please call them back by {when_text(clock.due)}. Sign in to see the question "
               "and their number: it is in the team's queue.", team_inbox=team)
    _tell([actor], consultation, kind="consultation",
          key=f"consultation:{consultation.pk}:requested",
          subject=f"Your request for advice {consultation.reference}",
          body=f"The {team.name} has your request for advice, reference "
               f"{consultation.reference}. They aim to call you back by {when_text(clock.due)}. "
               "If anyone is in immediate danger, call 999.")
    return consultation


def _check_staff(actor, consultation: Consultation) -> Consultation:
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if not access.may_act_consultation(actor, locked):
        raise OutOfScope("Only the team the request was sent to can answer it.")
    if locked.state != ConsultationState.WAITING:
        raise ValidationError("This request for advice has already been answered.")
    return locked


def _clean_advice(advice: str) -> str:
    advice = (advice or "").strip()
    if not advice:
        raise ValidationError({"advice": "Enter the advice you gave, for the referrer to read."})
    if len(advice) > ADVICE_MAX_CHARS:
        raise ValidationError(
            {"advice": f"The advice must be {ADVICE_MAX_CHARS} characters or fewer."})
    return advice


@transaction.atomic
def consultation_advise(*, consultation: Consultation, actor, advice: str, now: datetime,
                        request=None) -> Consultation:
    """Staff record the advice given (usually on the phone); the referrer can read it."""
    consultation = _check_staff(actor, consultation)
    consultation.advice = _clean_advice(advice)
    consultation.state = ConsultationState.ADVISED
    consultation.answered_at, consultation.answered_by = now, actor
    consultation.save(update_fields=["advice", "state", "answered_at", "answered_by"])
    audit_record(action=AuditAction.CONSULTATION_ANSWERED, actor=actor, request=request,
                 obj=consultation, detail={"late": now > consultation.due_at})
    _tell([consultation.requester], consultation, kind="consultation",
          key=f"consultation:{consultation.pk}:advised",
          subject=f"Advice on your request {consultation.reference}",
          body=f"The {consultation.team.name} has recorded the advice on your request "
               f"{consultation.reference}. Sign in to read it.")
    return consultation


@transaction.atomic
def consultation_convert(*, consultation: Consultation, actor, advice: str, now: datetime,
                         request=None) -> Consultation:
    """Staff think it should be a referral: a draft is started for the referrer, pre-filled
    from the question (receiving team and what happened); they check it and send it."""
    consultation = _check_staff(actor, consultation)
    consultation.advice = _clean_advice(advice)
    requester = consultation.requester
    # The draft is the referrer's own (only they edit or send it); the audit rows of its start
    # and pre-fill name them, and the conversion's row names the member of staff.
    draft = draft_start(actor=requester, urgency={
        "urgent": consultation.urgency == "today",
        "urgent_reason": "Asked for advice first; the team suggested a referral."
        if consultation.urgency == "today" else ""}, now=now)
    draft = draft_save_step(referral=draft, actor=requester, step_key="urgency",
                            values={"what_happened": consultation.question}, now=now)
    consultation.draft = draft
    consultation.state = ConsultationState.CONVERTED
    consultation.answered_at, consultation.answered_by = now, actor
    consultation.save(update_fields=["advice", "draft", "state", "answered_at", "answered_by"])
    audit_record(action=AuditAction.CONSULTATION_CONVERTED, actor=actor, request=request,
                 obj=consultation, referral=draft, detail={"draft": draft.pk})
    _tell([requester], consultation, kind="consultation",
          key=f"consultation:{consultation.pk}:converted",
          subject=f"Please make a referral: request {consultation.reference}",
          body=f"The {consultation.team.name} thinks your request {consultation.reference} "
               "should be a safeguarding referral. A draft has been started from your question: "
               "sign in, check it and send it.")
    return consultation


def consultation_missed(*, consultation: Consultation, now: datetime) -> None:
    """The sweep: not called back in time. The team's managers are told, once; in the
    caller's transaction on a row it has locked."""
    consultation.missed_at = now
    consultation.save(update_fields=["missed_at"])
    audit_record(action=AuditAction.CONSULTATION_CALLBACK_MISSED, obj=consultation,
                 detail={"due_at": consultation.due_at.isoformat()})
    team = consultation.team
    _tell(_managers(team), consultation, kind="consultation_staff",
          key=f"consultation:{consultation.pk}:missed",
          subject=f"Request for advice not called back: {consultation.reference}",
          body=f"Request for advice {consultation.reference} to the {team.name} was due a call "
               f"back by {when_text(consultation.due_at)}. Please call the referrer now.",
          team_inbox=team)


def _managers(team: Team) -> list:
    return list(team.managers())


def _team_people(team: Team) -> list:
    return _managers(team)


def _tell(people, consultation, *, kind, key, subject, body, team_inbox: Team | None = None):
    notices = []
    for person in people:
        if not person.is_active:
            continue
        for channel in (Channel.PORTAL, Channel.EMAIL):
            notices.append(notice_queue(
                kind=kind, subject=subject, body=body, recipient=person, channel=channel,
                send_after_commit=False, dedupe_key=f"{key}:{person.pk}:{channel}"))
    if team_inbox is not None and team_inbox.email:
        notices.append(notice_queue(kind=kind, subject=subject, body=body,
                                    recipient_email=team_inbox.email, send_after_commit=False,
                                    dedupe_key=f"{key}:team"))
    notices_enqueue_on_commit([n for n in notices if n is not None])
