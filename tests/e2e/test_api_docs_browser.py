"""The API's documentation page works on a closed network: Swagger UI comes from the installation,
under the same Content-Security-Policy as every page, and lists the API's operations."""

from __future__ import annotations

from playwright.sync_api import expect

from .conftest import PHONE


def test_the_api_docs_load_with_no_internet(pages, world):
    w = pages(world.a.clerk)
    outside: list[str] = []

    def only_our_server(route):
        if route.request.url.startswith(pages.url):
            route.continue_()
        else:  # a party network reaches nothing outside: any such request is a failure
            outside.append(route.request.url)
            route.abort()

    w.page.route("**/*", only_our_server)
    response = w.page.goto(f"{pages.url}/api/v1/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(w.page.locator('.opblock-summary-path[data-path="/api/v1/auth/token"]')).to_be_visible()
    expect(w.page.locator(".opblock").first).to_be_visible()
    assert w.page.locator(".opblock").count() > 40
    assert outside == []


def test_the_api_docs_read_on_a_phone(pages, world):
    w = pages(world.a.clerk, viewport=PHONE)
    w.page.goto(f"{pages.url}/api/v1/docs")
    expect(w.page.locator('.opblock-summary-path[data-path="/api/v1/inbox"]').first).to_be_visible()
