"""The only writer of the directory from a feed: services_import. Administrators also edit
rows in the admin."""

from dataclasses import dataclass, field

from django.db import transaction

from .models import Service
from .oruk import ParsedService, RowError

FIELDS = ("name", "description", "organisation", "phone", "email", "url", "address", "area",
          "active")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    def summary(self) -> str:
        words = (f"{self.created} added, {self.updated} updated, {self.unchanged} unchanged, "
                 f"{len(self.errors)} not imported")
        return words


@transaction.atomic
def services_import(rows: list[ParsedService | RowError]) -> ImportResult:
    """Add or update one Service per feed id (idempotent: importing the same feed twice changes
    nothing). A row that could not be read is reported and skipped. The same id twice in one
    feed: the later row wins, as it would on a second import."""
    result = ImportResult()
    existing = {s.source_id: s for s in Service.objects.filter(
        source_id__in=[r.source_id for r in rows if isinstance(r, ParsedService)])}
    for row in rows:
        if isinstance(row, RowError):
            result.errors.append(row)
            continue
        service = existing.get(row.source_id)
        values = {name: getattr(row, name) for name in FIELDS}
        if service is None:
            existing[row.source_id] = Service.objects.create(source_id=row.source_id, **values)
            result.created += 1
            continue
        changed = [name for name, value in values.items() if getattr(service, name) != value]
        if not changed:
            result.unchanged += 1
            continue
        for name in changed:
            setattr(service, name, values[name])
        service.save(update_fields=[*changed, "updated_at"])
        result.updated += 1
    return result
