"""Referrals received: by pathway, referrer sector, category and urgency, and the 12-month trend
per sector. One aggregate query per table (GROUP BY period and the dimension)."""

from accounts.models import Sector
from core.vocabulary import Pathway

from .. import charts
from ..forms import category_label
from ..periods import Window
from ..tables import Column, Table
from .context import Context, by_period

NO_ORGANISATION = ""  # the sector of a referral with no organisation
SECTOR_LABELS = {**dict(Sector.choices), NO_ORGANISATION: "No organisation"}
URGENCY_LABELS = {True: "Urgent", False: "Not urgent"}


def _pivot(ctx: Context, rows, *, key: str, keys: list, labels: dict, slug, title, description,
           total=True, window: Window | None = None) -> Table:
    grouped = by_period(rows)

    def build(period_rows):
        counts = {row[key]: row["n"] for row in period_rows}
        values = [counts.get(k, 0) for k in keys]
        return values + ([sum(values)] if total else [])

    columns = [Column("Period", "text"), *[Column(labels.get(k, str(k))) for k in keys]]
    if total:
        columns.append(Column("Total"))
    table = Table(slug=slug, title=title, description=description, columns=columns,
                  rows=ctx.period_rows(grouped, build, window=window))
    totals = [sum(row[i + 1] for row in table.rows) for i in range(len(keys))]
    table.rows.append(["All periods", *totals, *([sum(totals)] if total else [])])
    return table


def _period_text(ctx: Context) -> str:
    return f"{ctx.window.describe()}, per {ctx.window.grain}"


def received_pathway(ctx: Context) -> Table:
    rows = ctx.referrals().values("period", "pathway").annotate(n=ctx.sum("received")).order_by()
    keys = [ctx.pathway] if ctx.pathway else list(Pathway.every())
    table = _pivot(ctx, rows, key="pathway", keys=keys, labels=dict(Pathway.choices),
                   slug="received-pathway", title="Referrals received, by pathway",
                   description=f"Referrals received {_period_text(ctx)}.")
    table.chart = charts.bar_chart(
        title=f"Referrals received per {ctx.window.grain}",
        desc=f"Horizontal bars, one per {ctx.window.grain}, each labelled with its number of "
             "referrals received.",
        bars=[(row[0], row[-1]) for row in table.rows[:-1]], unit="referrals")
    return table


def received_sector(ctx: Context) -> Table:
    rows = ctx.referrals().values("period", "sector").annotate(n=ctx.sum("received")).order_by()
    keys = [ctx.filters["sector"]] if ctx.filters.get("sector") else [
        *[s for s, _ in Sector.choices], NO_ORGANISATION]
    table = _pivot(ctx, rows, key="sector", keys=keys, labels=SECTOR_LABELS,
                   slug="received-sector", title="Referrals received, by referrer's sector",
                   description=f"Referrals received {_period_text(ctx)}, by the sector of the "
                               "referrer's organisation.")
    table.chart = charts.bar_chart(
        title="Referrals received by sector, all periods",
        desc="Horizontal bars, one per sector, each labelled with its number of referrals.",
        bars=list(zip([c.label for c in table.columns[1:-1]], table.rows[-1][1:-1], strict=True)),
        unit="referrals")
    return table


def received_category(ctx: Context) -> Table:
    categories = ctx.categories()
    if ctx.filters.get("category"):
        categories = [ctx.filters["category"]]
    long_rows = ctx.category_counts(categories)
    table = _pivot(ctx, long_rows, key="category", keys=categories,
                   labels={c: category_label(c) for c in categories}, total=False,
                   slug="received-category", title="Referrals received, by category of abuse",
                   description=f"Referrals received {_period_text(ctx)}, by category. A "
                               "referral can name more than one category, so rows do not add "
                               "up to the number of referrals.")
    table.chart = charts.bar_chart(
        title="Referrals received by category, all periods",
        desc="Horizontal bars, one per category, each labelled with its number of referrals.",
        bars=list(zip([c.label for c in table.columns[1:]], table.rows[-1][1:], strict=True)),
        unit="referrals")
    return table


def received_urgency(ctx: Context) -> Table:
    rows = ctx.referrals().values("period", "urgent").annotate(n=ctx.sum("received")).order_by()
    table = _pivot(ctx, rows, key="urgent", keys=[True, False], labels=URGENCY_LABELS,
                   slug="received-urgency", title="Referrals received, by urgency",
                   description=f"Referrals received {_period_text(ctx)}, urgent or not.")
    table.chart = charts.bar_chart(
        title="Referrals received by urgency, all periods",
        desc="Two horizontal bars, urgent and not urgent, each labelled with its number.",
        bars=list(zip(["Urgent", "Not urgent"], table.rows[-1][1:3], strict=True)),
        unit="referrals")
    return table


def trend_sector(ctx: Context) -> Table:
    """Always the last 12 months, monthly, whatever the chosen grain: the seeds noticed
    referral numbers falling and nobody knowing which sector stopped referring."""
    window = Window.last_months(months=12, grain="month", now=ctx.now)
    rows = (ctx.referrals(window=window).values("period", "sector")
            .annotate(n=ctx.sum("received")).order_by())
    keys = [ctx.filters["sector"]] if ctx.filters.get("sector") else [
        *[s for s, _ in Sector.choices], NO_ORGANISATION]
    table = _pivot(ctx, rows, key="sector", keys=keys, labels=SECTOR_LABELS, window=window,
                   slug="trend-sector", title="Trend over the last 12 months, by sector",
                   description=f"Referrals received per month, {window.describe()}, by the "
                               "sector of the referrer's organisation.")
    months = table.rows[:-1]
    table.chart = charts.line_chart(
        title="Referrals per month over the last 12 months, one line per sector",
        desc="One small line chart per sector, all on the same scale, months along the bottom "
             "and referrals up the side; each panel is named with its sector and 12-month total "
             "and labelled with the latest month's number. The table below holds the same "
             "numbers.",
        x_labels=[f"{start:%b %y}" for start in window.periods()],
        series=[(column.label, [row[i + 1] for row in months])
                for i, column in enumerate(table.columns[1:-1])],
    )
    return table
