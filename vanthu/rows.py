"""Plain-statement writes for the hot paths: multi-row INSERTs, one-row UPDATEs.

Django's `bulk_create` prepares every value of every row through the field machinery; issuing
to 150 recipients spent most of its time there. Here each distinct value is prepared once and
rows are sent as one statement per chunk, so `issue_document` costs little more than the bare
SQL it replaces. Fields not given take their model default, prepared once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

_INTEGER_TYPES = frozenset({"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
                            "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
                            "PositiveSmallIntegerField"})


def insert_rows(model: type[Model], names: Sequence[str], rows: Sequence[Sequence[Any]], *,
                returning_ids: bool = False) -> list[int]:
    """Insert rows given as tuples of Python values for `names`; return the new ids if asked."""
    if not rows:
        return []
    opts = model._meta
    given = [opts.get_field(n) for n in names]
    rest = [f for f in opts.concrete_fields if not f.primary_key and f.name not in names]
    defaults = [f.get_db_prep_save(f.get_default(), connection) for f in rest]
    prepared: dict[tuple[int, Any], Any] = {}
    int_columns = {i for i, f in enumerate(given) if f.get_internal_type() in _INTEGER_TYPES
                   or (f.is_relation and f.target_field.get_internal_type() in _INTEGER_TYPES)}

    def prep(i: int, value: Any) -> Any:
        if type(value) is int and i in int_columns:
            return value  # ids and counts: every backend takes a Python int as it is
        key = (i, value)
        try:
            return prepared[key]
        except KeyError:
            prepared[key] = out = given[i].get_db_prep_save(value, connection)
            return out
        except TypeError:  # an unhashable value: prepare it every time
            return given[i].get_db_prep_save(value, connection)

    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in [*given, *rest])
    width = len(given) + len(rest)
    per_statement = max(1, (connection.features.max_query_params or 999) // width)
    suffix = f" RETURNING {qn(opts.pk.column)}" if returning_ids else ""
    ids: list[int] = []
    with connection.cursor() as cur:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start:start + per_statement]
            params: list[Any] = []
            for row in chunk:
                params.extend(prep(i, v) for i, v in enumerate(row))
                params.extend(defaults)
            one = "(" + ", ".join(["%s"] * width) + ")"
            cur.execute(f"INSERT INTO {qn(opts.db_table)} ({columns}) VALUES {', '.join([one] * len(chunk))}{suffix}", params)
            if returning_ids:
                ids.extend(r[0] for r in cur.fetchall())
    return ids


def update_row(model, obj, names: Sequence[str]) -> None:
    """UPDATE one row's `names` columns to the object's values: one plain statement, as
    `save(update_fields=...)` writes them, without its signals and per-call query building."""
    opts = model._meta
    fields_ = [opts.get_field(n) for n in names]
    qn = connection.ops.quote_name
    params = [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields_]
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {qn(opts.db_table)} SET {', '.join(f'{qn(f.column)} = %s' for f in fields_)}"
                    f" WHERE {qn(opts.pk.column)} = %s", [*params, obj.pk])
