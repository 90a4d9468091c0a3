"""The dashboards in a browser: a date box's calendar button writes dd/mm/yyyy, and the Bloc's chart
of 110 organisations stays a screen tall with short labels, on desktop and phone, in Vietnamese
and English. Screenshots of each are saved to test-results/ for a person to look at."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from vanthu.reports.tests.test_formats_charts import big_bloc  # noqa: F401 - a fixture

from .conftest import DESKTOP, PHONE, RESULTS


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_calendar_button_fills_the_date_box_as_dd_mm_yyyy(pages, world, viewport):
    page = pages(world.b.clerk, viewport=viewport).page
    page.goto(f"{pages.url}/reports/org/{world.b.org.id}/?year=2026")
    box = page.get_by_label("Từ ngày")
    expect(box).to_have_value("01/01/2026")
    button = page.get_by_role("button", name="Chọn ngày trên lịch").first
    expect(button).to_be_visible()
    button.click()  # opens the browser's own picker (headless: nothing to see, nothing may fail)
    page.keyboard.press("Escape")
    # The browser's picker reports a day as its <input type=date> would: ISO, with a change event.
    page.locator("#date_from + .date-picker-btn + .date-picker").evaluate(
        "el => { el.value = '2026-03-05'; el.dispatchEvent(new Event('change', {bubbles: true})); }")
    expect(box).to_have_value("05/03/2026")
    page.get_by_label("Đến ngày").fill("20/03/2026")
    page.get_by_role("button", name="Xem").click()
    expect(page.locator("h1 .sub")).to_contain_text("Từ 05/03/2026 đến 20/03/2026")
    RESULTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS / f"reports-org-{viewport['width']}.png"), full_page=False)


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_bloc_chart_of_110_organisations_stays_short(pages, big_bloc, viewport, lang):  # noqa: F811
    bloc, _orgs, missed, inspector = big_bloc
    w = pages(inspector, viewport=viewport)
    page = w.page
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": pages.url}])
    page.goto(f"{pages.url}/reports/bloc/{bloc.id}/?year=2026")
    chart = page.locator("#share-chart svg")
    box = chart.bounding_box()
    assert box and box["height"] < 1100, box  # twenty bars, not a hundred and eleven
    labels = chart.locator('text[text-anchor="end"]').all_text_contents()
    assert len(labels) == 20 and len(set(labels)) == 20
    expect(chart.locator(".target-label").first).to_contain_text("Chỉ tiêu 95,0%" if lang == "vi" else "Target 95.0%")
    expect(page.locator("tr.rp-row-missed")).to_have_count(len(missed))
    RESULTS.mkdir(parents=True, exist_ok=True)
    chart.scroll_into_view_if_needed()
    name = f"reports-bloc-{lang}-{viewport['width']}"
    page.screenshot(path=str(RESULTS / f"{name}.png"), full_page=False)
    page.screenshot(path=str(RESULTS / f"{name}-full.png"), full_page=True)
    # The whole page, with the ranking of 111: about 6,700 px on a desktop (11,000 when the chart
    # had every bar) and 25,000 on a phone (43,000 when each ranking card listed a figure a line).
    tall = page.evaluate("document.documentElement.scrollHeight")
    assert tall < (9000 if viewport == DESKTOP else 30000), tall
    more = page.get_by_role("link", name=re.compile("Xem cả 111|Show all 111"))
    more.click()
    assert page.locator("#share-chart svg text[text-anchor='end']").count() == 111
