"""Installations for the exchange's multi-process tests and benchmark.

`python -m vanthu.exchange.testing SITE --data-dir DIR` seeds one: `bloc`, the Bloc Party
Committee and one grassroots committee, three people each; `city`, the City Party Committee's
demo tree. Both get the demo CA's certificates. Prints JSON with the organisations' ids.

Each installation has a database of its own, of the engine the suite (or the benchmark) runs on:
on SQLite the one in its data dir, on PostgreSQL one named after the configured database with a
suffix, which `create_database` makes and `drop_database` removes (`installation_database_url`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from vanthu import runtime


def seed_bloc_small(password: str = "demo") -> None:
    # Not at the top: the tests and the benchmark import this module before Django is set up.
    from vanthu.accounts.models import User
    from vanthu.documents.models import Signatory
    from vanthu.organizations.models import Membership, Organization, OrgKind, Role

    if Organization.objects.filter(code="000.00.31.H26").exists():
        return
    term = {"term_label": "2025-2030", "term_start": date(2025, 10, 1), "term_end": date(2030, 9, 30)}
    bloc = Organization.objects.create(kind=OrgKind.BLOC_COMMITTEE, name="Đảng ủy Khối các cơ quan Thành phố Hà Nội",
                                       short_name="ĐUK", code="000.00.31.H26", **term)
    units = [("dukhoi", bloc), ("soyte", Organization.objects.create(kind=OrgKind.GRASSROOTS_COMMITTEE, parent=bloc, name="Đảng bộ Sở Y tế",
                                                                      short_name="ĐU", code="000.31.01.H26", **term))]
    for slug, org in units:
        for prefix, role, name in (("vt", Role.CLERK, "Phạm Thị Lan"), ("bt", Role.LEADER, "Đỗ Văn Hùng"), ("cv1", Role.SPECIALIST, "Vũ Minh Anh")):
            user = User.objects.create_user(username=f"{prefix}.{slug}", password=password, full_name=name)
            Membership.objects.create(user=user, organization=org, role=role)
            if role == Role.LEADER:  # the secretary signs for the standing committee
                Signatory.objects.create(organization=org, user=user, form="T/M", on_behalf_of="BAN THƯỜNG VỤ", position="BÍ THƯ")
    User.objects.filter(username="admin").exists() or User.objects.create_superuser(username="admin", password=password, full_name="Quản trị")


def installation_database_url(configured: str | None, suffix: str) -> str | None:
    """The VANTHU_DATABASE_URL of one installation beside the configured database: on PostgreSQL
    the same server, the configured name with `_suffix`; None on SQLite (the data dir's own)."""
    if not configured or not configured.split(":", 1)[0].startswith("postgres"):
        return None
    parts = urlsplit(configured)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{suffix}"))


def _admin(url: str) -> psycopg.Connection:
    return psycopg.connect(make_conninfo(url, dbname="postgres"), autocommit=True)


def _name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def drop_database(url: str) -> None:
    """Remove an installation's PostgreSQL database, closing whatever still uses it."""
    with _admin(url) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(_name(url))))


def create_database(url: str, *, template: str | None = None) -> None:
    """A new, empty PostgreSQL database for an installation (a copy of `template`'s when given:
    migrating once and copying is much cheaper than migrating each)."""
    drop_database(url)
    with _admin(url) as admin:
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(_name(url)))
        if template:
            query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(_name(template)))
        admin.execute(query)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("site", choices=["bloc", "city"])
    p.add_argument("--data-dir", required=True)
    args = p.parse_args(argv)
    os.environ["VANTHU_DATA_DIR"] = args.data_dir
    runtime.setup(args.data_dir)
    runtime.prepare_database()
    # Not at the top: models load only once Django is set up, and the tests and the benchmark
    # import this module before any setup, for the database helpers.
    from vanthu.exchange.commands import prepare_demo_site
    from vanthu.organizations.models import Organization

    if args.site == "bloc":
        seed_bloc_small()
    prepare_demo_site(args.site, password="demo")

    print(json.dumps({o.code: o.id for o in Organization.objects.all()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
