"""A controllable clock and helpers to build delivery histories through the real actions."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from vanthu.documents import actions
from vanthu.testing import factories as f
from vanthu.workflow import actions as wf

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock:
    """`timezone.now()` as the actions see it; moved forward by the test."""

    def __init__(self, monkeypatch, start: datetime) -> None:
        self.t = start
        monkeypatch.setattr(timezone, "now", lambda: self.t)

    def at(self, y: int, m: int, d: int, hh: int = 8, mm: int = 0) -> None:
        self.t = datetime(y, m, d, hh, mm, tzinfo=HCM)

    def advance(self, **kw) -> None:
        self.t += timedelta(**kw)


def send(world, recipients, *, doc_type: str = "CV", urgency: str = "thuong"):
    a = world.a
    with f.background_done():  # the signature check of the entered file, as the worker does it
        doc = actions.create_draft(
            user=a.specialist, organization=a.org, doc_type=doc_type, subject="Về việc báo cáo chuyển đổi số",
            urgency=urgency, recipient_ids=[s.org.id for s in recipients], main_file=f.upload(),
        )
    actions.submit_document(doc, user=a.specialist)
    actions.approve_document(doc, user=a.leader)
    return actions.issue_document(doc, user=a.clerk)


def accept(side, doc):
    return actions.accept_delivery(f.delivery_to(doc, side.org), user=side.clerk)


def assign(side, delivery, deadline: date | None):
    return wf.assign_handlers(delivery, user=side.leader, main_handler_id=side.specialist.id, deadline=deadline)


def finish(side, delivery):
    return wf.complete_handling(delivery, user=side.specialist)


_papers = itertools.count()


def paper(side, *, due: date | None = None, doc_type: str = "CV"):
    # Each paper its own number: the same sender, number and date again is a likely duplicate.
    number = 12 + next(_papers)
    with f.background_done():
        return actions.register_paper_document(
            user=side.clerk, organization=side.org, sender_name="Sở Nội vụ", number_symbol=f"{number}/SNV-VP",
            issued_date=timezone.localdate(), doc_type=doc_type, subject="Về việc cử cán bộ dự tập huấn",
            file=f.upload(), due_date=due,
        )
