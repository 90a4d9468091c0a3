"""Writing many new rows at once: PostgreSQL's COPY, or the project's multi-row INSERTs elsewhere.

An import of 100,000 members writes 200,000 rows. `vanthu.rows.insert_rows` sends them as INSERTs
of at most 999 parameters each (a few dozen rows), which on PostgreSQL means thousands of round
trips; COPY sends them as one stream. Both run inside the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

from vanthu.rows import insert_rows


def _copy_value(field, value: Any) -> Any:
    if value is None:
        return None
    if field.get_internal_type() == "JSONField":
        return json.dumps(value, ensure_ascii=False)
    return value


def insert(model: type[Model], names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert rows given as tuples of Python values for `names` (every other column takes its default)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        insert_rows(model, names, rows)
        return
    opts = model._meta
    given = [opts.get_field(n) for n in names]
    rest = [f for f in opts.concrete_fields if not f.primary_key and f.name not in names]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in [*given, *rest])
    defaults = [_copy_value(f, f.get_default()) for f in rest]
    with connection.cursor() as cur, cur.copy(f"COPY {qn(opts.db_table)} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([*(_copy_value(f, v) for f, v in zip(given, row, strict=True)), *defaults])
