"""Bearer token → person, in one SQL statement per API request.

Every API call starts here, so the lookup is written as one plain statement instead of several
ORM queries: the live token (not revoked, not expired), its active owner, the owner's roles
in active organisations, and what two-factor asks of them. Nothing is cached between requests, so a revoked token, a deactivated
person or a removed membership takes effect on the very next request, in every server process.

A token also dies with the password it was issued under: it keeps its owner's session auth hash
(made from the password and the sign-out generation), and a token whose hash no longer matches its
owner's is refused, however the password was changed (a page, the API, the admin site,
`vanthu manage changepassword`, a shell).
"""

from __future__ import annotations

import hmac
from collections import defaultdict
from datetime import UTC, datetime
from functools import cache

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from vanthu import prepared
from vanthu.organizations.models import Membership, Organization

from .models import ApiToken, SecurityPolicy, TwoFactor, User, hash_token
from .security import policy_roles


@cache
def _statement() -> tuple[str, tuple[str, ...]]:
    qn = connection.ops.quote_name
    fields = tuple(f.attname for f in User._meta.concrete_fields)
    cols = ", ".join(f"u.{qn(User._meta.get_field(a).column)}" for a in fields)
    policy, device = qn(SecurityPolicy._meta.db_table), qn(TwoFactor._meta.db_table)
    sql = (
        f"SELECT {cols}, t.{qn(ApiToken._meta.get_field('auth_hash').column)}, m.organization_id, m.role,"
        # The two-factor policy and whether the owner has it set up (security.two_factor_state).
        f" (SELECT p.two_factor_roles FROM {policy} p WHERE p.id = 1),"
        f" EXISTS (SELECT 1 FROM {device} d WHERE d.user_id = u.id AND d.confirmed_at IS NOT NULL)"
        f" FROM {qn(ApiToken._meta.db_table)} t"
        f" JOIN {qn(User._meta.db_table)} u ON u.id = t.user_id"
        # The same rows as Membership.objects.for_user(): roles in active organisations only.
        f" LEFT JOIN {qn(Membership._meta.db_table)} m ON m.user_id = u.id AND EXISTS ("
        f"SELECT 1 FROM {qn(Organization._meta.db_table)} o WHERE o.id = m.organization_id AND o.is_active)"
        " WHERE t.key_hash = %s AND t.revoked_at IS NULL AND t.expires_at > %s AND u.is_active"
    )
    return sql, fields


def _aware(value: object) -> object:
    # PostgreSQL returns aware datetimes; SQLite's driver returns naive UTC ones (or text).
    if isinstance(value, str):
        value = parse_datetime(value) or value
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def user_for_token(raw: str) -> User | None:
    """The active owner of a live token, with their roles by organisation already loaded
    (`vanthu.organizations.access.roles_by_org` reads them from the user object)."""
    sql, fields = _statement()
    with connection.cursor() as cur:
        prepared.execute(cur, sql, [hash_token(raw), timezone.now()])  # planned once per connection
        rows = cur.fetchall()
    if not rows:
        return None
    n = len(fields)
    values = [_aware(v) if a in ("last_login", "date_joined") else v for a, v in zip(fields, rows[0][:n], strict=True)]
    user = User.from_db(connection.alias, list(fields), values)
    if not hmac.compare_digest(rows[0][n], user.get_session_auth_hash()):
        return None  # issued under an earlier password or before "sign out everywhere"
    roles: dict[int, set[str]] = defaultdict(set)
    for row in rows:
        if row[n + 1] is not None:
            roles[row[n + 1]].add(row[n + 2])
    user._vanthu_roles = dict(roles)  # the per-request cache of organizations.access.roles_by_org
    user._vanthu_two_factor = (policy_roles(rows[0][n + 3]), bool(rows[0][n + 4]))  # security.two_factor_state
    return user
