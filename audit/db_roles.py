"""Least privilege for the application's database role (issue 14, attack 9).

Migrations run as the owner of the tables (MIGRATION_DATABASE_URL); the web process and the
Celery worker and beat connect as an application role (DATABASE_URL) that owns nothing. The
application role may read and write the portal's tables as usual, but on the audit table only
INSERT and SELECT: it cannot UPDATE, DELETE or TRUNCATE rows, and, not being the owner, it cannot
disable or drop the append-only triggers either.

`app_role_grant` is idempotent: run it (as the owner) after every `migrate`. Default privileges
give tables that later migrations create the same rights.
"""

from psycopg2 import sql

AUDIT_TABLE = "audit_auditevent"
TABLE_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"
AUDIT_RIGHTS = "SELECT, INSERT"


def app_role_grant(cursor, *, role: str, password: str | None = None) -> None:
    """Create `role` if it is missing (a login role with no special powers) and grant it what
    the application needs. `cursor` is a PostgreSQL cursor connected as the owner."""
    name = sql.Identifier(role)
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    if cursor.fetchone() is None:
        cursor.execute(sql.SQL(
            "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
            "NOBYPASSRLS").format(name))
    if password:
        cursor.execute(sql.SQL("ALTER ROLE {} PASSWORD %s").format(name), [password])
    cursor.execute("SELECT current_database()")
    database = sql.Identifier(cursor.fetchone()[0])
    statements = [
        # TEMPORARY: the dashboard's refresh uses a temporary table.
        "GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {role}",
        "GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT {TABLE_RIGHTS} ON ALL TABLES IN SCHEMA public TO {{role}}",
        "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {TABLE_RIGHTS} ON TABLES TO {{role}}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
        # The audit: append and read only. After the grants above, which include it.
        f"REVOKE ALL ON {AUDIT_TABLE} FROM PUBLIC",
        f"REVOKE ALL ON {AUDIT_TABLE} FROM {{role}}",
        f"GRANT {AUDIT_RIGHTS} ON {AUDIT_TABLE} TO {{role}}",
    ]
    for statement in statements:
        cursor.execute(sql.SQL(statement).format(db=database, role=name))
