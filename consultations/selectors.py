"""Reads of requests for advice, scoped by the access policy (referrals.access)."""

from referrals import access

from .models import Consultation, ConsultationState


def consultation_load(user, pk) -> tuple[Consultation | None, str]:
    """The request and how this person reaches it ("follow" or "staff"), or (None, "")."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None, ""
    consultation = (Consultation.objects.select_related("team", "requester", "organisation")
                    .filter(pk=pk).first())
    if consultation is None:
        return None, ""
    if access.may_act_consultation(user, consultation):
        return consultation, "staff"
    if access.may_follow_consultation(user, consultation):
        return consultation, "follow"
    return None, ""


def mine(user):
    """The person's own requests, and their organisation's when they are its lead."""
    organisation = access.lead_organisation(user)
    qs = Consultation.objects.select_related("team")
    if organisation is not None:
        return qs.filter(organisation=organisation)
    return qs.filter(requester=user)


def team_waiting(user, team):
    """The team's requests waiting for a call back, due first: the queue's first section."""
    if team is None or team.pk not in access.consultations_of_teams(user):
        return Consultation.objects.none()
    return (Consultation.objects.filter(team=team, state=ConsultationState.WAITING)
            .order_by("due_at", "id"))


def team_recent(user, team, limit=50):
    if team is None or team.pk not in access.consultations_of_teams(user):
        return Consultation.objects.none()
    return (Consultation.objects.filter(team=team).exclude(state=ConsultationState.WAITING)
            .order_by("-answered_at")[:limit])
