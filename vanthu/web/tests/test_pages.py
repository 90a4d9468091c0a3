"""Signing in, choosing the organisation, home, language, error pages and CSRF, through the pages."""

from __future__ import annotations

import pytest
from django.test import Client

from vanthu.documents import actions
from vanthu.organizations.models import Membership
from vanthu.testing import factories as f


def signed_in(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password="demo")
    return c


def test_anonymous_is_sent_to_login(db):
    r = Client().get("/inbox/")
    assert r.status_code == 302 and r.url.startswith("/login/?next=/inbox/")


def test_login_page_has_django_fields_and_signs_in(world):
    c = Client()
    page = c.get("/login/").content.decode()
    assert 'name="username"' in page and 'name="password"' in page and "<label" in page
    r = c.post("/login/", {"username": world.a.clerk.username, "password": "demo"})
    assert r.status_code == 302 and r.url == "/"
    home = c.get("/").content.decode()
    assert "Việc cần làm" in home and world.a.org.name in home


def test_wrong_password_says_so_in_vietnamese(world):
    r = Client().post("/login/", {"username": world.a.clerk.username, "password": "sai"})
    assert r.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in r.content.decode()


def test_person_of_two_organisations_chooses_and_switches(world):
    user = world.a.leader
    Membership.objects.create(user=user, organization=world.b.org, role="leader")
    c = Client()
    r = c.post("/login/", {"username": user.username, "password": "demo"})
    assert r.status_code == 302 and r.url.startswith("/org/")
    page = c.get(r.url).content.decode()
    assert world.a.org.name in page and world.b.org.name in page
    c.post("/org/", {"organization_id": world.b.org.id, "next": "/"})
    home = c.get("/").content.decode()
    assert f'<option value="{world.b.org.id}" selected>' in home
    # An organisation the person does not belong to is never taken.
    c.post("/org/", {"organization_id": world.c.org.id})
    assert f'<option value="{world.b.org.id}" selected>' in c.get("/").content.decode()


def test_home_counts_what_waits_for_each_role(world):
    f.issued(world.a.org, specialist=world.a.specialist, leader=world.a.leader, clerk=world.a.clerk, recipients=[world.b.org])
    submitted = f.draft(world.a.org, world.a.specialist, [world.b.org])

    actions.submit_document(submitted, user=world.a.specialist)
    clerk_home = signed_in(world.b.clerk).get("/").content.decode()
    assert 'id="count-accept"' in clerk_home and '<span class="n">1</span> <span class="t">Chờ tiếp nhận' in clerk_home
    leader_home = signed_in(world.a.leader).get("/").content.decode()
    assert '<span class="n">1</span> <span class="t">Chờ duyệt' in leader_home
    assert 'href="/documents/?status=submitted"' in leader_home


def test_vietnamese_by_default_even_for_an_english_browser_and_english_by_the_switch(world):
    c = signed_in(world.a.clerk)
    page = c.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert '<html lang="vi">' in page and "Việc cần làm" in page
    r = c.post("/i18n/setlang/", {"language": "en", "next": "/inbox/"})
    assert r.status_code == 302 and r.url == "/inbox/"
    page = c.get("/inbox/").content.decode()
    assert '<html lang="en">' in page and "Incoming documents" in page
    c.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert "Văn bản đến" in c.get("/inbox/").content.decode()


def test_unknown_address_gets_the_plain_vietnamese_404_page(world):
    r = signed_in(world.a.clerk).get("/khong-co-trang-nay/")
    assert r.status_code == 404
    assert "Không tìm thấy trang này" in r.content.decode()


def test_post_without_csrf_token_is_refused(world):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.a.clerk)
    doc = f.issued(world.a.org, specialist=world.a.specialist, leader=world.a.leader, clerk=world.a.clerk, recipients=[world.b.org])
    c2 = Client(enforce_csrf_checks=True)
    c2.force_login(world.b.clerk)
    d = f.delivery_to(doc, world.b.org)
    r = c2.post(f"/inbox/{d.id}/accept/")
    assert r.status_code == 403
    assert "Trang đã cũ" in r.content.decode()
    d.refresh_from_db()
    assert d.status_code == "01"
    # With the token from the page, the same request goes through.
    page = c2.get("/inbox/")
    token = page.cookies["csrftoken"].value
    r = c2.post(f"/inbox/{d.id}/accept/", headers={"X-CSRFToken": token})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status_code == "03"


def test_person_without_organisation_gets_an_explanation(db):
    user = f.make_user(None)
    r = signed_in(user).get("/inbox/")
    assert r.status_code == 403 and "chưa thuộc đơn vị nào" in r.content.decode()


@pytest.mark.parametrize("path", ["/", "/inbox/", "/documents/", "/assignments/", "/documents/new/", "/incoming/paper/",
                                  "/registers/outgoing/", "/registers/incoming/"])
def test_every_page_has_a_nav_of_links_and_its_own_title(world, path):
    page = signed_in(world.a.clerk).get(path)
    assert page.status_code == 200, path
    html = page.content.decode()
    assert '<nav class="main-nav"' in html and 'aria-current="page"' in html
    assert "htmx-2.min.js" in html and "//cdn" not in html
