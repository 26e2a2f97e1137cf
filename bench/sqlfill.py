"""Set-based inserts that survive other apps adding columns.

`insert_select(Model, {"column": "sql expression"}, "FROM ...")` writes one
INSERT ... SELECT. Columns the caller does not name get the model field's own default, NULL
when nullable, or '' for a blank text field, so a helper adding a field with a default does not
break the seeder. A new required field without a default stops it with a message naming it.
"""

from django.db import connection, models


class SeedError(RuntimeError):
    """A table has a required column the seeder cannot fill."""


def insert_select(model, exprs: dict[str, str], from_sql: str, params: tuple = ()) -> int:
    """Insert the rows selected by `from_sql`; returns the number of rows inserted.

    `exprs` maps a field's attname (or column) to an SQL expression over `from_sql`.
    Write `%%` for a literal percent sign (the statement is parameterised).
    """
    sql, all_params = insert_select_sql(model, exprs, from_sql, params)
    with connection.cursor() as cursor:
        cursor.execute(sql, all_params)
        return cursor.rowcount


def insert_select_sql(model, exprs: dict[str, str], from_sql: str,
                      params: tuple = ()) -> tuple[str, tuple]:
    """The INSERT ... SELECT of insert_select and its parameters, not run (to put it in a
    WITH clause)."""
    columns, selects, select_params = [], [], []
    unused = dict(exprs)
    for field in model._meta.concrete_fields:
        key = field.attname if field.attname in exprs else field.column
        if key in exprs:
            columns.append(connection.ops.quote_name(field.column))
            selects.append(exprs[key])
            unused.pop(key)
            continue
        if field.primary_key or _has_db_default(field):
            continue
        if field.has_default():
            columns.append(connection.ops.quote_name(field.column))
            selects.append("%s")
            select_params.append(field.get_db_prep_save(field.get_default(), connection))
        elif field.null:
            continue
        elif field.blank and isinstance(field, models.CharField | models.TextField):
            columns.append(connection.ops.quote_name(field.column))
            selects.append("''")
        else:
            raise SeedError(
                f"{model.__name__}.{field.name} is required and has no default: "
                "bench/seed.py needs an expression for it."
            )
    if unused:
        raise SeedError(f"{model.__name__} has no field(s) {sorted(unused)}")
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} "
        f"({', '.join(columns)}) SELECT {', '.join(selects)} {from_sql}"
    )
    return sql, (*select_params, *params)


def _has_db_default(field) -> bool:
    return getattr(field, "db_default", models.NOT_PROVIDED) is not models.NOT_PROVIDED


def has_field(model, name: str) -> bool:
    return any(f.name == name or f.attname == name for f in model._meta.concrete_fields)


def sequence_sync(model) -> None:
    """After inserting explicit ids, move the id sequence past them."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
            f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}), 1))",
            [table],
        )
