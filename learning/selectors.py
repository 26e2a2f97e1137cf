"""Reads for the council's administrators (what referrers tell us; organisations whose
referrals have fallen or stopped) and for everyone (the guidance page).

Quarters are calendar quarters in Europe/London (January to March, and so on: the financial
year's quarters fall on the same boundaries). "Fallen" compares like with like: this quarter
so far against the same days of the same quarter a year before, so a quarter just begun is
not compared with a whole one."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Avg, Count, Max, Q

from accounts.models import Organisation
from referrals.models import Referral

from .models import GuidanceSection, Rating, ReferrerFeedback, Source

LONDON = ZoneInfo("Europe/London")


# --- what referrers tell us -------------------------------------------------------------------

@dataclass(frozen=True)
class RatingSummary:
    source: str
    label: str
    count: int
    average: float | None
    by_rating: dict  # rating value -> count


def ratings_summary(*, since: datetime, now: datetime) -> list[RatingSummary]:
    """Counts and the average rating (1 very poor to 5 very good) for each source."""
    counts = {value: Count("id", filter=Q(rating=value)) for value in Rating.values}
    rows = {r["source"]: r for r in ReferrerFeedback.objects.filter(
        created_at__gte=since, created_at__lte=now).values("source").annotate(
        n=Count("id"), average=Avg("rating"),
        **{f"r{value}": count for value, count in counts.items()}).order_by()}
    out = []
    for source, label in Source.choices:
        r = rows.get(source, {})
        out.append(RatingSummary(
            source=source, label=label, count=r.get("n", 0),
            average=float(r["average"]) if r.get("average") is not None else None,
            by_rating={value: r.get(f"r{value}", 0) for value in Rating.values}))
    return out


def ratings_by_sector(*, since: datetime, now: datetime) -> list[dict]:
    """After-referral ratings by the referrer organisation's sector."""
    counts = {f"r{value}": Count("id", filter=Q(rating=value)) for value in Rating.values}
    return list(ReferrerFeedback.objects.filter(
        source=Source.AFTER_REFERRAL, created_at__gte=since, created_at__lte=now,
    ).values("sector").annotate(n=Count("id"), average=Avg("rating"), **counts)
        .order_by("sector"))


def recent_comments(*, since: datetime, now: datetime, limit: int = 10):
    return list(ReferrerFeedback.objects.filter(created_at__gte=since, created_at__lte=now)
                .exclude(comment="").order_by("-created_at", "-id")[:limit])


# --- organisations to contact -----------------------------------------------------------------

def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=LONDON)


def _year_before(at: datetime) -> datetime:
    local = at.astimezone(LONDON)
    try:
        return local.replace(year=local.year - 1)
    except ValueError:  # 29 February: the day before a year ago
        return (local - timedelta(days=1)).replace(year=local.year - 1)


@dataclass(frozen=True)
class Fallen:
    organisation: Organisation
    this_year: int
    last_year: int

    @property
    def change(self) -> int:
        return self.this_year - self.last_year


@dataclass(frozen=True)
class Comparison:
    this_from: datetime
    this_to: datetime
    last_from: datetime
    last_to: datetime
    rows: list


def organisations_fallen(*, now: datetime) -> Comparison:
    """Organisations that sent fewer referrals this quarter so far than in the same days of
    the same quarter last year (a referral counts when it was received). Biggest fall first."""
    start = _midnight(quarter_start(now.astimezone(LONDON).date()))
    last_from, last_to = _year_before(start), _year_before(now)
    counts = Referral.objects.filter(received_at__isnull=False, organisation__isnull=False)
    this = dict(counts.filter(received_at__gte=start, received_at__lte=now)
                .values_list("organisation").annotate(n=Count("id")).order_by())
    last = dict(counts.filter(received_at__gte=last_from, received_at__lte=last_to)
                .values_list("organisation").annotate(n=Count("id")).order_by())
    fallen_ids = [pk for pk, n in last.items() if this.get(pk, 0) < n]
    names = Organisation.objects.in_bulk(fallen_ids)
    rows = [Fallen(names[pk], this.get(pk, 0), last[pk]) for pk in fallen_ids]
    rows.sort(key=lambda f: (f.change, f.organisation.name))
    return Comparison(start, now, last_from, last_to, rows)


def quiet_months() -> int:
    return max(int(settings.LEARNING_QUIET_MONTHS), 1)


def _months_before(at: datetime, months: int) -> datetime:
    local = at.astimezone(LONDON)
    month0 = local.month - 1 - months
    year, month = local.year + month0 // 12, month0 % 12 + 1
    day = min(local.day, [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
                          31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1])
    return local.replace(year=year, month=month, day=day)


def organisations_quiet(*, now: datetime, months: int | None = None):
    """Organisations that have referred before but sent none in the last `months` months
    (LEARNING_QUIET_MONTHS): each with the time of its last referral, longest quiet first."""
    months = months or quiet_months()
    since = _months_before(now, months)
    rows = (Organisation.objects
            .annotate(last_at=Max("referrals__received_at",
                                  filter=Q(referrals__received_at__lte=now)))
            .filter(last_at__isnull=False, last_at__lt=since)
            .order_by("last_at", "name"))
    return since, list(rows)


# --- the guidance page --------------------------------------------------------------------------

def guidance_sections():
    return list(GuidanceSection.objects.filter(published=True))


def guidance_blocks(body: str) -> list[tuple[str, object]]:
    """Plain text to blocks: ("p", text) per paragraph, ("ul", [items]) for a paragraph whose
    lines all start with "- ". The template escapes every word."""
    blocks = []
    for para in body.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in para.strip().split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            blocks.append(("ul", [line[2:].strip() for line in lines]))
        else:
            blocks.append(("p", " ".join(lines)))
    return blocks
