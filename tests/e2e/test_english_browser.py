"""English through the header's language switch, on a desktop and on a phone (issue 16 §17): the
home page, the incoming documents and the account page read in English but for the data, and the
longer English words still fit the phone's width. Screenshots of each are kept in test-results/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from vanthu.documents.models import DocumentType
from vanthu.testing import factories as f

from .conftest import DESKTOP, PHONE, RESULTS

VIETNAMESE = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.IGNORECASE)


def vietnamese_left(page, data: list[str]) -> list[str]:
    """The lines of the page's visible text that still hold a Vietnamese letter once the data are
    taken out."""
    text = page.locator("body").inner_text()
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return [line.strip() for line in text.splitlines() if VIETNAMESE.search(line)]


def shot(page, name: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS / f"english-{name}.png"), full_page=True)


def fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_english_by_the_switch_on_the_home_page_and_beyond(pages, world, viewport):
    doc = f.issued(world.a.org, specialist=world.a.specialist, leader=world.a.leader, clerk=world.a.clerk, recipients=[world.b.org])
    # The data: what the people, organisations and documents are called, and the document types
    # and their symbols (a list the administrator keeps, named as the party's rules name them).
    data = [doc.subject, doc.symbol, world.a.org.name, world.b.org.name, world.b.clerk.get_full_name(),
            world.a.org.short_name, world.b.org.short_name, *DocumentType.objects.values_list("name", flat=True),
            *DocumentType.objects.values_list("code", flat=True)]
    size = "phone" if viewport is PHONE else "desktop"
    page = pages(world.b.clerk, viewport=viewport).page

    # The switch is in the header, on every page; the choice stays for the next pages.
    expect(page.get_by_role("heading", level=1)).to_have_text("Việc cần làm")
    page.get_by_role("button", name="EN").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("To do")
    expect(page.get_by_role("searchbox").first).to_have_attribute("placeholder", re.compile(r"^Find documents"))
    shot(page, f"{size}-home")
    assert vietnamese_left(page, data) == []
    assert fits_the_width(page)

    page.get_by_role("link", name="Incoming documents").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Incoming documents")
    expect(page.get_by_label("Status")).to_contain_text("01 – Arrived")
    shot(page, f"{size}-inbox")
    assert vietnamese_left(page, data) == []
    assert fits_the_width(page)

    # The account page: from the person's name in the header on a desktop (a phone's header has
    # no room for the name, so there it is opened by its address).
    if viewport is PHONE:
        page.goto(f"{pages.url}/account/")
    else:
        page.get_by_role("link", name=world.b.clerk.get_full_name()).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    shot(page, f"{size}-account")
    assert vietnamese_left(page, data) == []
    assert fits_the_width(page)

    # And back: Vietnamese again.
    page.get_by_role("button", name="VI").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tài khoản của tôi")
