"""A small installation for the exchange's process tests and benchmark (`python -m vanthu.exchange.testing`).

`bloc`: the Bloc Party Committee and one grassroots committee, three people each; `city`: the
City Party Committee's demo tree. Both get the demo CA's certificates. Prints JSON with the ids.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date


def seed_bloc_small(password: str = "demo") -> None:
    from vanthu.accounts.models import User
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
    User.objects.filter(username="admin").exists() or User.objects.create_superuser(username="admin", password=password, full_name="Quản trị")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("site", choices=["bloc", "city"])
    p.add_argument("--data-dir", required=True)
    args = p.parse_args(argv)
    os.environ["VANTHU_DATA_DIR"] = args.data_dir
    from vanthu.cli import _prepare_database, _setup

    _setup(args.data_dir)
    _prepare_database()
    from vanthu.exchange.commands import prepare_demo_site

    if args.site == "bloc":
        seed_bloc_small()
    prepare_demo_site(args.site, password="demo")
    from vanthu.organizations.models import Organization

    print(json.dumps({o.code: o.id for o in Organization.objects.all()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
