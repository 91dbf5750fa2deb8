"""Plain INSERTs for the demo's big tables (order lines, orders, activities).

At 200,000 rows bulk_create spends most of its time building model instances and
preparing each value through the field API. The demo's rows are already clean, typed
values, so they go in as plain tuples: COPY on PostgreSQL, executemany elsewhere (as the
bulk writes of grids.assignment do). Like bulk_create, this skips the audit signals: the
demo is seed data, not anyone's edit. Rows that others point at get their ids up front
(`next_pk`); `reset_sequences` then moves the sequences past them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

CHUNK = 20_000


def next_pk(model: type[models.Model]) -> int:
    """The first free primary key of `model`'s table (the demo is its only writer)."""
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def reset_sequences(*model_classes: type[models.Model]) -> None:
    """Move the id sequences past explicitly inserted ids (a no-op on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_classes))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _adapter(field: models.Field) -> Callable | None:
    """How a value of `field` must be converted for the driver (None: as it is)."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return lambda value: None if value is None else ops.adapt_datetimefield_value(value)
    if isinstance(field, models.JSONField):
        return lambda value: ops.adapt_json_value(value, field.encoder)
    return None


def insert_rows(model: type[models.Model], rows: list[dict], *, with_pk: bool = False) -> int:
    """Insert `rows` (dicts by field attname; missing fields take their defaults, auto_now
    fields the current time) into `model`'s table; returns the number inserted."""
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    columns = []
    for f in fields:
        auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        adapt = _adapter(f)
        default = now if auto else f.get_default()
        columns.append((f.attname, adapt, default if adapt is None else adapt(default)))

    def as_tuple(row: dict) -> tuple:
        values = []
        for name, adapt, default in columns:
            if name not in row:
                values.append(default)
            else:
                values.append(row[name] if adapt is None else adapt(row[name]))
        return tuple(values)

    return insert_values(model, [f.attname for f in fields], [as_tuple(row) for row in rows])


def insert_values(model: type[models.Model], names: list[str], values: list[tuple]) -> int:
    """Insert tuples of driver-ready values for the fields `names` (attnames, in order)."""
    ops = connection.ops
    columns = [ops.quote_name(model._meta.get_field(n).column) for n in names]
    write_rows(ops.quote_name(model._meta.db_table), columns, values)
    return len(values)


def write_rows(table: str, columns: list[str], values: list[tuple]) -> None:
    """Write tuples into the (quoted) `table` and `columns`."""
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: one stream, no statement to parse (psycopg binds client-side, and
            # re-parses a long INSERT on every call).
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            one = "(" + ", ".join(["%s"] * len(columns)) + ")"
            sql = f"INSERT INTO {table} ({names}) VALUES {one}"
            for start in range(0, len(values), CHUNK):
                cursor.executemany(sql, values[start : start + CHUNK])


def adapt_datetime(value):
    """A datetime as the driver takes it for a DateTimeField (UTC text on SQLite)."""
    return connection.ops.adapt_datetimefield_value(value)
