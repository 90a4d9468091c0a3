"""Issue 16 §9 in a real browser: choosing a classified level in the compose or the paper form is
refused at once, with the plain reason, before any file is sent; the ordinary level is accepted."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE

REASON = "Văn bản mật (Mật, Tối mật, Tuyệt mật) không được đưa vào hệ thống."


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize(("who", "path", "button"), [("specialist", "/documents/new/", "Lưu dự thảo"),
                                                     ("clerk", "/incoming/paper/", "Vào sổ")])
def test_a_classified_choice_is_refused_at_once(pages, live_server, world, viewport, who, path, button):
    page = pages(getattr(world.b, who), viewport=viewport).page
    page.goto(f"{live_server.url}{path}")
    level = page.get_by_label("Độ mật")
    submit = page.get_by_role("button", name=button)
    expect(submit).to_be_enabled()
    for marked in ("Mật", "Tuyệt mật"):
        level.select_option(label=marked)
        expect(page.get_by_role("alert").filter(has_text=REASON)).to_be_visible()
        expect(level).to_have_attribute("aria-invalid", "true")
        expect(submit).to_be_disabled()
    level.select_option(label="Thường")
    expect(page.get_by_role("alert").filter(has_text=REASON)).to_have_count(0)
    expect(submit).to_be_enabled()
