"""The dashboard's figures, grouped in sections; each figure is one Table built by one
function from a Context. A lead sees only the referrer-side figures of their organisation."""

from core.vocabulary import Pathway, Role

from . import (
    challenges,
    consultations,
    decisions,
    duties,
    feedback,
    follow_ups,
    msp,
    outcomes,
    received,
    referrers,
    timeliness,
    worse,
)
from .context import Context

SECTIONS = [
    ("received", "Referrals received", [
        received.received_pathway, received.received_sector, received.received_category,
        received.received_urgency, received.trend_sector]),
    ("timeliness", "Timeliness against the London targets", [
        timeliness.concern_decisions, timeliness.mash_decisions, timeliness.rag_timescales,
        timeliness.enquiries, timeliness.open_breaches]),
    # Follow-ups handed to a colleague (issue 15, item 2): who is told, so with the feedback.
    ("feedback", "Feedback to referrers", [
        feedback.feedback_channel, feedback.feedback_time, feedback.closed_without_feedback,
        follow_ups.follow_ups_by_sector]),
    ("outcomes", "Outcomes", [outcomes.adult_outcomes, outcomes.mash_outcomes]),
    ("msp", "Making Safeguarding Personal", [msp.msp_by_pathway]),
    ("referrers", "What referrers tell us", [referrers.referrer_ratings,
                                             referrers.referrer_comments]),
    # Issue 15 (the referrer's side of the promise): one section per feature, so each merges
    # on its own line.
    # "Things have got worse" (item 4) sits with the challenges: both are the referrer pressing
    # for action on a referral they made.
    ("challenges", "Challenges to decisions and things that got worse", [
        challenges.challenges_by_pathway_sector, worse.worse_by_pathway]),
    ("consultations", "Requests for advice", [consultations.consultations_by_pathway]),
    ("decisions", "Decisions explained", [decisions.s42_criteria_not_met,
                                          decisions.child_levels_of_need]),
    # Issue 16, part 4: staff figures only (not in ORGANISATION_FIGURES).
    ("duties", "Parallel duties", [duties.duties_by_kind]),
]

# What an organisation's safeguarding lead may see: referrals made, feedback received, time to
# feedback (issue 7). Nothing about the council's teams.
ORGANISATION_FIGURES = {
    received.received_pathway, received.received_category, received.received_urgency,
    feedback.feedback_channel, feedback.feedback_time, feedback.closed_without_feedback,
    challenges.challenges_by_pathway_sector, consultations.consultations_by_pathway,
    worse.worse_by_pathway,
}

SLUGS = {
    "received-pathway": received.received_pathway,
    "received-sector": received.received_sector,
    "received-category": received.received_category,
    "received-urgency": received.received_urgency,
    "trend-sector": received.trend_sector,
    "concern-decisions": timeliness.concern_decisions,
    "mash-decisions": timeliness.mash_decisions,
    "rag": timeliness.rag_timescales,
    "enquiries": timeliness.enquiries,
    "open-breaches": timeliness.open_breaches,
    "feedback-channel": feedback.feedback_channel,
    "feedback-time": feedback.feedback_time,
    "closed-without-feedback": feedback.closed_without_feedback,
    "follow-ups": follow_ups.follow_ups_by_sector,
    "adult-outcomes": outcomes.adult_outcomes,
    "mash-outcomes": outcomes.mash_outcomes,
    "challenges": challenges.challenges_by_pathway_sector,
    "worse": worse.worse_by_pathway,
    "consultations": consultations.consultations_by_pathway,
    "s42-criteria": decisions.s42_criteria_not_met,
    "levels-of-need": decisions.child_levels_of_need,
    "msp": msp.msp_by_pathway,
    "referrer-ratings": referrers.referrer_ratings,
    "referrer-comments": referrers.referrer_comments,
    "duties": duties.duties_by_kind,
}

# Council administrators only: what referrers tell us about the service (issue 15, item 8).
ADMIN_ONLY = {referrers.referrer_ratings, referrers.referrer_comments}


# Figures that only mean something for adults' pathways or for children's (MASH): hidden when
# the pathway in view (a manager's, or an administrator's filter) is the other kind.
ADULT_ONLY = {timeliness.concern_decisions, timeliness.enquiries, outcomes.adult_outcomes,
              decisions.s42_criteria_not_met, msp.msp_by_pathway}
CHILD_ONLY = {timeliness.mash_decisions, timeliness.rag_timescales, outcomes.mash_outcomes,
              decisions.child_levels_of_need}


def allowed(ctx: Context, builder) -> bool:
    if builder in ADMIN_ONLY:
        return ctx.scope.role == Role.COUNCIL_ADMIN
    return not ctx.scope.is_organisation or builder in ORGANISATION_FIGURES


def relevant(ctx: Context, builder) -> bool:
    if not ctx.pathway:
        return True
    if ctx.pathway == Pathway.MASH:
        return builder not in ADULT_ONLY
    return builder not in CHILD_ONLY


def sections_for(ctx: Context) -> list[dict]:
    out = []
    for slug, title, builders in SECTIONS:
        tables = [builder(ctx) for builder in builders
                  if allowed(ctx, builder) and relevant(ctx, builder)]
        if tables:
            out.append({"slug": slug, "title": title, "tables": tables})
    return out


def table_for(ctx: Context, slug: str):
    builder = SLUGS.get(slug)
    if builder is None or not allowed(ctx, builder):
        return None
    return builder(ctx)


__all__ = ["Context", "sections_for", "table_for", "SLUGS"]
