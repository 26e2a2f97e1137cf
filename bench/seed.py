"""Bulk seeding: people once, then referrals grown tier by tier with INSERT ... SELECT.

Every attribute of a referral is a pure function of its id (`bench_u(id, salt)` is a uniform
number in [0, 1) from PostgreSQL's integer hash), so a tier is reproducible and growing from
100k to 1M only inserts ids 100,001..1,000,000. The mix, per year of referrals:
pathways OPPD 40%, mental health 18%, learning disabilities 10%, MASH 32%; 3% drafts;
received over the past 365 days; the last 3 days awaiting a decision, the last 60 days
mostly decided or in enquiry, older ones mostly closed; 5% urgent; about 2.5 timeline events,
1.1 deadlines, 1.8 notices, 0.9 feedback records, 1 audit row, 2 team permissions and
0.3 attachments per referral.
"""

from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.contrib.auth.models import Permission
from django.db import connection, models

from .sqlfill import SeedError, has_field, insert_select, sequence_sync

FUNCTIONS = """
CREATE OR REPLACE FUNCTION bench_u(id bigint, salt int) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT (hashint8(id * 7919 + salt) & 2147483647)::float8 / 2147483648.0 $$;
"""

# Diverse names, so the duplicate search (pg_trgm on the person's name) sees realistic
# selectivity: 120 x 160 combinations, about 50 people per full name at 1M referrals.
FIRST_NAMES = (
    "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Nancy Lisa Betty "
    "Margaret Sandra Ashley Kimberly Emily Donna Michelle Dorothy Carol Amanda Melissa Deborah "
    "Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Shirley Angela Helen Anna Brenda Pamela "
    "Nicole Emma Samantha Katherine Christine Debra Rachel Catherine Carolyn Janet Ruth Maria "
    "James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel "
    "Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy "
    "Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin "
    "Scott Brandon Benjamin Samuel Gregory Alexander Frank Patrick Raymond Jack Dennis Jerry "
    "Mohammed Ahmed Fatima Aisha Oluwaseun Chidi Ngozi Kwame Abena Priya Rahul Anjali Wei Mei "
    "Tomasz Agnieszka Ioana Andrei Kofi Yaw Amara Zainab Ibrahim Yusuf Leyla Mehmet Elif Sofia"
).split()
SURNAMES = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans "
    "Walker White Roberts Green Hall Wood Jackson Clarke Patel Khan Lewis James Phillips Mason "
    "Mitchell Rose Davis Rodriguez Cox Alexander Morgan Moore Martin Lee Harris Clark Young Allen "
    "King Scott Turner Hill Adams Baker Campbell Parker Edwards Stewart Collins Morris Murphy "
    "Cook Rogers Morgan Cooper Peterson Bailey Reed Kelly Howard Ward Watson Brooks Gray Hughes "
    "Price Sanders Bennett Wood Barnes Ross Henderson Coleman Jenkins Perry Powell Long Russell "
    "Okafor Adeyemi Mensah Owusu Boateng Asante Nwosu Okonkwo Balogun Adebayo Ahmed Ali Hussain "
    "Rahman Begum Islam Uddin Chowdhury Miah Shah Singh Kaur Sharma Gupta Kumar Nguyen Tran Le "
    "Pham Chen Wang Li Zhang Liu Kowalski Nowak Wisniewski Popescu Ionescu Yilmaz Kaya Demir "
    "Silva Santos Ferreira Pereira Costa Oliveira Rossi Russo Ferrari Esposito Murray Doyle "
    "Byrne Ryan OBrien Walsh Kennedy Lynch Quinn Hughes Burke Gallagher Reid Fraser Graham"
).split()
N_ORGANISATIONS = 200
N_REFERRERS = 2000
AWAITING = ("submitted", "info_requested", "rag_rated")
FINISHED = ("closed", "withdrawn", "merged")
UNDECIDED = ("draft", *AWAITING, "withdrawn", "merged")


@dataclass
class People:
    team_ids: dict[str, int]
    group_ids: dict[str, int]
    staff_ids: dict[str, int]  # a triage worker per pathway: the queue's viewer
    manager_ids: dict[str, int]
    admin_id: int
    referrer_ids: list[int]
    referrer_org_ids: list[int]


def functions_ensure() -> None:
    with connection.cursor() as cursor:
        cursor.execute(FUNCTIONS)


def people_ensure(now: datetime) -> People:
    """Organisations, referrers (set-based), and a few staff (ORM): idempotent."""
    from accounts.models import (
        Membership,
        MembershipStatus,
        Organisation,
        Team,
        TeamMembership,
        TeamRole,
        User,
    )

    functions_ensure()
    if not Organisation.objects.filter(name__startswith="Bench organisation").exists():
        insert_select(Organisation, {
            "name": "'Bench organisation ' || g",
            "sector": "(ARRAY['voluntary','health','housing','police','education'])"
                      "[1 + mod(g, 5)]",
            "verified": "true",
            "created_at": _ts(now),
        }, "FROM generate_series(1, %s) g", (N_ORGANISATIONS,))
    org_ids = list(Organisation.objects.filter(name__startswith="Bench organisation")
                   .order_by("id").values_list("id", flat=True))
    if not User.objects.filter(email__endswith="@referrer.bench.invalid").exists():
        insert_select(User, {
            "password": "'!'",
            "email": "'r' || g || '@referrer.bench.invalid'",
            "full_name": "'Bench Referrer ' || g",
            "email_verified": "true",
            "date_joined": _ts(now),
        }, "FROM generate_series(1, %s) g", (N_REFERRERS,))
    referrer_ids = list(User.objects.filter(email__endswith="@referrer.bench.invalid")
                        .order_by("id").values_list("id", flat=True))
    referrer_org_ids = [org_ids[i % len(org_ids)] for i in range(len(referrer_ids))]
    if not Membership.objects.filter(user_id=referrer_ids[0]).exists():
        insert_select(Membership, {
            "user_id": "u.id",
            "organisation_id": f"({_array(referrer_org_ids)})[u.n]",
            "status": f"'{MembershipStatus.APPROVED}'",
            "role": "CASE WHEN mod(u.n, 10) = 0 THEN 'lead' ELSE 'referrer' END",
        }, "FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM accounts_user "
           "WHERE email LIKE %s) u", ("%@referrer.bench.invalid",))

    teams = {team.pathway: team for team in Team.objects.all()}
    if len(teams) < 4:
        raise SeedError("The four pathway teams are missing (accounts migration 0002).")
    staff_ids, manager_ids = {}, {}
    for pathway, team in teams.items():
        for role, store in ((TeamRole.TRIAGE, staff_ids), (TeamRole.MANAGER, manager_ids)):
            user, _ = User.objects.get_or_create(
                email=f"{role}.{pathway}@staff.bench.invalid",
                defaults={"full_name": f"Bench {role} {pathway}", "email_verified": True},
            )
            TeamMembership.objects.get_or_create(user=user, team=team, defaults={"role": role})
            # Staff are also in their team's group: guardian's group grants reach them there.
            user.groups.add(team.group)
            store[pathway] = user.pk
    admin, created = User.objects.get_or_create(
        email="admin@staff.bench.invalid",
        defaults={"full_name": "Bench Admin", "email_verified": True, "is_staff": True,
                  "is_superuser": True, "is_council_admin": True},
    )
    return People(
        team_ids={p: t.pk for p, t in teams.items()},
        group_ids={p: t.group_id for p, t in teams.items()},
        staff_ids=staff_ids,
        manager_ids=manager_ids,
        admin_id=admin.pk,
        referrer_ids=referrer_ids,
        referrer_org_ids=referrer_org_ids,
    )


def _ts(value: datetime) -> str:
    """A timestamp literal: select-list expressions carry no placeholders (see sqlfill)."""
    return f"'{value.isoformat()}'::timestamptz"


def _array(ids: list[int]) -> str:
    return "'{" + ",".join(str(int(i)) for i in ids) + "}'::bigint[]"


def _text_array(words) -> str:
    return "ARRAY[" + ", ".join(f"'{w}'" for w in words) + "]"


def _case(column: str, mapping: dict[str, int]) -> str:
    whens = " ".join(f"WHEN '{key}' THEN {int(value)}" for key, value in mapping.items())
    return f"CASE {column} {whens} END"


BULK_THRESHOLD = 50_000


def referrals_grow(people: People, *, to: int, now: datetime, bulk: bool | None = None) -> int:
    """Insert referrals (and everything hanging off them) until there are `to` of them.

    A large step (`bulk`, by default from 50,000 new referrals) drops the secondary indexes
    and rebuilds them afterwards, and skips foreign-key triggers while inserting
    (session_replication_role = replica): the rows reference valid ids by construction, and
    one index build is several times faster than a million index insertions.
    """
    from referrals.models import Referral

    start = (Referral.objects.aggregate(m=models.Max("id"))["m"] or 0) + 1
    if start > to:
        return 0
    lo, hi = start, to
    if bulk is None:
        bulk = hi - lo + 1 >= BULK_THRESHOLD
    tables = seeded_tables()
    dropped = _indexes_drop(tables) if bulk else []
    try:
        if bulk:
            _set("session_replication_role", "replica")
        _referrals(people, lo, hi, now)
        _events(lo, hi)
        _deadlines(lo, hi, now)
        _notices(lo, hi)
        _feedback_records(lo, hi)
        _audit(people, lo, hi)
        _permissions(people, lo, hi)
        _attachments(lo, hi)
    finally:
        if bulk:
            _set("session_replication_role", "origin")
            _indexes_create(dropped)
    _next_clocks(lo, hi)  # after the indexes are back: it probes the deadlines by referral
    sequence_sync(Referral)
    return hi - lo + 1


def _next_clocks(lo: int, hi: int) -> None:
    """Referral.next_due_at / next_paused_at, by the statement the clock services run after
    every change (pathways.deadlines.next_clock_sql), for the new referrals with a clock
    running (the others keep NULL, as the services leave them)."""
    from pathways.deadlines import next_clock_sql

    with connection.cursor() as cursor:
        cursor.execute(
            next_clock_sql(
                "id BETWEEN %s AND %s AND id IN (SELECT d.referral_id FROM pathways_deadline d "
                "WHERE d.met_at IS NULL AND d.cancelled_at IS NULL)"
            ),
            [lo, hi],
        )


def seeded_tables() -> list[str]:
    from audit.models import AuditEvent
    from feedback.models import FeedbackRecord
    from outbox.models import Notice
    from pathways.models import Deadline
    from referrals.models import Referral, ReferralEvent, ReferralGroupObjectPermission

    models_ = [Referral, ReferralEvent, Deadline, Notice, FeedbackRecord, AuditEvent,
               ReferralGroupObjectPermission]
    if attachment_model() is not None:
        models_.append(attachment_model())
    return [m._meta.db_table for m in models_]


def _set(name: str, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET {name} = {value}")


def _indexes_drop(tables: list[str]) -> list[str]:
    """Drop the tables' secondary indexes (not primary keys or constraints' indexes);
    returns their definitions."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [tables],
        )
        found = cursor.fetchall()
        for name, _definition in found:
            cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in found]


def _indexes_create(definitions: list[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for definition in definitions:
            cursor.execute(definition)


# The derived columns every table below reuses, as a sub-select over the referral ids.
def _derived(lo: int, hi: int) -> tuple[str, tuple]:
    return (
        "FROM (SELECT r.*, r.received_at + bench_u(r.id, 10) * interval '30 hours' AS decided_at"
        " FROM referrals_referral r WHERE r.id BETWEEN %s AND %s) s",
        (lo, hi),
    )


def _referrals(people: People, lo: int, hi: int, now: datetime) -> None:
    from referrals.models import Referral

    awaiting = "', '".join(AWAITING)
    status_sql = """CASE
      WHEN a.is_draft THEN 'draft'
      WHEN a.age < 3 THEN CASE WHEN a.u4 < 0.6 THEN 'submitted'
           WHEN a.u4 < 0.75 THEN 'info_requested'
           WHEN a.pathway = 'mash' THEN 'rag_rated' ELSE 'submitted' END
      WHEN a.age < 60 THEN CASE WHEN a.pathway = 'mash'
           THEN CASE WHEN a.u4 < 0.5 THEN 'mash_decided' ELSE 'closed' END
           ELSE CASE WHEN a.u4 < 0.3 THEN 'concern_decided' WHEN a.u4 < 0.6 THEN 'enquiry'
                     WHEN a.u4 < 0.75 THEN 'plan_review' ELSE 'closed' END END
      ELSE CASE WHEN a.u4 < 0.9 THEN 'closed' WHEN a.u4 < 0.93 THEN 'withdrawn'
           WHEN a.u4 < 0.95 THEN 'merged' WHEN a.pathway = 'mash' THEN 'closed'
           WHEN a.u4 < 0.98 THEN 'enquiry' ELSE 'plan_review' END
    END"""
    inner = f"""FROM (
      SELECT a.*, {status_sql} AS status,
             CASE WHEN a.is_draft THEN NULL ELSE a.now - a.age * interval '1 day' END
               AS received_at
      FROM (
        SELECT g AS id, %s::timestamptz AS now, bench_u(g, 1) * 365 AS age,
               bench_u(g, 2) < 0.03 AS is_draft,
               CASE WHEN bench_u(g, 3) < 0.40 THEN 'oppd'
                    WHEN bench_u(g, 3) < 0.58 THEN 'mental-health'
                    WHEN bench_u(g, 3) < 0.68 THEN 'learning-disabilities'
                    ELSE 'mash' END AS pathway,
               bench_u(g, 4) AS u4, bench_u(g, 5) AS u5, bench_u(g, 6) AS u6,
               floor(bench_u(g, 7) * %s)::int + 1 AS who, bench_u(g, 8) AS u8,
               bench_u(g, 9) AS u9
        FROM generate_series(%s, %s) g
      ) a
    ) s"""
    decided = f"s.status NOT IN ('draft', '{awaiting}', 'withdrawn', 'merged')"
    decided_at = "(s.received_at + bench_u(s.id, 10) * interval '30 hours')"
    finished = "s.status IN ('closed', 'withdrawn', 'merged')"
    exprs = {
        "id": "s.id",
        "reference": "'B' || lpad(s.id::text, 9, '0')",
        "pathway": "s.pathway",
        "team_id": f"CASE WHEN s.status = 'draft' THEN NULL ELSE "
                   f"{_case('s.pathway', people.team_ids)} END",
        "status": "s.status",
        "urgent": "s.u6 < 0.05",
        "urgent_reason": "CASE WHEN s.u6 < 0.05 THEN 'Bench: said they are not safe tonight' "
                         "ELSE '' END",
        "referrer_id": f"({_array(people.referrer_ids)})[s.who]",
        "organisation_id": f"({_array(people.referrer_org_ids)})[s.who]",
        "assignee_id": f"CASE WHEN {decided} THEN {_case('s.pathway', people.staff_ids)} END",
        "person_name": f"({_text_array(FIRST_NAMES)})[1 + floor(bench_u(s.id, 12) * "
                       f"{len(FIRST_NAMES)})::int] || ' ' || ({_text_array(SURNAMES)})"
                       f"[1 + floor(bench_u(s.id, 13) * {len(SURNAMES)})::int]",
        "person_dob": "(s.now - CASE WHEN s.pathway = 'mash' THEN 1 + s.u8 * 16 "
                      "ELSE 18 + s.u8 * 77 END * interval '1 year')::date",
        "person_address": "'Flat ' || mod(s.id, 200) || ', Bench Road, London'",
        # 28 districts x 9 sectors x 676 units = 170,352 postcodes, about 6 referrals each at
        # 1M (England has 1.7M postcodes). Before, 252 postcodes held 4,000 referrals each at
        # 1M, and the duplicate search read them all on every staff referral page.
        "person_postcode": "'SE' || (1 + mod(s.id, 28)) || ' ' || (1 + mod(s.id, 9)) "
                           "|| chr(65 + floor(bench_u(s.id, 14) * 26)::int) "
                           "|| chr(65 + floor(bench_u(s.id, 15) * 26)::int)",
        "categories": "(ARRAY['[\"neglect\"]', '[\"financial\"]', '[\"physical\", \"domestic\"]',"
                      " '[\"self_neglect\"]', '[\"psychological\"]'])[1 + mod(s.id, 5)]::jsonb",
        "answers": "jsonb_build_object('what_happened', 'Bench concern ' || s.id, "
                   "'consent', CASE WHEN mod(s.id, 4) = 0 THEN 'no' ELSE 'yes' END)",
        "feedback_preference": "CASE WHEN s.u9 < 0.1 THEN 'phone_only' ELSE 'portal_email' END",
        "rag_rating": "CASE WHEN s.pathway = 'mash' AND s.status NOT IN ('draft', 'submitted') "
                      "THEN (ARRAY['red', 'amber', 'green'])[1 + mod(s.id, 3)] ELSE '' END",
        "outcome": f"""CASE WHEN NOT ({decided}) THEN ''
            WHEN s.pathway = 'mash' THEN (ARRAY['nfa', 'early_help', 's17', 's47'])[1 + mod(s.id, 4)]
            WHEN s.status IN ('enquiry', 'plan_review') THEN 's42_met'
            ELSE (ARRAY['s42_met', 'concern_not_met', 'not_safeguarding'])[1 + mod(s.id, 3)] END""",
        "created_at": "COALESCE(s.received_at, s.now - s.age * interval '1 day') "
                      "- interval '20 minutes'",
        "updated_at": "COALESCE(s.received_at, s.now - s.age * interval '1 day')",
        "received_at": "s.received_at",
        "closed_at": f"CASE WHEN {finished} THEN {decided_at} "
                     "+ s.u5 * GREATEST(s.age - 1.5, 0.1) * 0.5 * interval '1 day' END",
    }
    insert_select(Referral, exprs, inner, (now, len(people.referrer_ids), lo, hi))


def _events(lo: int, hi: int) -> None:
    from referrals.models import ReferralEvent

    derived, params = _derived(lo, hi)
    common = {"referral_id": "s.id", "visible_to_referrer": "true", "detail": "'{}'::jsonb"}
    insert_select(ReferralEvent, {
        **common, "at": "s.received_at", "actor_id": "s.referrer_id", "kind": "'submitted'",
        "from_status": "'draft'", "to_status": "'submitted'",
    }, derived + " WHERE s.status <> 'draft'", params)
    insert_select(ReferralEvent, {
        **common, "at": "s.decided_at", "actor_id": "s.assignee_id", "kind": "'decided'",
        "from_status": "'submitted'",
        "to_status": "CASE WHEN s.status IN ('closed') THEN "
                     "CASE WHEN s.pathway = 'mash' THEN 'mash_decided' ELSE 'concern_decided' END "
                     "ELSE s.status END",
        "reason": "'Bench decision with reasons'",
    }, derived + f" WHERE s.status NOT IN {UNDECIDED}", params)
    insert_select(ReferralEvent, {
        **common, "at": "s.closed_at", "actor_id": "s.assignee_id", "kind": "s.status",
        "from_status": "'submitted'", "to_status": "s.status",
    }, derived + f" WHERE s.status IN {FINISHED}", params)


def _deadlines(lo: int, hi: int, now: datetime) -> None:
    from pathways.models import Deadline

    derived, params = _derived(lo, hi)
    # The decision clock: same working day for adults (8 h), one working day for MASH (24 h).
    clock = f"""FROM (SELECT s.id, s.received_at AS starts,
        s.received_at + CASE WHEN s.pathway = 'mash' THEN interval '24 hours'
                             ELSE interval '8 hours' END AS due,
        CASE WHEN s.status IN {AWAITING} THEN NULL
             WHEN s.status IN ('withdrawn', 'merged') THEN s.closed_at
             ELSE s.decided_at END AS met,
        s.pathway, s.received_at AS created
      {derived} WHERE s.status <> 'draft') c"""
    exprs = {
        "referral_id": "c.id",
        "kind": "CASE WHEN c.pathway = 'mash' THEN 'mash_decision' ELSE 'concern_decision' END",
        "starts_at": "c.starts",
        "due_at": "c.due",
        "warning_at": "c.due - interval '2 hours'",
        "met_at": "c.met",
        "warned_at": f"CASE WHEN c.due - interval '2 hours' < COALESCE(c.met, {_ts(now)}) "
                     "THEN c.due - interval '2 hours' END",
        "breached_at": f"CASE WHEN c.due < COALESCE(c.met, {_ts(now)}) THEN c.due END",
        "created_at": "c.created",
    }
    insert_select(Deadline, exprs, clock, params)
    # The enquiry clock (adults, s42 met): about two months.
    enquiry = f"""FROM (SELECT s.id, s.decided_at AS starts,
        s.decided_at + interval '61 days' AS due,
        CASE WHEN s.status = 'plan_review'
             THEN LEAST(s.decided_at + interval '20 days', %s::timestamptz) END AS met,
        s.pathway, s.decided_at AS created
      {derived} WHERE s.status IN ('enquiry', 'plan_review')) c"""
    exprs.update({
        "kind": "'enquiry'",
        "warning_at": "c.due - interval '30 days'",
        "warned_at": f"CASE WHEN c.due - interval '30 days' < COALESCE(c.met, {_ts(now)}) "
                     "THEN c.due - interval '30 days' END",
    })
    insert_select(Deadline, exprs, enquiry, (now, *params))


def _notices(lo: int, hi: int) -> None:
    from outbox.models import Notice

    derived, params = _derived(lo, hi)
    common = {
        "recipient_id": "s.referrer_id", "recipient_email": "'referrer@referrer.bench.invalid'",
        "referral_id": "s.id", "channel": "'email'", "status": "'sent'", "attempts": "1",
    }
    insert_select(Notice, {
        **common, "kind": "'acknowledgement'",
        "subject": "'Safeguarding referral ' || s.reference || ' received'",
        "body": "'We have received referral ' || s.reference || '.'",
        "dedupe_key": "'bench-ack:' || s.id", "created_at": "s.received_at",
        "sent_at": "s.received_at + interval '1 minute'",
    }, derived + " WHERE s.status <> 'draft'", params)
    insert_select(Notice, {
        **common, "kind": "'feedback:decision'",
        "subject": "'Update on safeguarding referral ' || s.reference",
        "body": "'There is an update on referral ' || s.reference || '.'",
        "dedupe_key": "'bench-fb:' || s.id", "created_at": "s.decided_at",
        "sent_at": "s.decided_at + interval '1 minute'",
    }, derived + f" WHERE s.status NOT IN {UNDECIDED}", params)


def _feedback_records(lo: int, hi: int) -> None:
    from feedback.models import FeedbackRecord

    derived, params = _derived(lo, hi)
    insert_select(FeedbackRecord, {
        "referral_id": "s.id", "kind": "'decision'",
        "outcome_text": "'Bench outcome in plain words'",
        "reason": "'Bench reason'",
        "withheld": "mod(s.id, 20) = 0",
        "withheld_reason": "CASE WHEN mod(s.id, 20) = 0 THEN 'no_consent' ELSE '' END",
        "created_at": "s.decided_at", "created_by_id": "s.assignee_id",
        "given_at": "s.decided_at + interval '1 minute'",
    }, derived + f" WHERE s.status NOT IN {UNDECIDED}", params)


def _audit(people: People, lo: int, hi: int) -> None:
    from audit.models import AuditEvent

    derived, params = _derived(lo, hi)
    insert_select(AuditEvent, {
        "at": "COALESCE(s.decided_at, s.received_at)",
        "actor_id": f"COALESCE(s.assignee_id, {_case('s.pathway', people.staff_ids)})",
        "action": "'referral.viewed'", "referral_id": "s.id",  # AuditAction.REFERRAL_VIEWED
        "object_type": "'referrals.referral'", "object_id": "s.id::text",
        "allowed": "true", "ip_address": "'127.0.0.1'::inet",
        "path": "'/triage/referrals/' || s.id || '/'", "detail": "'{}'::jsonb",
    }, derived + " WHERE s.status <> 'draft'", params)


def _permissions(people: People, lo: int, hi: int) -> None:
    from referrals.models import ReferralGroupObjectPermission

    perm_ids = list(Permission.objects.filter(
        content_type__app_label="referrals", content_type__model="referral",
        codename__in=["view_referral", "triage_referral"],
    ).values_list("id", flat=True))
    insert_select(ReferralGroupObjectPermission, {
        "group_id": _case("r.pathway", people.group_ids),
        "permission_id": "p.pid",
        "content_object_id": "r.id",
    }, "FROM referrals_referral r CROSS JOIN unnest(%s::int[]) AS p(pid) "
       "WHERE r.id BETWEEN %s AND %s AND r.status <> 'draft'", (perm_ids, lo, hi))


def attachment_model():
    for model in apps.get_app_config("referrals").get_models():
        if "attachment" in model.__name__.lower():
            return model
    return None


def _attachments(lo: int, hi: int) -> None:
    """Attachment metadata only (no files): 30% of referrals have one."""
    model = attachment_model()
    if model is None:
        return
    exprs = {}
    for field in model._meta.concrete_fields:
        name = field.name.lower()
        if field.primary_key:
            continue
        if isinstance(field, models.ForeignKey):
            target = field.related_model._meta.label_lower
            if target == "referrals.referral":
                exprs[field.attname] = "s.id"
            elif target == "accounts.user":
                exprs[field.attname] = "s.referrer_id"
        elif isinstance(field, models.FileField):
            exprs[field.attname] = "'bench/attachment-' || s.id || '.pdf'"
        elif isinstance(field, models.DateTimeField):
            exprs[field.attname] = "s.received_at"
        elif isinstance(field, models.IntegerField) and ("size" in name or "bytes" in name):
            exprs[field.attname] = "50000 + mod(s.id * 37, 900000)"
        elif isinstance(field, models.CharField) and not field.has_default():
            if "type" in name or "mime" in name:
                exprs[field.attname] = "'application/pdf'"
            elif "sha" in name or "hash" in name or "digest" in name:
                exprs[field.attname] = f"left(md5(s.id::text), {field.max_length})"
            elif "name" in name:
                exprs[field.attname] = "'letter-' || s.id || '.pdf'"
    derived, params = _derived(lo, hi)
    insert_select(model, exprs, derived + " WHERE s.status <> 'draft' AND bench_u(s.id, 11) < 0.3",
                  params)
    if has_field(model, "id"):
        sequence_sync(model)


def vacuum_analyze() -> None:
    """Fresh statistics and visibility maps, as autovacuum would give a live system."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def table_counts() -> dict[str, int]:
    from audit.models import AuditEvent
    from outbox.models import Notice
    from pathways.models import Deadline
    from referrals.models import Referral, ReferralEvent

    counts = {}
    for model in (Referral, ReferralEvent, Deadline, Notice, AuditEvent):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {model._meta.db_table}")
            counts[model._meta.label_lower] = cursor.fetchone()[0]
    return counts
