"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Every page a test opens is watched: a console error, an uncaught exception, a failed request or a
response of 400 or more that the test did not announce fails the test. When a test fails, a
screenshot of each of its pages is saved to test-results/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests make
# between browser steps are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("VANTHU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
RESULTS = Path(os.environ.get("VANTHU_TEST_RESULTS", "test-results"))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium) or set VANTHU_CHROMIUM.",
                    pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Watched:
    """A page and everything that went wrong on it."""

    page: object
    name: str
    problems: list[str] = field(default_factory=list)
    expected: list[tuple[str, int]] = field(default_factory=list)

    def expect_status(self, path_pattern: str, status: int) -> None:
        """Announce a response the test wants (a 404 page), so that it is not a failure."""
        self.expected.append((path_pattern, status))

    def _is_expected(self, url: str, status: int) -> bool:
        return any(re.search(p, url) and s == status for p, s in self.expected)


@pytest.fixture
def pages(browser, live_server, request) -> Iterator:
    """open(user=None, viewport=DESKTOP) → a Playwright page in its own context, signed in as user."""
    opened: list[tuple[object, Watched]] = []

    def open_page(user=None, *, viewport=DESKTOP, name: str | None = None):
        context = browser.new_context(viewport=viewport, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
        context.set_default_timeout(15_000)
        page = context.new_page()
        w = Watched(page=page, name=name or (user.username if user else "anon"))

        def on_console(msg):
            if msg.type != "error":
                return
            text = msg.text
            # Chromium logs each failed load as a console error; the response check judges those.
            if "Failed to load resource" in text and any(f"status of {s}" in text for _p, s in w.expected):
                return
            w.problems.append(f"console error: {text}")

        def on_response(resp):
            if resp.status >= 400 and not w._is_expected(resp.url, resp.status):
                w.problems.append(f"HTTP {resp.status} {resp.request.method} {resp.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: w.problems.append(f"page error: {exc}"))
        def on_failed(req):
            # Only our server's requests are judged (the browser's own PDF viewer loads chrome://
            # parts). ERR_ABORTED is the browser cancelling a request because the page was left
            # (a PDF still loading when the person clicks "Duyệt", the favicon on back/forward):
            # every other failure, and every HTTP error (on_response), fails the test.
            if not req.url.startswith(live_server.url) or req.failure == "net::ERR_ABORTED":
                return
            w.problems.append(f"request failed: {req.method} {req.url} {req.failure}")

        page.on("requestfailed", on_failed)
        page.on("response", on_response)
        opened.append((context, w))
        if user is not None:
            login(page, live_server.url, user)
        return w

    open_page.url = live_server.url
    yield open_page

    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    problems = [f"[{w.name}] {p}" for _c, w in opened for p in w.problems]
    for i, (context, w) in enumerate(opened):
        if failed or problems:
            RESULTS.mkdir(parents=True, exist_ok=True)
            safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
            try:
                w.page.screenshot(path=str(RESULTS / f"{safe}-{i}-{w.name}.png"), full_page=True)
            except Exception:  # a crashed page: the failure itself says more
                pass
        context.close()
    if problems and not failed:
        pytest.fail("Problems in the browser:\n" + "\n".join(problems), pytrace=False)

@pytest.fixture(scope="package")
def sites(tmp_path_factory):
    """Two VanThu installations exchanging documents (tests/e2e/test_exchange.py), started once
    for test_exchange.py and test_party_transfer.py: seeding and starting them is minutes of work,
    and each module's tests make their own documents and members, unique by name."""
    from .test_exchange import running_sites

    with running_sites(tmp_path_factory) as pair:
        yield pair


def login(page, base_url: str, user, password: str = "demo") -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/(org/.*)?$"))
