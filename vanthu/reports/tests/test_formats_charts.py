"""Figures as Vietnamese readers write them (and English ones when switched), exports a spreadsheet
can compute with, and a per-organisation chart that stays readable with a hundred organisations.

The big Bloc is built from the aggregates' monthly rows (the dashboards' read model) rather than
through a hundred thousand documents: what is tested here is how the figures are shown.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from vanthu.organizations.models import Organization, OrgKind
from vanthu.reports.models import OrgMonth, Target
from vanthu.reports.svg import Bar, share_bars, short_labels, trend_chart
from vanthu.testing import factories as f
from vanthu.ui import formatting

from .history import HCM, Clock, accept, paper, send

pytestmark = pytest.mark.django_db

COMPANIES = ["Nước sạch Hà Nội", "Thoát nước Hà Nội", "Môi trường đô thị Hà Nội", "Đường sắt Hà Nội",
             "Chiếu sáng và Thiết bị đô thị", "Công viên cây xanh Hà Nội", "Thủy lợi Sông Đáy",
             "Đầu tư phát triển thủy lợi Sông Nhuệ", "Thủy lợi Sông Tích", "Xổ số Thủ đô",
             "Quản lý và Phát triển nhà Hà Nội", "Đầu tư và Phát triển nông nghiệp Hà Nội"]
TWELVE = [f"Đảng bộ Công ty TNHH MTV {c}" for c in COMPANIES]


def client_for(user, lang: str = "vi") -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = lang
    return c


def _get(c: Client, url: str) -> str:
    r = c.get(url)
    assert r.status_code == 200, r.content[:500]
    return r.content.decode()


def _download(c: Client, url: str) -> bytes:
    r = c.get(url)
    assert r.status_code == 200, r.content[:300]
    return b"".join(r.streaming_content) if r.streaming else r.content


# --- one formatting module --------------------------------------------------------------------

def test_numbers_shares_hours_and_dates_follow_the_language():
    with translation.override("vi"):
        assert formatting.number(1234567) == "1.234.567"
        assert formatting.percent(0.9944) == "99,4%"
        assert formatting.hours(16.8) == "16,8 giờ"
        assert formatting.day(date(2026, 3, 5)) == "05/03/2026"
    with translation.override("en"):
        assert formatting.number(1234567) == "1,234,567"
        assert formatting.percent(0.9944) == "99.4%"
        assert formatting.hours(16.8) == "16.8 hours"
        assert formatting.day(date(2026, 3, 5)) == "05/03/2026"  # Vietnamese documents' dates, in both
    assert formatting.percent(None) == "—" and formatting.percent(None, empty="") == ""
    assert formatting.day_time(datetime(2026, 3, 5, 8, 30, tzinfo=HCM)) == "05/03/2026 08:30"


# --- a Bloc of 110 organisations ----------------------------------------------------------------

@pytest.fixture
def big_bloc(db):
    """110 party organisations with a year of figures: every tenth below the 95% target."""
    Target.objects.update_or_create(year=2026, defaults={"electronic_share": "0.95", "authenticated_share": None})
    bloc = f.make_org("Đảng bộ Khối các cơ quan Thành phố Hà Nội", short_name="ĐUK", kind=OrgKind.BLOC_COMMITTEE)
    names = TWELVE + [f"Đảng bộ Bệnh viện Đa khoa khu vực số {i}" for i in range(1, 99)]
    orgs = Organization.objects.bulk_create([
        Organization(name=n, short_name="ĐU", code=f"000.{i // 100:02d}.{i % 100:02d}.H27", parent=bloc,
                     kind=OrgKind.GRASSROOTS_COMMITTEE, numbering_style="party", term_label="2025-2030",
                     term_start=date(2025, 10, 1), term_end=date(2030, 9, 30))
        for i, n in enumerate(names)])
    rows = []
    for i, org in enumerate(orgs):
        received = 1000 + i
        electronic = received * (80 + i % 10) // 100 if i % 10 == 0 else received
        rows.append(OrgMonth(organization_id=org.id, month=date(2026, 1, 1), received=received,
                             received_electronic=electronic, received_paper=received - electronic, sent=12))
    OrgMonth.objects.bulk_create(rows)
    inspector = f.make_user(bloc, "inspector", full_name="Cán bộ kiểm tra Khối")
    missed = [o for i, o in enumerate(orgs) if i % 10 == 0]
    return bloc, orgs, missed, inspector


def _bars(svg: str) -> list[str]:
    """The full names of the bars, in the chart's order (the tooltip of each label)."""
    return re.findall(r'text-anchor="end"><title>([^<]*)</title>', svg)


def test_the_bloc_chart_shows_those_needing_attention_first_and_stays_short(big_bloc):
    bloc, orgs, missed, inspector = big_bloc
    html = _get(client_for(inspector), f"/reports/bloc/{bloc.id}/?year=2026")
    chart = re.search(r'<div id="share-chart">(.*?)</div>', html, re.S).group(1)
    names = _bars(chart)
    assert len(names) == 20  # not 110
    assert set(names[:len(missed)]) == {o.name for o in missed}  # below the target: first
    height = int(re.search(r'viewBox="0 0 360 (\d+)"', chart).group(1))
    assert height <= 20 * 20 + 60
    assert "Xem cả 111 tổ chức" in html  # the Bloc's own committee with its 110
    full = _get(client_for(inspector), f"/reports/bloc/{bloc.id}/?year=2026&chart=all")
    assert len(_bars(re.search(r'<div id="share-chart">(.*?)</div>', full, re.S).group(1))) == 111


def test_the_bloc_chart_labels_are_short_and_tell_the_companies_apart(big_bloc):
    bloc, _orgs, _missed, inspector = big_bloc
    html = _get(client_for(inspector), f"/reports/bloc/{bloc.id}/?year=2026&chart=all")
    labels = re.findall(r'text-anchor="end"><title>[^<]*</title>([^<]*)</text>', html)
    assert len(labels) == 111 and len(set(labels)) == 111
    assert not any(lab.startswith("Đảng bộ Công ty") for lab in labels)
    assert all(len(lab) <= 26 for lab in labels)


def test_short_labels_keep_the_distinguishing_part():
    labels = short_labels(TWELVE)
    assert len(set(labels)) == 12
    assert labels[0] == "Cty Nước sạch HN" and labels[1] == "Cty Thoát nước HN"
    assert "Sông Nhuệ" in labels[7]  # the end of a long name, not its start
    assert all(len(lab) <= 26 for lab in labels)


def test_the_target_line_is_labelled_on_both_charts():
    with translation.override("vi"):
        bars = share_bars([Bar(TWELVE[0], 0.5, "not_met")], target=0.95, title="t")
        trend = trend_chart([("1", 1234, 0.5)], target=0.95, title="t")
    assert bars.count("Chỉ tiêu 95,0%") == 2  # above the first bar and below the last
    assert "Chỉ tiêu 95,0%" in trend
    assert "1.234" in trend  # the count scale grouped too
    assert f"<title>{TWELVE[0]}</title>" in bars  # the full name where the label is short


def test_a_missed_target_is_highlighted_on_the_bloc_page(big_bloc):
    bloc, _orgs, missed, inspector = big_bloc
    html = _get(client_for(inspector), f"/reports/bloc/{bloc.id}/?year=2026")
    rows = re.findall(r"<tr( class=\"rp-row-missed\")?><td data-label=\"#\">\d+</td><td data-label=\"[^\"]*\"[^>]*><a [^>]*>([^<]*)</a>", html)
    assert {name for flag, name in rows if flag} == {o.name for o in missed}
    assert html.count('class="rp-missed"') >= len(missed)  # the share itself in red
    evaluation = _get(client_for(inspector), f"/reports/evaluation/{bloc.id}/?year=2026")
    assert evaluation.count('<tr class="rp-row-missed">') == len(missed)


def test_the_bloc_page_groups_thousands_in_each_language(big_bloc):
    bloc, _orgs, _missed, inspector = big_bloc
    vi = _get(client_for(inspector), f"/reports/bloc/{bloc.id}/?year=2026")
    total = sum(1000 + i for i in range(110))
    assert formatting.number(total).replace(",", ".") in vi and f">{total:,}".replace(",", ".") in vi
    assert re.search(r">\d{1,3},\d%<", vi)  # 98,5% with a decimal comma
    en = _get(client_for(inspector, "en"), f"/reports/bloc/{bloc.id}/?year=2026")
    assert f">{total:,}<" in en and re.search(r">\d{1,3}\.\d%<", en)


# --- exports ----------------------------------------------------------------------------------

def test_the_ranking_workbook_holds_numbers_with_number_formats_and_marks_missed_targets(big_bloc):
    bloc, _orgs, missed, inspector = big_bloc
    wb = load_workbook(io.BytesIO(_download(client_for(inspector), f"/reports/export/ranking.xlsx?organization_id={bloc.id}&year=2026")))
    ws = wb.active
    head = [c.value for c in ws[5]]
    col = {name: i for i, name in enumerate(head)}
    data = [row for row in ws.iter_rows(min_row=6) if row[0].value is not None]
    assert len(data) == 111
    first = data[0]
    assert isinstance(first[col["VB đến"]].value, int) and first[col["VB đến"]].number_format == "#,##0"
    share = first[col["Tỷ lệ điện tử"]]
    assert share.data_type == "n" and 0 <= share.value <= 1 and share.number_format == "0.0%"
    assert isinstance(first[col["Điểm"]].value, int | float) and first[col["Điểm"]].number_format == "0.00"
    flagged = {row[col["Tổ chức"]].value for row in data if row[0].fill.fgColor.rgb.endswith("FDE2E2")}
    assert flagged == {o.name for o in missed}


def test_the_ranking_pdf_prints_vietnamese_numbers(big_bloc):
    bloc, _orgs, _missed, inspector = big_bloc
    pdf = _download(client_for(inspector), f"/reports/export/ranking.pdf?organization_id={bloc.id}&year=2026")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "100,0%" in text and "1.109" in text  # the last organisation's 1,109 received documents
    assert "100.0%" not in text


@pytest.fixture
def seen(world, monkeypatch):
    Clock(monkeypatch, datetime(2026, 2, 3, 9, 0, tzinfo=HCM))
    doc = send(world, [world.b, world.c])
    accept(world.b, doc)
    paper(world.b)
    return world


def test_the_incoming_register_workbook_holds_real_dates(seen):
    c = client_for(seen.b.clerk)
    ws = load_workbook(io.BytesIO(_download(c, f"/reports/export/register_in.xlsx?organization_id={seen.b.org.id}&year=2026"))).active
    head = [cell.value for cell in ws[5]]
    rows = [row for row in ws.iter_rows(min_row=6) if row[0].value is not None]
    assert len(rows) == 2
    number, arrived, issued = rows[0][0], rows[0][head.index("Ngày đến")], rows[0][head.index("Ngày văn bản")]
    assert isinstance(number.value, int)
    assert arrived.is_date and arrived.number_format == "dd/mm/yyyy hh:mm" and arrived.value.date() == date(2026, 2, 3)
    assert issued.is_date and issued.number_format == "dd/mm/yyyy"


def test_the_types_workbook_holds_shares_as_percentages(seen):
    c = client_for(seen.b.clerk)
    ws = load_workbook(io.BytesIO(_download(c, f"/reports/export/types.xlsx?organization_id={seen.b.org.id}&year=2026"))).active
    head = [cell.value for cell in ws[5]]
    row = next(r for r in ws.iter_rows(min_row=6) if r[0].value)
    share = row[head.index("Tỷ lệ điện tử")]
    assert share.data_type == "n" and share.value == 0.5 and share.number_format == "0.0%"
    assert isinstance(row[head.index("VB đến")].value, int)


# --- date boxes -------------------------------------------------------------------------------

def test_the_dashboard_period_is_typed_as_dd_mm_yyyy(seen):
    c = client_for(seen.b.clerk)
    html = _get(c, f"/reports/org/{seen.b.org.id}/?date_from=01/02/2026&date_to=28/02/2026")
    assert "Tháng 2/2026" in html
    box = re.search(r'<input[^>]*name="date_from"[^>]*>', html).group(0)
    assert 'type="text"' in box and 'value="01/02/2026"' in box and "input-date" in box and "data-picker-label" in box
    html = _get(c, f"/reports/org/{seen.b.org.id}/?date_from=31/02/2026&date_to=28/02/2026")
    assert "Ngày không hợp lệ, hãy nhập theo dạng ngày/tháng/năm" in html


def test_the_search_dates_are_typed_as_dd_mm_yyyy(seen):
    c = client_for(seen.b.clerk)
    html = _get(c, "/search/?q=&date_from=01/01/2026&date_to=31/12/2026")
    box = re.search(r'<input[^>]*name="date_from"[^>]*>', html).group(0)
    assert 'value="01/01/2026"' in box and "input-date" in box
    html = _get(c, "/search/?q=chuyển&date_from=32/01/2026")
    assert "Ngày không hợp lệ" in html and 'value="32/01/2026"' in html


def test_an_organisation_below_its_target_sees_it_highlighted(seen):
    Target.objects.update_or_create(year=2026, defaults={"electronic_share": "0.95"})
    html = _get(client_for(seen.b.clerk), f"/reports/org/{seen.b.org.id}/?year=2026")
    card = re.search(r'<div class="rp-card([^"]*)"><span class="v">([^<]*)</span><span class="k">tỷ lệ điện tử', html)
    assert card.group(1) == " rp-missed" and card.group(2) == "50,0%"
    html = _get(client_for(seen.c.clerk), f"/reports/org/{seen.c.org.id}/?year=2026")
    assert 'class="rp-card rp-missed"' not in html  # everything c received came electronically
