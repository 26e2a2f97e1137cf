"""`manage.py backup DIR`: the database (pg_dump, custom format) and the attachments (ops/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from ops.backup import backup_make


class Command(BaseCommand):
    help = "Back up the database and the attachments into a directory."

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, **options):
        manifest = backup_make(Path(options["directory"]))
        self.stdout.write(f"Backed up the database and {len(manifest['attachments'])} "
                          f"attachment(s) to {options['directory']}.")
