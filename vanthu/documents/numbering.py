"""Registers and numbering (invariant 2: gapless and unique under any concurrency).

The counter row is incremented with one UPDATE inside the caller's transaction: on PostgreSQL
the row lock makes concurrent issuers wait for each other; on SQLite the IMMEDIATE transaction
already holds the database's write lock. A rolled-back issuance rolls its number back too, so
no number is ever skipped.
"""

from __future__ import annotations

from datetime import date
from functools import cache

from django.db import connection

from vanthu.organizations.models import NumberingStyle, Organization

from .models import DocumentType, RegisterCounter


def outgoing_register_key(org: Organization, doc_type: DocumentType, on: date) -> str:
    if org.numbering_style == NumberingStyle.STATE:
        return f"out:{on.year}"  # state agencies: one series per year, reset on 1 January
    return f"out:{doc_type.code}:{org.term_key()}"  # party: per type, within one term


def incoming_register_key(on: date) -> str:
    return f"in:{on.year}"


def format_symbol(org: Organization, doc_type: DocumentType, number: int) -> str:
    if org.numbering_style == NumberingStyle.STATE:
        return f"{number:02d}/{doc_type.code}-{org.short_name}"
    return f"{number:02d}-{doc_type.code}/{org.short_name}"


def next_number(org_id: int, key: str) -> int:
    """Take the next number of a register. Must be called inside the issuing transaction.

    One `UPDATE … RETURNING` (PostgreSQL; SQLite ≥ 3.35): the counter row is locked from here to
    the commit, so the fewer statements after it, the more issuances a second."""
    assert connection.in_atomic_block, "numbering needs the caller's transaction"
    with connection.cursor() as cur:
        cur.execute(_bump_sql(), [org_id, key])
        row = cur.fetchone()
        if row is None:  # the register's first number
            RegisterCounter.objects.bulk_create(
                [RegisterCounter(organization_id=org_id, key=key, last_number=0)], ignore_conflicts=True)
            cur.execute(_bump_sql(), [org_id, key])
            row = cur.fetchone()
    return row[0]


@cache
def _bump_sql() -> str:
    qn = connection.ops.quote_name
    opts = RegisterCounter._meta
    col = qn(opts.get_field("last_number").column)
    return (f"UPDATE {qn(opts.db_table)} SET {col} = {col} + 1 WHERE {qn(opts.get_field('organization').column)} = %s"
            f" AND {qn(opts.get_field('key').column)} = %s RETURNING {col}")
