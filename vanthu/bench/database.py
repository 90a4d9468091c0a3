"""The benchmark database: a separate database derived from the configured one.

Benchmarks write hundreds of thousands of rows and recreate their database at will, so they
never run on the configured database (a demo's, or production's): on SQLite they use
`$VANTHU_DATA_DIR/bench/bench.sqlite3`, on PostgreSQL a database named `<name>_bench` on the
same server, created when missing. `VANTHU_BENCH_DATABASE` (or the runner's `target`) names
another file or database, which tests use to point a run at a temporary one.

This module also gives baselines the bare driver connection under Django's (`Raw`), so that
"the same work done by the bare engine" uses no ORM at all.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.db.models import Model
from django.utils import timezone

from vanthu import runtime

ENV_TARGET = "VANTHU_BENCH_DATABASE"
SQLITE = "django.db.backends.sqlite3"
POSTGRES = "django.db.backends.postgresql"


class BenchDatabaseError(RuntimeError):
    """The benchmark database cannot be used (e.g. it would be the configured one)."""


def derive(target: str | None = None, *, dataset: str | None = None) -> dict[str, Any]:
    """The DATABASES entry of the benchmark database, from the configured one.

    A scenario that keeps a large cached dataset names it (`dataset`) and gets a database of its
    own (`bench/<dataset>.sqlite3`, `<name>_bench_<dataset>`), so that datasets of different
    scenarios never evict each other. An explicit target is used as given.
    """
    configured = settings.DATABASES["default"]
    db = copy.deepcopy(configured)
    target = target or os.environ.get(ENV_TARGET) or None
    engine = db["ENGINE"]
    if engine == SQLITE:
        path = Path(target) if target else Path(settings.DATA_DIR) / "bench" / f"{dataset or 'bench'}.sqlite3"
        db["NAME"] = str(path.resolve())
        if Path(str(configured["NAME"])).resolve() == path.resolve():
            raise BenchDatabaseError(f"refusing to benchmark on the configured database {path}")
    elif engine.startswith(POSTGRES):
        db["NAME"] = target or f"{configured['NAME']}_bench" + (f"_{dataset}" if dataset else "")
        if db["NAME"] == configured["NAME"]:
            raise BenchDatabaseError(f"refusing to benchmark on the configured database {db['NAME']}")
    else:
        raise BenchDatabaseError(f"unsupported database engine {engine}")
    # A benchmark keeps its connection for the whole run; no pooling surprises.
    db["CONN_MAX_AGE"] = None
    return db


def variant(db: dict[str, Any], suffix: str) -> dict[str, Any]:
    """Another benchmark database beside `db`, its name extended by `suffix` (one per dataset size)."""
    out = copy.deepcopy(db)
    if db["ENGINE"] == SQLITE:
        path = Path(db["NAME"])
        out["NAME"] = str(path.with_name(f"{path.stem}-{suffix}{path.suffix}"))
    else:
        out["NAME"] = f"{db['NAME']}_{suffix}"
    return out


def vendor_of(db: dict[str, Any]) -> str:
    return "sqlite" if db["ENGINE"] == SQLITE else "postgresql"


def label_of(db: dict[str, Any]) -> str:
    return f"{vendor_of(db)}:{db['NAME']}"


def activate(db: dict[str, Any]) -> None:
    """Point the default connection at `db`. Call before any query of this process."""
    connections.close_all()
    try:
        del connections["default"]
    except AttributeError:
        pass
    settings.DATABASES["default"] = copy.deepcopy(db)
    # The handler caches its (defaulted) settings; make it read them again.
    connections.__dict__.pop("settings", None)
    connections._settings = None
    # Files a benchmark may store go next to its database, never into the data dir's files.
    settings.FILES_DIR = Path(settings.DATA_DIR) / "bench" / "files"


def _pg_admin(db: dict[str, Any]):
    import psycopg

    return psycopg.connect(
        dbname="postgres", host=db.get("HOST") or None, port=db.get("PORT") or None,
        user=db.get("USER") or None, password=db.get("PASSWORD") or None, autocommit=True,
    )


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_if_missing(db: dict[str, Any]) -> None:
    if db["ENGINE"] == SQLITE:
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        return
    with _pg_admin(db) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
        if not exists:
            admin.execute(f"CREATE DATABASE {_quote_ident(db['NAME'])}")


def exists(db: dict[str, Any]) -> bool:
    if db["ENGINE"] == SQLITE:
        return Path(db["NAME"]).exists()
    with _pg_admin(db) as admin:
        return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone() is not None


def drop(db: dict[str, Any]) -> None:
    """Remove the benchmark database entirely (it holds nothing but generated data)."""
    connections.close_all()
    if db["ENGINE"] == SQLITE:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(db["NAME"] + suffix).unlink(missing_ok=True)
        return
    with _pg_admin(db) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {_quote_ident(db['NAME'])} WITH (FORCE)")


def prepare(db: dict[str, Any], *, fresh: bool = False) -> None:
    """Create (or recreate) the benchmark database, switch to it and bring its schema up to date."""
    if fresh:
        drop(db)
    create_if_missing(db)
    activate(db)
    runtime.prepare_database()


# --- the bare engine ---------------------------------------------------------------------------

class Raw:
    """The DB-API connection under Django's, used by baselines: no ORM, no Django cursor."""

    def __init__(self) -> None:
        connection.ensure_connection()
        self.conn = connection.connection
        self.vendor = connection.vendor
        self.sqlite = self.vendor == "sqlite"

    def sql(self, query: str) -> str:
        """Queries are written with %s placeholders; sqlite3 wants ?."""
        return query.replace("%s", "?") if self.sqlite else query

    def cursor(self):
        return self.conn.cursor()

    def execute(self, cur, query: str, params: Any = ()) -> Any:
        return cur.execute(self.sql(query), params)

    def executemany(self, cur, query: str, rows: Any) -> Any:
        return cur.executemany(self.sql(query), rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction; on SQLite IMMEDIATE, like Django's configured transaction mode."""
        if self.sqlite:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
        else:
            with self.conn.transaction():
                yield

    def dt(self, value: datetime | None) -> Any:
        """A timestamp as the column stores it (SQLite: naive UTC text, as Django writes it)."""
        if value is None or not self.sqlite:
            return value
        return str(value.astimezone(UTC).replace(tzinfo=None))

    def day(self, value: date | None) -> Any:
        if value is None or not self.sqlite:
            return value
        return value.isoformat()

    def json(self, value: Any) -> Any:
        import json

        text = json.dumps(value, ensure_ascii=False)
        if self.sqlite:
            return text
        from psycopg.types.json import Jsonb

        return Jsonb(value)

    def for_update(self, of: str = "") -> str:
        if self.sqlite:
            return ""  # the IMMEDIATE transaction already holds the write lock
        return f" FOR UPDATE OF {of}" if of else " FOR UPDATE"


def other_columns(model: type[Model], given: set[str]) -> tuple[list[str], list[Any]]:
    """Columns a bare INSERT must still fill, with their defaults as the database stores them.

    Other apps add fields to shared models over time; a baseline that lists only the columns it
    knows would then fail on a NOT NULL column, so every other concrete field gets its default.
    """
    cols, values = [], []
    now = timezone.now()
    for field in model._meta.concrete_fields:
        if field.primary_key or field.column in given:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        elif field.null and not field.has_default():
            continue
        else:
            value = field.get_default()
        cols.append(field.column)
        values.append(field.get_db_prep_save(value, connection))
    return cols, values
