""""In sổ" prints the whole register the page shows — every row of the term or year, not the
page's first hundred — as PDF and XLSX, with columns wide enough that no date or symbol breaks."""

from __future__ import annotations

import io
import re

from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from vanthu.documents import actions
from vanthu.reports.exports import fit_widths
from vanthu.testing import factories as f

ROWS = 103  # more than the register page's 100


def _issue_many(world, n: int) -> list:
    a = world.a
    return [f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org],
                     subject=f"Về việc báo cáo kết quả công tác tháng, lần {i + 1}") for i in range(n)]


def _download(c: Client, url: str) -> bytes:
    r = c.get(url)
    assert r.status_code == 200, r.content[:300]
    return b"".join(r.streaming_content) if r.streaming else r.content


def test_the_register_page_prints_and_exports_every_row_of_its_register(world):
    docs = _issue_many(world, ROWS)
    c = Client()
    c.force_login(world.a.clerk)
    page = c.get("/registers/outgoing/").content.decode()
    assert sum(d.symbol in page for d in docs) == 100  # the page shows a page
    links = re.findall(r'href="(/reports/export/register_out\.(?:pdf|xlsx)\?[^"]+)"', page)
    assert len(links) == 2
    pdf_url, xlsx_url = (u.replace("&amp;", "&") for u in sorted(links))
    assert "register=t" in pdf_url  # the term the page shows, not a calendar period

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(_download(c, pdf_url))).pages)
    tokens = text.split()
    assert all(d.symbol in tokens for d in docs), "a symbol is missing or broken across lines"
    assert tokens.count(docs[0].issued_date.strftime("%d/%m/%Y")) >= ROWS  # every date whole
    assert "Nhiệm kỳ" in text

    ws = load_workbook(io.BytesIO(_download(c, xlsx_url))).active
    symbols = [row[0] for row in ws.iter_rows(min_row=6, values_only=True)]
    assert sorted(symbols) == sorted(d.symbol for d in docs)


def test_the_incoming_register_exports_its_year_whole(world):
    docs = _issue_many(world, 3)
    for d in docs:
        actions.accept_delivery(f.delivery_to(d, world.b.org), user=world.b.clerk)
    c = Client()
    c.force_login(world.b.clerk)
    page = c.get("/registers/incoming/").content.decode()
    url = re.search(r'href="(/reports/export/register_in\.xlsx\?[^"]+)"', page).group(1).replace("&amp;", "&")
    ws = load_workbook(io.BytesIO(_download(c, url))).active
    assert [row[0] for row in ws.iter_rows(min_row=6, values_only=True)] == [1, 2, 3]


def test_another_organisation_cannot_export_a_register(world):
    _issue_many(world, 1)
    c = Client()
    c.force_login(world.outsider.clerk)
    r = c.get(f"/reports/export/register_out.xlsx?organization_id={world.a.org.id}&register=y2026")
    assert r.status_code == 404


def test_a_bad_register_period_is_refused_plainly(world):
    c = Client()
    c.force_login(world.a.clerk)
    r = c.get(f"/reports/export/register_in.pdf?organization_id={world.a.org.id}&register=t2025-2030", follow=True)
    assert "Sổ văn bản đến mở theo năm." in r.content.decode()


def test_no_column_is_narrower_than_its_longest_token():
    widths = fit_widths(500, [1, 1, 8], [120, 30, 10])
    assert widths[0] == 120 and widths[1] >= 30 and abs(sum(widths) - 500) < 1e-6
    assert fit_widths(300, [1, 2], [0, 0]) == [100, 200]
