from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from vanthu.accounts.models import User
from vanthu.testing import factories as f
from vanthu.testing.fixtures import World


@dataclass
class Direction:
    w: World
    leader: User  # the Bloc's secretary
    clerk: User  # the Bloc's office
    inspector: User  # sees the Bloc's directives, may not record one


@pytest.fixture
def dw(world) -> Direction:
    bloc = world.bloc
    return Direction(
        w=world,
        leader=f.make_user(bloc, "leader", full_name="Nguyễn Văn Bình"),
        clerk=f.make_user(bloc, "clerk", full_name="Trần Thị Hoa"),
        inspector=f.make_user(bloc, "inspector", full_name="Lê Văn Kiểm"),
    )


def directive_body(dw: Direction, **extra) -> dict:
    w = dw.w
    return {
        "title": "Kết luận của Thường trực Đảng ủy Khối về chuyển đổi số năm 2026",
        "content": "Các đảng bộ triển khai gửi, nhận văn bản điện tử có ký số.",
        "organization_id": w.bloc.id,
        "tasks": [
            {"organization_id": w.a.org.id, "content": "Xây dựng kế hoạch chuyển đổi số", "working_days": 5},
            {"organization_id": w.b.org.id, "content": "Báo cáo hạ tầng công nghệ thông tin", "due": in_days(30).isoformat(),
             "cooperating_ids": [w.c.org.id]},
            {"organization_id": w.c.org.id, "content": "Tập huấn ký số cho văn thư", "due": in_days(10).isoformat(),
             "cycle": "weekly"},
        ],
        **extra,
    }


def in_days(n: int) -> date:
    return timezone.localdate() + timedelta(days=n)
