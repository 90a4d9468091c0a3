"""The browser folds Vietnamese exactly as the server does: the same table of cases
(`vanthu/search/tests/fold_cases.json`), and the recipients filter a person types into with a
capital "Đ", on desktop and phone width."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE

CASES = json.loads((Path(__file__).parents[2] / "vanthu/search/tests/fold_cases.json").read_text(encoding="utf-8"))["cases"]


def test_browser_folding_matches_the_shared_table(pages, world):
    page = pages().page
    page.goto(f"{pages.url}/login/")
    folded = page.evaluate("texts => texts.map(t => window.vanthuFold(t))", [text for text, _f in CASES])
    assert [(text, got) for (text, _f), got in zip(CASES, folded, strict=True)] == [(text, f) for text, f in CASES]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_recipient_filter_finds_names_typed_with_a_capital_d(pages, world, viewport):
    page = pages(world.a.specialist, viewport=viewport).page
    page.goto(f"{pages.url}/documents/new/")
    search = page.get_by_label("Tìm tổ chức")
    visible = page.locator("#org-tree li:not([hidden])")
    search.fill("Đảng bộ Sở Tài chính")
    expect(page.get_by_label(world.b.org.name)).to_be_visible()
    expect(page.get_by_label(world.c.org.name)).to_be_hidden()
    expect(visible).to_have_count(1)
    search.fill("ĐẢNG BỘ SỞ")
    upper = visible.count()
    search.fill("đảng bộ sở")
    assert visible.count() == upper >= 3  # Sở Tài chính, Sở Xây dựng, Sở Y tế
    search.fill("dang bo so")
    assert visible.count() == upper
