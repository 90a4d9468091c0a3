"""Disposals made before disposal kept the items: the migration that brings them back (0005)."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.test import Client

from vanthu.archive.models import (
    CaseFile,
    CaseItem,
    CaseStatus,
    Disposal,
    DisposedFile,
    FileList,
    RetentionPeriod,
)
from vanthu.testing import factories as f

reseal = importlib.import_module("vanthu.archive.migrations.0005_item_disposed").reseal_disposed


def _page(user, doc) -> int:
    c = Client()
    c.force_login(user)
    return c.get(f"/documents/{doc.id}/").status_code


def test_a_file_disposed_the_old_way_is_sealed_again_in_its_organisation(world):
    a, b = world.a, world.b
    doc = f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[b.org], subject="Công văn đã hủy")
    decision = f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[b.org], doc_type="QĐ",
                        subject="Quyết định hủy hồ sơ 01.02")
    cf = CaseFile.objects.create(organization=a.org, file_list=FileList.objects.create(organization=a.org, year=2015),
                                 code="01.02", title="Hồ sơ đã hủy", retention=RetentionPeriod.objects.get(code="05"),
                                 status=CaseStatus.DISPOSED)
    # What the old disposal left: the record of what the file held, and no items.
    DisposedFile.objects.create(disposal=Disposal.objects.create(organization=a.org, decision=decision), case_file=cf,
                                code=cf.code, title=cf.title, retention="5 năm",
                                contents=[{"title": doc.subject, "symbol": doc.symbol, "document_id": doc.id, "files": []},
                                          {"title": "Bản quét", "symbol": "", "document_id": None, "files": []}])
    assert _page(a.clerk, doc) == 200  # the document fell back to the ordinary rules

    reseal(apps, None)
    reseal(apps, None)  # run twice (a migration resumed): the same one item

    item = CaseItem.objects.get(case_file=cf)
    assert (item.document_id, item.organization_id, item.sealed, item.disposed) == (doc.id, a.org.id, True, True)
    assert _page(a.clerk, doc) == 404 and _page(a.leader, doc) == 404
    assert _page(b.clerk, doc) == 200  # the recipient keeps its copy
