"""`manage.py restore DIR --database-url URL --storage-root PATH`: into an EMPTY database and
directory (ops/backup.py); every attachment is checked against the backup's manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand

from ops.backup import backup_restore


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` into an empty database and directory."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--database-url", required=True,
                            help="the EMPTY database to restore into")
        parser.add_argument("--storage-root", required=True,
                            help="the EMPTY directory for the attachments")

    def handle(self, *args, **options):
        manifest = backup_restore(Path(options["directory"]),
                                  database_url=options["database_url"],
                                  root=Path(options["storage_root"]))
        self.stdout.write(f"Restored the database and {len(manifest['attachments'])} "
                          "attachment(s); every file matches the manifest.")
