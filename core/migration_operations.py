"""Migration operations that keep upgrades from locking large tables on PostgreSQL (docs/
deployment.md, "Upgrades") and still run on the embedded SQLite default (the demo).

- `AddForeignKeyWithoutLock`: a nullable foreign key added as a bare column plus a NOT VALID
  constraint (no index, no scan of the existing rows under the table's lock); validate it in a
  later migration with `ValidateConstraint`. On SQLite: Django's own AddField.
- `ValidateConstraint`: VALIDATE CONSTRAINT, which lets reads and writes go on. Nothing on SQLite.
- `AddIndexConcurrentlyOrPlain`: CREATE INDEX CONCURRENTLY on PostgreSQL, a plain index elsewhere.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations
from django.db.migrations.operations import AddIndex


def _postgres(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


class AddForeignKeyWithoutLock(migrations.SeparateDatabaseAndState):
    """State: AddField(model_name, name, field). Database: see the module's docstring."""

    def __init__(self, model_name: str, name: str, field, table: str, target_table: str,
                 constraint: str):
        self.add_field = migrations.AddField(model_name=model_name, name=name, field=field)
        self.table, self.target_table, self.constraint = table, target_table, constraint
        super().__init__(state_operations=[self.add_field])

    def deconstruct(self):
        return (self.__class__.__qualname__, [], {
            "model_name": self.add_field.model_name, "name": self.add_field.name,
            "field": self.add_field.field, "table": self.table,
            "target_table": self.target_table, "constraint": self.constraint})

    def _column(self) -> str:
        return f"{self.add_field.name}_id"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not _postgres(schema_editor):
            return self.add_field.database_forwards(app_label, schema_editor, from_state,
                                                    to_state)
        quote = schema_editor.quote_name
        schema_editor.execute(f"ALTER TABLE {quote(self.table)} ADD COLUMN "
                              f"{quote(self._column())} bigint NULL")
        schema_editor.execute(
            f"ALTER TABLE {quote(self.table)} ADD CONSTRAINT {quote(self.constraint)} "
            f"FOREIGN KEY ({quote(self._column())}) REFERENCES {quote(self.target_table)} "
            f"(\"id\") DEFERRABLE INITIALLY DEFERRED NOT VALID")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if not _postgres(schema_editor):
            return self.add_field.database_backwards(app_label, schema_editor, from_state,
                                                     to_state)
        quote = schema_editor.quote_name
        schema_editor.execute(f"ALTER TABLE {quote(self.table)} DROP COLUMN "
                              f"{quote(self._column())}")

    def describe(self):
        return (f"Add foreign key {self.add_field.name} to {self.add_field.model_name} "
                "without a lock on existing rows")


class ValidateConstraint(migrations.RunSQL):
    def __init__(self, table: str, constraint: str):
        self.table, self.constraint = table, constraint
        super().__init__(sql=f'ALTER TABLE "{table}" VALIDATE CONSTRAINT "{constraint}"',
                         reverse_sql=migrations.RunSQL.noop)

    def deconstruct(self):
        return (self.__class__.__qualname__, [],
                {"table": self.table, "constraint": self.constraint})

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)


class AddIndexConcurrentlyOrPlain(AddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return AddIndex.database_backwards(self, app_label, schema_editor, from_state,
                                           to_state)
