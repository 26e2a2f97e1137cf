"""What referrers tell us (issue 15, item 8), for council administrators only: answers to "How
was making this referral?" and to the feedback link on every page, counted in the window when
they were given. Kept against organisation sectors, never people (learning.models)."""

from accounts.models import Sector
from core.timetext import date_text
from learning.models import Rating
from learning.selectors import ratings_by_sector, ratings_summary, recent_comments

from ..tables import Column, Table
from .context import Context

RATING_COLUMNS = [Column(label) for _value, label in Rating.choices]


def referrer_ratings(ctx: Context) -> Table:
    since = ctx.window.start_at
    table = Table(
        slug="referrer-ratings", title="How referrers rate the service",
        description=f"Answers given {ctx.window.describe()}: after sending a referral (\"How "
                    "was making this referral?\") and from the feedback link on every page. "
                    "Average on a scale of 1 (very poor) to 5 (very good).",
        columns=[Column("Asked", "text"), Column("Answers"), Column("Average (1 to 5)", "days"),
                 *RATING_COLUMNS])
    for summary in ratings_summary(since=since, now=ctx.now):
        table.rows.append([summary.label, summary.count, summary.average,
                           *[summary.by_rating[value] for value, _ in Rating.choices]])
    sectors = dict(Sector.choices)
    for row in ratings_by_sector(since=since, now=ctx.now):
        label = sectors.get(row["sector"], "No organisation")
        table.rows.append([f"After a referral: {label}", row["n"],
                           float(row["average"]),
                           *[row[f"r{value}"] for value, _ in Rating.choices]])
    return table


def referrer_comments(ctx: Context) -> Table:
    table = Table(
        slug="referrer-comments", title="Recent comments from referrers",
        description=f"The ten most recent comments given {ctx.window.describe()}, newest "
                    "first. Referrers are asked not to include personal information.",
        columns=[Column("Date", "text"), Column("Asked", "text"), Column("Rating", "text"),
                 Column("Comment", "text")])
    for item in recent_comments(since=ctx.window.start_at, now=ctx.now):
        table.rows.append([date_text(item.created_at), item.get_source_display(),
                           item.get_rating_display(), item.comment])
    return table
