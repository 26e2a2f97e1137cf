"""Change capture for the incremental dashboard rebuild (PostgreSQL only).

Statement-level AFTER triggers on the tables the dashboard's measures read append the ids of
the referrals whose facts may have changed to dashboard_dirtyreferral; the rebuild takes them
(DELETE ... RETURNING) and recomputes only those referrals and the days they count in. See
docs/decisions/dashboard-summaries.md.

- Only the columns the measures read count as a change (COLUMNS below), so the sweep's
  warned_at/breached_at, triage's assignee and a referral's updated_at cost one cheap join of
  the statement's transition tables and nothing else.
- A statement touching more than LIMIT referrals (a bulk load, a data migration) writes one
  null row instead, which asks for a full rebuild; so does TRUNCATE.
- ENABLE ALWAYS: the triggers also fire under session_replication_role = replica, which the
  benchmark's bulk seeder uses to skip foreign-key checks.

If a measure in dashboard/facts.py starts reading another column, add it to COLUMNS here (in
a new migration) or the incremental rebuild will not notice that column change.
"""

from django.db import migrations

LIMIT = 50_000

# table: (expression giving the referral id, relevance condition on a row "x", columns read)
TABLES = {
    "referrals_referral": (
        "id", "x.received_at IS NOT NULL",
        ["received_at", "closed_at", "pathway", "status", "outcome", "urgent", "categories",
         "organisation_id", "rag_rating"]),
    "pathways_deadline": (
        "referral_id", "TRUE",
        ["referral_id", "kind", "variant", "starts_at", "due_at", "met_at", "cancelled_at"]),
    "feedback_feedbackrecord": (
        "referral_id", "TRUE", ["referral_id", "given_at", "given_by_phone"]),
    "feedback_notice": (
        "referral_id", "x.kind LIKE 'feedback:%%'", ["referral_id", "kind", "channel", "sent_at"]),
    "referrals_referralevent": (
        "referral_id", "(x.kind = 'rag_rated' OR x.to_status = 'enquiry')",
        ["referral_id", "kind", "to_status", "at", "detail"]),
}

MARK = """
    WITH ids AS MATERIALIZED ({ids}), n AS (SELECT count(*) AS c FROM ids)
    INSERT INTO dashboard_dirtyreferral (referral_id)
    SELECT ids.referral_id FROM ids, n WHERE n.c <= {limit}
    UNION ALL SELECT NULL FROM n WHERE n.c > {limit};
"""


def _rows(source: str, ref: str, relevant: str) -> str:
    return (f"SELECT DISTINCT x.{ref} AS referral_id FROM {source} x "
            f"WHERE x.{ref} IS NOT NULL AND {relevant}")


def _changed(ref: str, relevant: str, columns: list[str]) -> str:
    old = ", ".join(f"o.{c}" for c in columns)
    new = ", ".join(f"x.{c}" for c in columns)
    relevant_old = relevant.replace("x.", "o.")
    return (f"SELECT DISTINCT u.referral_id FROM (SELECT o.{ref} AS referral_id, x.{ref} AS other "
            f"FROM old_rows o JOIN new_rows x ON x.id = o.id "
            f"WHERE ({old}) IS DISTINCT FROM ({new}) AND (({relevant}) OR ({relevant_old}))) s, "
            f"LATERAL (VALUES (s.referral_id), (s.other)) u(referral_id) "
            f"WHERE u.referral_id IS NOT NULL")


def _function(table: str, ref: str, relevant: str, columns: list[str]) -> str:
    return f"""
CREATE OR REPLACE FUNCTION dashboard_mark_{table}() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO dashboard_dirtyreferral (referral_id) VALUES (NULL);
    ELSIF TG_OP = 'INSERT' THEN
        {MARK.format(ids=_rows("new_rows", ref, relevant), limit=LIMIT)}
    ELSIF TG_OP = 'DELETE' THEN
        {MARK.format(ids=_rows("old_rows", ref, relevant), limit=LIMIT)}
    ELSE
        {MARK.format(ids=_changed(ref, relevant, columns), limit=LIMIT)}
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""


ORGANISATION = f"""
CREATE OR REPLACE FUNCTION dashboard_mark_accounts_organisation() RETURNS trigger AS $$
BEGIN
    -- A sector is a dimension of every referral the organisation made.
    {MARK.format(ids='''SELECT r.id AS referral_id FROM referrals_referral r
        JOIN old_rows o ON o.id = r.organisation_id JOIN new_rows x ON x.id = o.id
        WHERE o.sector IS DISTINCT FROM x.sector AND r.received_at IS NOT NULL''', limit=LIMIT)}
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""


def _create_sql() -> list[str]:
    out = []
    for table, (ref, relevant, columns) in TABLES.items():
        out.append(_function(table, ref, relevant, columns).replace("%%", "%"))
        name = f"dashboard_mark_{table}"
        for event, referencing in (("INSERT", "NEW TABLE AS new_rows"),
                                   ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
                                   ("DELETE", "OLD TABLE AS old_rows")):
            trigger = f"{name}_{event.lower()}"
            out.append(f"CREATE TRIGGER {trigger} AFTER {event} ON {table} "
                       f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
            out.append(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {trigger}")
        out.append(f"CREATE TRIGGER {name}_truncate AFTER TRUNCATE ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
        out.append(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {name}_truncate")
    out.append(ORGANISATION)
    out.append("CREATE TRIGGER dashboard_mark_accounts_organisation_update AFTER UPDATE ON "
               "accounts_organisation REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
               "FOR EACH STATEMENT EXECUTE FUNCTION dashboard_mark_accounts_organisation()")
    out.append("ALTER TABLE accounts_organisation ENABLE ALWAYS TRIGGER "
               "dashboard_mark_accounts_organisation_update")
    # Summaries built before the facts tables existed: the next rebuild must be a full one.
    out.append("INSERT INTO dashboard_dirtyreferral (referral_id) VALUES (NULL)")
    return out


def _drop_sql() -> list[str]:
    out = []
    for table in [*TABLES, "accounts_organisation"]:
        out.append(f"DROP FUNCTION IF EXISTS dashboard_mark_{table}() CASCADE")
    return out


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (the demo): every rebuild is a full one
    for sql in _create_sql():
        schema_editor.execute(sql, None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in _drop_sql():
        schema_editor.execute(sql, None)


class Migration(migrations.Migration):

    dependencies = [
        ("dashboard", "0002_incremental_facts"),
        ("referrals", "0003_referral_form"),
        ("pathways", "0004_clocks"),
        ("feedback", "0003_outbox_retries"),
        ("accounts", "0002_pathway_teams"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
