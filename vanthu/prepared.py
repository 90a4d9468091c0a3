"""Plain statements of the API's hot path, planned once per database connection on PostgreSQL.

For the small joins the API runs on every request (the token with its owner and roles, a page of
the inbox), PostgreSQL spends more time parsing and planning a statement than running it: the
token lookup costs ~0.25 ms of its CPU as a plain statement and ~0.07 ms prepared. So on
PostgreSQL `execute` prepares a statement the first time a connection runs it (`PREPARE`, named
after the statement's text) and from then on runs it with `EXECUTE`; a prepared statement lives as
long as its connection (a transaction rolled back does not remove it) and its plan is checked
against schema changes by PostgreSQL itself. Other databases run the statement as it is.

The `PREPARE` goes to the driver's cursor directly: it belongs to setting up the connection (like
Django's own `SET TIME ZONE`), not to the request, and is not counted among its statements. The
`EXECUTE` goes through Django's cursor as any other statement (logged, counted, wrapped).

Which statements a connection has prepared is kept on the driver's connection object, so a new
connection (Django reconnecting, a test closing it) prepares them again. Anything that resets a
session behind Django's back (`DISCARD ALL`, a pooler in transaction mode) would lose them: such a
setup has to clear `_vanthu_prepared` with it, or run without this module's preparing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from functools import cache

_PARAM = re.compile(r"%[s%]")


@cache
def _prepared_form(sql: str) -> tuple[str, str]:
    """(statement name, the statement with $1, $2… for Django's %s placeholders)."""
    name = "vanthu_" + hashlib.blake2b(sql.encode(), digest_size=8).hexdigest()
    numbers = iter(range(1, 10_000))
    text = _PARAM.sub(lambda m: f"${next(numbers)}" if m.group() == "%s" else "%", sql)
    return name, text


def execute(cursor, sql: str, params: Sequence = ()) -> None:
    """Run `sql` (Django's %s placeholders) with `params` on a cursor of `django.db.connection`,
    prepared once per connection on PostgreSQL."""
    db = cursor.db
    if db.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    name, text = _prepared_form(sql)
    raw = db.connection  # the driver's connection: its prepared statements live as long as it does
    done: set[str] | None = getattr(raw, "_vanthu_prepared", None)
    if done is None:
        done = raw._vanthu_prepared = set()
    if name not in done:
        with db.wrap_database_errors:
            cursor.cursor.execute(f"PREPARE {name} AS {text}")
        done.add(name)
    if params:
        cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(params))})", params)
    else:
        cursor.execute(f"EXECUTE {name}")
