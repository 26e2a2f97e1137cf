"""Permission-scoped reads for the triage workspace: the queue, search, duplicates, workload.

Every read starts from referrals.access.referrals_for_staff(user), so a page can only ever show what
the person's teams were granted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.core import signing
from django.db import connection
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Lower, Replace, Upper
from django.urls import reverse
from django.utils.html import format_html

from core.timetext import date_time_text, time_text
from core.vocabulary import DueState, Status
from pathways import deadlines
from pathways.calendar import to_local
from pathways.policies import working_calendar
from referrals import access
from referrals.ages import BANDS, age_band  # noqa: F401  (kept importable from here)
from referrals.choices import AdultCategory, ChildCategory
from referrals.models import Referral

PAGE_SIZE = 25
# The due time cursors signed before next_due_at gave a referral with no clock running.
NEVER = datetime(9999, 12, 31, tzinfo=UTC)

CATEGORIES = {**dict(AdultCategory.choices), **dict(ChildCategory.choices)}
STATUS_LABELS = dict(Status.choices)


def category_label(value: str) -> str:
    return CATEGORIES.get(value, str(value).replace("_", " ").capitalize())


# --- due status ------------------------------------------------------------------------------

@dataclass(frozen=True)
class DueStatus:
    key: DueState
    text: str  # the full sentence (visually hidden in the queue; the referral page shows it)
    tag: str  # a govuk-tag modifier
    short: str = ""  # the tag's words, read at a glance: "Due today 5pm", "Overdue 1 day"


def due_short(*, state: DueState, due_at: datetime, now: datetime) -> str:
    """The queue's tag: a few words staff read all day. Days are calendar days in London."""
    if state == DueState.PAUSED:
        return "Paused"
    due, today = to_local(due_at), to_local(now)
    if state == DueState.OVERDUE:
        late = now - due_at
        days = (today.date() - due.date()).days
        if days >= 1:
            return f"Overdue {days} day{'s' if days != 1 else ''}"
        hours = int(late.total_seconds() // 3600)
        if hours >= 1:
            return f"Overdue {hours} hour{'s' if hours != 1 else ''}"
        return f"Overdue since {time_text(due_at)}"
    days = (due.date() - today.date()).days
    if days == 0:
        return f"Due today {time_text(due_at)}"
    if days == 1:
        return f"Due tomorrow {time_text(due_at)}"
    if days < 7:
        return f"Due {due:%a} {time_text(due_at)}"
    return f"Due {due.day} {due:%b}"


@dataclass(frozen=True, slots=True)
class _RowClock:
    """The fields of a running Deadline that deadlines.due_status reads, from a queue row
    (a model instance per row cost more than the rest of its due status)."""
    due_at: datetime
    paused_at: datetime | None
    met_at: None = None
    cancelled_at: None = None


def due_status(*, due_at: datetime | None, paused_at: datetime | None, now: datetime,
               calendar) -> DueStatus:
    """The next clock's state as pathways.deadlines.due_status words it (overdue / due within
    two working hours / on time), for a queue row that carries only the clock's times, with the
    short words for its tag."""
    if due_at is None or due_at >= NEVER:
        return DueStatus(DueState.NONE, DueState.NONE.label, "govuk-tag--grey", "No clock")
    shared = deadlines.due_status(_RowClock(due_at=due_at, paused_at=paused_at), now, calendar)
    return DueStatus(shared.state, shared.text, shared.tag_class,
                     due_short(state=shared.state, due_at=due_at, now=now))


# --- age band --------------------------------------------------------------------------------

# --- the queue -------------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    urgency: str = ""  # "urgent" / "not_urgent"
    assignee: str = ""  # "me" / "unassigned"
    overdue: bool = False
    category: str = ""

    @classmethod
    def from_query(cls, query) -> QueueFilters:
        return cls(
            status=query.get("status", "") if query.get("status") in Status.open() else "",
            urgency=query.get("urgency", "") if query.get("urgency") in ("urgent",
                                                                         "not_urgent") else "",
            assignee=query.get("assignee", "") if query.get("assignee") in ("me",
                                                                           "unassigned") else "",
            overdue=query.get("overdue") == "yes",
            category=query.get("category", "") if query.get("category") in CATEGORIES else "",
        )


def category_filter(qs, category: str):
    if connection.vendor == "postgresql":
        return qs.filter(categories__contains=[category])
    # SQLite has no JSON containment: match the quoted value in the stored JSON text.
    return qs.filter(categories__icontains=f'"{category}"')


def queue_base(*, user, team, filters: QueueFilters, now: datetime):
    qs = access.referrals_for_staff(user).filter(team=team, status__in=Status.open())
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.urgency:
        qs = qs.filter(urgent=filters.urgency == "urgent")
    if filters.assignee == "me":
        qs = qs.filter(assignee=user)
    elif filters.assignee == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    if filters.category:
        qs = category_filter(qs, filters.category)
    if filters.overdue:
        qs = qs.filter(next_due_at__lte=now)
    # Ties on the due time are common (every concern decision received on one day is due at
    # 17:00): the referral received first comes first, not the one whose draft began first.
    # The order is the index referral_queue_order's (after team): a page is a range of it.
    return qs.select_related("assignee").only(*ROW_FIELDS).order_by(*QUEUE_ORDER)


# What a queue row shows (templates/triage/_rows.html, _assign_rows.html and decorate):
# the answers and the person's details stay in the database.
ROW_FIELDS = ("reference", "team", "status", "urgent", "assignee__full_name", "person_dob",
              "person_age_approx", "categories", "received_at", "next_due_at",
              "next_paused_at")
# Urgent first, then the first running clock's due time (none running: last), then received.
QUEUE_ORDER = ("-urgent", F("next_due_at").asc(nulls_last=True), "received_at", "pk")


def _cursor_dump(row) -> str:
    due = row.next_due_at.isoformat() if row.next_due_at else None
    return signing.dumps([row.urgent, due, row.received_at.isoformat(), row.pk],
                         salt="triage-queue")


def _cursor_load(token: str):
    try:
        urgent, due, received, pk = signing.loads(token, salt="triage-queue")
        due = datetime.fromisoformat(due) if due else None
        if due is not None and due >= NEVER:  # a cursor from before next_due_at: no clock
            due = None
        return bool(urgent), due, datetime.fromisoformat(received), int(pk)
    except (signing.BadSignature, ValueError, TypeError):
        return None


def _after(qs, cursor):
    """Keyset condition for QUEUE_ORDER: urgent DESC, next_due_at ASC NULLS LAST,
    received_at ASC, pk ASC (received_at is set on every referral a queue holds)."""
    urgent, due, received, pk = cursor
    same_due_later = Q(received_at__gt=received) | Q(received_at=received, pk__gt=pk)
    if due is None:
        later = Q(urgent=urgent, next_due_at__isnull=True) & same_due_later
    else:
        later = Q(urgent=urgent) & (
            Q(next_due_at__gt=due) | Q(next_due_at__isnull=True)
            | (Q(next_due_at=due) & same_due_later)
        )
    if urgent:
        later |= Q(urgent=False)
    return qs.filter(later)


@dataclass
class QueuePage:
    rows: list
    next_cursor: str | None
    is_first: bool


def queue_page(*, user, team, filters: QueueFilters, now: datetime, after: str = "",
               size: int = PAGE_SIZE) -> QueuePage:
    """One page of the team's queue: urgent first, then the next clock due. Keyset pagination
    (no COUNT): one query whatever the size of the table."""
    qs = queue_base(user=user, team=team, filters=filters, now=now)
    cursor = _cursor_load(after) if after else None
    if cursor is not None:
        qs = _after(qs, cursor)
    rows = list(qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    decorate(rows, now=now)
    return QueuePage(rows=rows, next_cursor=_cursor_dump(rows[-1]) if more else None,
                     is_first=cursor is None)


def decorate(rows, *, now: datetime) -> None:
    """What each row shows, as the strings the row templates print (templates/triage/_rows.html,
    _assign_rows.html): computed here once rather than by template tags, filters and an include
    per row (the queue's rendering was most of its time). tests/triage/test_queue_rows.py checks
    the rows byte for byte against the templates as they were."""
    today = now.date()
    calendar = working_calendar() if rows else None  # one query, whatever the page size
    url = referral_url_maker() if rows else None
    for row in rows:
        row.band = age_band(dob=row.person_dob, approx=row.person_age_approx, today=today)
        # The template's names for the referral's first running clock (Referral.next_due_at).
        row.next_due, row.next_paused = row.next_due_at, row.next_paused_at
        row.due = due_status(due_at=row.next_due, paused_at=row.next_paused, now=now,
                             calendar=calendar)
        row.due_tag = due_tag_html(row.due)
        row.category_labels = [category_label(c) for c in (row.categories or [])]
        row.categories_text = ", ".join(row.category_labels) or "Not given"
        row.status_label = STATUS_LABELS.get(row.status, row.status)
        row.url = url(row.pk)
        row.received_short = (date_time_text(row.received_at, short=True)
                              if row.received_at else "")
        assignee = row.assignee  # select_related: no query
        row.assignee_name = (assignee.full_name if assignee is not None else "") or "Unassigned"


def referral_url_maker():
    """The staff referral page's address for a primary key: reversed once for a page of rows
    (a `{% url %}` per row cost more than the rest of the row)."""
    marker = 987654321
    head, tail = reverse("triage:referral", args=[marker]).split(str(marker))
    return lambda pk: f"{head}{int(pk)}{tail}"


def due_tag_html(due: DueStatus):
    """The queue's due tag: a few words read at a glance; the full sentence for screen readers
    (and on the referral page). The newline ends it as the tag's template ended (byte for byte)."""
    return format_html('<strong class="govuk-tag {} portal-tag--short">{}</strong>'
                       '<span class="govuk-visually-hidden">. {}</span>\n',
                       due.tag, due.short, due.text)


# --- search ----------------------------------------------------------------------------------

def postcode_normal(value: str) -> str:
    return "".join(value.split()).upper()


def search(*, user, reference: str = "", name: str = "", dob: date | None = None,
           postcode: str = "", limit: int = 50) -> list[int]:
    """Ids of referrals the person may see matching every criterion given."""
    qs = access.referrals_for_staff(user).exclude(status=Status.DRAFT)
    if reference:
        qs = qs.filter(reference__iexact=reference.strip())
    if name:
        name = name.strip()
        if connection.vendor == "postgresql":
            qs = qs.annotate(name_lower=Lower("person_name")).filter(
                Q(person_name__icontains=name) | Q(name_lower__trigram_similar=name.lower())
            )
        else:
            qs = qs.filter(person_name__icontains=name)
    if dob:
        qs = qs.filter(person_dob=dob)
    if postcode:
        qs = qs.annotate(pc=Upper(Replace("person_postcode", Value(" "), Value("")))).filter(
            pc=postcode_normal(postcode)
        )
    return list(qs.order_by("-received_at", "-pk").values_list("pk", flat=True)[:limit])


def rows_by_ids(*, user, ids: list[int], now: datetime) -> list:
    """The search results again, re-checked against permissions on every read."""
    rows = list(access.referrals_for_staff(user).filter(pk__in=ids)
                .select_related("assignee", "team").order_by("-received_at", "-pk"))
    decorate(rows, now=now)
    return rows


# --- duplicates ------------------------------------------------------------------------------

SIMILARITY = 0.4


def duplicates_for(referral, *, limit: int = 20) -> list:
    """Other referrals about the same person across every pathway and year: a similar name plus
    the same date of birth or postcode. Trigram similarity on PostgreSQL; an exact,
    case-insensitive name on SQLite.

    The candidates are bounded by the date of birth and the normalised postcode (the triage
    migration's B-tree indexes: a few dozen rows per person whatever the table's size), and
    the name's trigram similarity is computed on those alone (docs/performance.md, 3).
    """
    if not referral.person_name or not (referral.person_dob or referral.person_postcode):
        return []
    same_person = Q()
    if referral.person_dob:
        same_person |= Q(person_dob=referral.person_dob)
    if referral.person_postcode:
        same_person |= Q(pc=postcode_normal(referral.person_postcode))
    qs = (Referral.objects.exclude(pk=referral.pk).exclude(status=Status.DRAFT)
          .annotate(pc=Upper(Replace("person_postcode", Value(" "), Value(""))))
          .filter(same_person).select_related("team"))
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        # similarity() against SIMILARITY alone, not pg_trgm's `%` operator: `%` applies the
        # session's threshold (0.3 by default), which had to be set and put back around the
        # query (two statements more on every staff page, issue 19). The candidates come
        # from the date of birth and postcode indexes, a few dozen rows, so the name's GIN
        # index is not needed to find them.
        qs = (qs.annotate(similarity=TrigramSimilarity(Lower("person_name"),
                                                       referral.person_name.lower()))
              .filter(similarity__gte=SIMILARITY)
              .order_by("-similarity", "-received_at"))
    else:
        qs = (qs.annotate(name_lower=Lower("person_name"), similarity=Value(1.0))
              .filter(name_lower=referral.person_name.lower()).order_by("-received_at"))
    rows = list(qs[:limit])
    for row in rows:
        row.match_dob = bool(referral.person_dob and row.person_dob == referral.person_dob)
        row.match_postcode = bool(referral.person_postcode and row.pc
                                  == postcode_normal(referral.person_postcode))
    return rows


# --- managers --------------------------------------------------------------------------------

def workload(*, team) -> list[dict]:
    """Open referrals held by each member of the team (members with none included)."""
    from accounts.models import TeamMembership

    members = (TeamMembership.objects.filter(team=team).select_related("user")
               .order_by("user__full_name"))
    counts = dict(
        Referral.objects.filter(team=team, status__in=Status.open(), assignee__isnull=False)
        .values_list("assignee").annotate(n=Count("pk")).values_list("assignee", "n")
    )
    urgent = dict(
        Referral.objects.filter(team=team, status__in=Status.open(), assignee__isnull=False,
                                urgent=True)
        .values_list("assignee").annotate(n=Count("pk")).values_list("assignee", "n")
    )
    return [{"member": m, "open": counts.get(m.user_id, 0), "urgent": urgent.get(m.user_id, 0)}
            for m in members]


def unassigned_urgent(*, user, team, now: datetime, limit: int = 50) -> list:
    rows = list(queue_base(user=user, team=team, now=now,
                           filters=QueueFilters(urgency="urgent", assignee="unassigned"))[:limit])
    decorate(rows, now=now)
    return rows


def overdue(*, user, team, now: datetime, limit: int = 100) -> list:
    rows = list(queue_base(user=user, team=team, now=now, filters=QueueFilters(overdue=True))
                [:limit])
    decorate(rows, now=now)
    return rows

