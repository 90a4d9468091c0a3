"""Pages, API and exports: what each role sees, that nothing leaks, and that the files open."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from django.test import Client, override_settings

from vanthu.reports.models import ExportJob, ExportStatus
from vanthu.reports.tasks import export_dir
from vanthu.testing import factories as f

from .history import HCM, Clock, accept, paper, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def seen(world, monkeypatch):
    """A small year: a sends to b and c; b registers a paper document; b's inspector-less world."""
    Clock(monkeypatch, datetime(2026, 2, 3, 9, 0, tzinfo=HCM))
    doc = send(world, [world.b, world.c])
    accept(world.b, doc)
    paper(world.b)
    world.inspector = f.make_user(world.bloc, "inspector", full_name="Cán bộ kiểm tra Khối")
    world.specialist_b = world.b.specialist
    return world


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


SUMMARY_KEYS = {"organization_id", "date_from", "date_to", "sent", "received", "received_electronic", "received_paper",
                "electronic_share", "authenticated_share", "late_share", "median_hours_to_accept", "median_hours_to_done"}


def test_summary_api_gives_the_figures(seen, api_as):
    r = api_as(seen.inspector).get("/api/v1/reports/summary", organization_id=seen.b.org.id, date_from="2026-01-01", date_to="2026-03-31")
    assert r.status_code == 200, r.content
    body = r.json()
    assert SUMMARY_KEYS <= set(body)
    assert (body["received"], body["received_electronic"], body["received_paper"]) == (2, 1, 1)
    assert body["electronic_share"] == 0.5 and body["authenticated_share"] == 0.0 and body["late_share"] is None
    assert body["date_from"] == "2026-01-01" and body["date_to"] == "2026-03-31"
    sub = api_as(seen.inspector).get("/api/v1/reports/summary", organization_id=seen.bloc.id, year=2026, subtree="true", breakdown="true").json()
    assert sub["sent"] == 1 and sub["received"] == 3 and sub["organizations"] == 5
    assert {t["doc_type"] for t in sub["by_type"]} == {"CV"}


def test_summary_api_rejects_bad_periods(seen, api_as):
    client = api_as(seen.b.clerk)
    r = client.get("/api/v1/reports/summary", organization_id=seen.b.org.id, date_from="2026-03-01", date_to="2026-02-01")
    assert r.status_code == 422 and r.json()["error"]["code"] == "period_reversed"
    r = client.get("/api/v1/reports/summary", organization_id=seen.b.org.id, date_from="2026-03-01")
    assert r.status_code == 422
    for bad in ({"quarter": 0}, {"quarter": 5}, {"month": 13}, {"month": 0}, {"year": 1999}):
        r = client.get("/api/v1/reports/summary", organization_id=seen.b.org.id, **bad)
        assert r.status_code == 422, bad


def test_ranking_api_ranks_the_inspectors_scope(seen, api_as):
    body = api_as(seen.inspector).get("/api/v1/reports/ranking", year=2026).json()
    assert body["count"] == 5
    assert [i["rank"] for i in body["items"]] == [1, 2, 3, 4, 5]
    by_id = {i["organization"]["id"]: i for i in body["items"]}
    # 2026's target is 95% electronic: b (50%) is not there, c (100%) is; the outsider received nothing.
    assert by_id[seen.b.org.id]["target"] == "not_met" and by_id[seen.c.org.id]["target"] == "met"
    assert by_id[seen.outsider.org.id]["target"] == "unknown"
    assert body["items"][0]["organization"]["id"] == seen.c.org.id
    own = api_as(seen.b.clerk).get("/api/v1/reports/ranking", year=2026).json()
    assert [i["organization"]["id"] for i in own["items"]] == [seen.b.org.id]


@pytest.mark.parametrize("who", ["b_clerk", "b_leader", "b_specialist", "outsider_clerk"])
def test_no_leak_to_other_organisations_in_api(seen, api_as, who):
    user = {"b_clerk": seen.b.clerk, "b_leader": seen.b.leader, "b_specialist": seen.b.specialist,
            "outsider_clerk": seen.outsider.clerk}[who]
    client = api_as(user)
    for org in (seen.c.org, seen.bloc, seen.a.org):
        r = client.get("/api/v1/reports/summary", organization_id=org.id, year=2026)
        assert r.status_code == 404, (who, org.name)
        assert client.get("/api/v1/reports/ranking", year=2026, organization_id=org.id).status_code == 404
    own = client.get("/api/v1/reports/summary", organization_id=seen.b.org.id, year=2026)
    assert own.status_code == (404 if who in ("b_specialist", "outsider_clerk") else 200)
    # Asking for the subtree of one's own organisation never widens the view.
    if who in ("b_clerk", "b_leader"):
        assert client.get("/api/v1/reports/summary", organization_id=seen.b.org.id, year=2026, subtree="true").json()["organizations"] == 1


def test_api_needs_a_login(seen):
    assert Client().get("/api/v1/reports/summary", {"organization_id": seen.b.org.id}).status_code == 401


def _page_urls(w) -> dict[str, str]:
    return {
        "bloc": "/reports/bloc/{org}/?year=2026",
        "org": "/reports/org/{org}/?year=2026",
        "docs": "/reports/org/{org}/documents/?year=2026&metric=received",
        "eval": "/reports/evaluation/{org}/?year=2026",
        "export_xlsx": "/reports/export/register_in.xlsx?organization_id={org}&year=2026",
        "export_pdf": "/reports/export/ranking.pdf?organization_id={org}&year=2026",
    }


def test_inspector_sees_the_bloc_ranked_and_drills_down(seen):
    c = client_for(seen.inspector)
    r = c.get(f"/reports/bloc/{seen.bloc.id}/?year=2026")
    assert r.status_code == 200
    html = r.content.decode()
    assert "<svg" in html and seen.b.org.name in html and seen.c.org.name in html
    assert "Chưa đạt" in html
    r = c.get(f"/reports/org/{seen.b.org.id}/?year=2026")
    assert r.status_code == 200 and "50,0%" in r.content.decode()  # Vietnamese decimal comma
    r = c.get(f"/reports/org/{seen.b.org.id}/documents/?year=2026&metric=paper")
    assert r.status_code == 200 and "/SNV-VP" in r.content.decode()
    assert c.get("/reports/").status_code == 302
    assert c.get(f"/reports/evaluation/{seen.bloc.id}/?year=2026").status_code == 200


@pytest.mark.parametrize("page", ["bloc", "org", "docs", "eval", "export_xlsx", "export_pdf"])
def test_no_leak_on_pages(seen, page):
    template = _page_urls(seen)[page]
    for user, allowed, denied in [
        (seen.b.clerk, [seen.b.org], [seen.c.org, seen.bloc, seen.outsider.org]),
        (seen.b.leader, [seen.b.org], [seen.c.org, seen.bloc]),
        (seen.b.specialist, [], [seen.b.org, seen.c.org]),
        (seen.outsider.clerk, [seen.outsider.org], [seen.b.org, seen.bloc]),
        (seen.inspector, [seen.bloc, seen.b.org, seen.c.org], []),
    ]:
        c = client_for(user)
        for org in denied:
            assert c.get(template.format(org=org.id)).status_code == 404, (page, user.username, org.name)
        for org in allowed:
            assert c.get(template.format(org=org.id)).status_code == 200, (page, user.username, org.name)
    assert Client().get(template.format(org=seen.b.org.id)).status_code == 302  # to the login page


def test_incoming_register_exports_open(seen, tmp_path):
    c = client_for(seen.b.clerk)
    r = c.get(f"/reports/export/register_in.xlsx?organization_id={seen.b.org.id}&year=2026&quarter=1")
    assert r.status_code == 200
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] == "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" and rows[1][0] == seen.b.org.name and rows[2][0] == "Quý I năm 2026"
    data = [row for row in rows[5:] if row and row[0] is not None]
    assert len(data) == 2 and {row[7] for row in data} == {"Điện tử", "Bản giấy"}
    r = c.get(f"/reports/export/register_in.pdf?organization_id={seen.b.org.id}&year=2026&quarter=1")
    pdf = b"".join(r.streaming_content)
    assert pdf.startswith(b"%PDF")
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text and seen.b.org.name in text and "Quý I năm 2026" in text
    # The file must also render: poppler's pdftoppm draws the first page (.ci/run installs it).
    assert shutil.which("pdftoppm"), "pdftoppm is missing: install poppler-utils (apt-get install poppler-utils)"
    out = tmp_path / "page.pdf"
    out.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(out), str(tmp_path / "p")], check=True)
    assert any(p.suffix == ".png" and p.stat().st_size > 1000 for p in Path(tmp_path).iterdir())


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "slow"]}})
def test_large_export_runs_in_the_background_with_a_download_link(seen, django_capture_on_commit_callbacks):
    c = client_for(seen.inspector)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.get(f"/reports/export/proposals.xlsx?organization_id={seen.bloc.id}&year=2026&background=1")
    assert r.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.DONE and job.percent == 100
    page = c.get(r["Location"])
    assert page.status_code == 200 and f"/reports/exports/{job.id}/download" in page.content.decode()
    assert c.get(f"/reports/exports/{job.id}/download").status_code == 200
    # Someone else can neither watch the job nor follow the link.
    assert client_for(seen.b.clerk).get(f"/reports/exports/{job.id}/download").status_code == 404
    assert client_for(seen.b.clerk).get(f"/reports/exports/{job.id}/").status_code == 404
    from openpyxl import load_workbook

    rows = list(load_workbook(export_dir() / job.file_name).active.iter_rows(values_only=True))
    assert rows[0][0] == "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG ỨNG DỤNG CNTT" and rows[2][0] == "Năm 2026"
