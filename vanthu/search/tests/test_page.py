"""The search results page: what a clerk sees after typing in the search box."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from vanthu.search import engine

pytestmark = pytest.mark.urls("vanthu.search.tests.urls")


def test_results_page_shows_highlighted_hits_only_to_those_who_may_see_them(world, make_doc):
    doc = make_doc("Kế hoạch tổ chức hội nghị <học tập> nghị quyết")
    client = Client()
    client.force_login(world.b.clerk)
    r = client.get(reverse("search:search"), {"q": "hoi nghi hoc tap"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Tìm thấy 1 văn bản" in html
    assert f'href="/documents/{doc.id}/"' in html
    assert "<mark>hội</mark> <mark>nghị</mark> &lt;<mark>học</mark> <mark>tập</mark>&gt;" in html  # escaped, highlighted
    outsider = Client()
    outsider.force_login(world.outsider.clerk)
    html = outsider.get(reverse("search:search"), {"q": "hoi nghi hoc tap"}).content.decode()
    assert "Tìm thấy 0 văn bản" in html and f"/documents/{doc.id}/" not in html


def test_results_page_says_more_than_the_cap_and_pages_on(world, make_doc, monkeypatch):

    monkeypatch.setattr(engine, "COUNT_CAP", 3)
    monkeypatch.setattr("vanthu.search.views.PAGE_SIZE", 2)
    for i in range(5):
        make_doc(f"Thông báo lịch tiếp công dân tháng {i + 1}")
    client = Client()
    client.force_login(world.a.clerk)
    html = client.get(reverse("search:search"), {"q": "tiep cong dan", "order": "newest"}).content.decode()
    assert "Tìm thấy hơn 3 văn bản" in html and 'rel="next"' in html and "Trang 1" in html
    last = client.get(reverse("search:search"), {"q": "tiep cong dan", "order": "newest", "page": 3}).content.decode()
    assert last.count('class="search-hit"') == 1 and 'rel="next"' not in last and 'rel="prev"' in last


def test_results_page_reports_bad_input_in_vietnamese(world):
    client = Client()
    client.force_login(world.a.clerk)
    r = client.get(reverse("search:search"), {"q": "x", "date_from": "2026-05-01", "date_to": "2026-01-01"})
    assert r.status_code == 200
    assert "Ngày bắt đầu phải trước ngày kết thúc." in r.content.decode()


def test_document_page_helpers_show_index_and_ocr_status(world, make_doc):
    from django.template import Context, Template

    doc = make_doc("Báo cáo sơ kết công tác quý II")
    html = Template("{% load search_tags %}{% search_status doc %}{% search_box %}").render(Context({"doc": doc}))
    assert "Đã có trong chỉ mục tìm kiếm." in html
    assert 'role="search"' in html and 'action="/search/"' in html


def test_results_page_says_which_correction_it_searched(world, make_doc):
    doc = make_doc("Kế hoạch tổ chức Hội nghị học tập nghị quyết")
    client = Client()
    client.force_login(world.a.specialist)
    html = client.get(reverse("search:search"), {"q": "hoi nhgi"}).content.decode()
    assert "Không tìm thấy “hoi nhgi”. Kết quả cho “hoi nghi”:" in html and f"/documents/{doc.id}/" in html


def test_the_correction_note_reads_in_english(world, make_doc):
    make_doc("Kế hoạch tổ chức Hội nghị học tập nghị quyết")
    client = Client()
    client.force_login(world.a.specialist)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(reverse("search:search"), {"q": "hoi nhgi"}).content.decode()
    assert "Nothing found for “hoi nhgi”. Results for “hoi nghi”:" in html
