"""Background work of the membership app (django-tasks)."""

from __future__ import annotations

import logging

from django.db import connection
from django_tasks import task

from .models import MemberVersion, PartyMember

log = logging.getLogger(__name__)

# An import this large changes the tables' shape enough for the planner's figures to be wrong
# until autovacuum comes by (a minute or more after the commit).
BULK_ROWS = 1_000


@task()
def refresh_planner_statistics() -> str:
    """After a large import: the planner's figures of the member tables, and on PostgreSQL the
    visibility map, brought up to date at once. Without them PostgreSQL reads every version row
    of the heap instead of the statistics' covering indexes alone (index-only scans need the
    pages marked all-visible): the Bloc's statistics took 200 ms instead of 40 at 120,000
    versions until autovacuum had run. VACUUM cannot run inside a transaction; the worker runs a
    task outside one, a caller inside one (a test) gets ANALYZE only."""
    qn = connection.ops.quote_name
    tables = ", ".join(qn(m._meta.db_table) for m in (MemberVersion, PartyMember))
    with connection.cursor() as cur:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cur.execute(f"VACUUM (ANALYZE) {tables}")
            return "vacuumed"
        for model in (MemberVersion, PartyMember):
            cur.execute(f"ANALYZE {qn(model._meta.db_table)}")
    return "analyzed"


def after_import(rows: int) -> None:
    """Queue the refresh after an import that wrote `rows` rows (committed by now)."""
    if rows < BULK_ROWS:
        return
    try:
        refresh_planner_statistics.enqueue()
    except Exception:  # the figures only make reading faster: the import stands without them
        log.exception("queueing refresh_planner_statistics failed")
