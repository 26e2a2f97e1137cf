"""manage.py db_app_role: create the application's database role and grant it least privilege.

Run it as the owner of the tables (the role that runs `migrate`), after `migrate`:

    DATABASE_URL=$MIGRATION_DATABASE_URL APP_DATABASE_URL=$DATABASE_URL manage.py db_app_role

The role's name and password are read from APP_DATABASE_URL (the URL the application uses), or
the name from --role. See audit/db_roles.py and docs/security.md.
"""

import os

import dj_database_url
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from audit.db_roles import app_role_grant


class Command(BaseCommand):
    help = "Create the application's database role and grant it only what it needs."

    def add_arguments(self, parser):
        parser.add_argument("--role", help="the role's name (default: APP_DATABASE_URL's user)")

    def handle(self, *args, role=None, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are for PostgreSQL; SQLite has none.")
        password = None
        url = os.environ.get("APP_DATABASE_URL", "")
        if url:
            parsed = dj_database_url.parse(url)
            role = role or parsed.get("USER")
            password = parsed.get("PASSWORD") or None
        if not role:
            raise CommandError("Give --role or APP_DATABASE_URL.")
        if role == connection.settings_dict.get("USER"):
            raise CommandError(
                "The application's role must not be the owner that runs this command: set "
                "MIGRATION_DATABASE_URL to the owner and DATABASE_URL to another role.")
        with transaction.atomic(), connection.cursor() as cursor:
            app_role_grant(cursor, role=role, password=password)
        self.stdout.write(f"Role {role}: granted (audit: SELECT, INSERT only).")
