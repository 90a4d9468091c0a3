"""A new password ends every API token and every session of the person, whoever sets it and
however: their own page or API call, an administrator's API call or admin page, `changepassword`,
or a plain save from a shell. A page changing its own person's password keeps that one session."""

from __future__ import annotations

import getpass
import io
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from vanthu.accounts.models import ApiToken, User
from vanthu.audit.models import AuditEntry
from vanthu.documents.tests.test_bad_input import assert_error
from vanthu.testing import factories as f

NEW = "Mat-khau-moi-2026!"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@dataclass
class Person:
    """One person with a live API token and two signed-in browsers."""

    user: User
    token: str
    laptop: Client
    phone: Client

    def token_works(self) -> bool:
        r = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {self.token}"})
        assert r.status_code in (200, 401), r.content
        return r.status_code == 200

    @staticmethod
    def signed_in(browser: Client) -> bool:
        r = browser.get("/account/2fa/")
        assert r.status_code in (200, 302)
        return r.status_code == 200


def _sign_in(browser: Client, user: User, password: str = "demo") -> None:
    r = browser.post("/login/", {"username": user.username, "password": password})
    assert r.status_code == 302 and not r["Location"].startswith("/login/"), r.content


@pytest.fixture
def person(world) -> Person:
    user = world.a.clerk
    r = Client().post("/api/v1/auth/token", {"username": user.username, "password": "demo"}, content_type="application/json")
    assert r.status_code == 200
    laptop, phone = Client(), Client()
    _sign_in(laptop, user)
    _sign_in(phone, user)
    p = Person(user=user, token=r.json()["token"], laptop=laptop, phone=phone)
    assert p.token_works() and p.signed_in(laptop) and p.signed_in(phone)
    return p


def _changed(p: Person, *, by: str, actor: User | None) -> None:
    """The password is NEW, its token and other sessions are dead, and the log says who did it."""
    p.user.refresh_from_db()
    assert p.user.check_password(NEW)
    assert not p.token_works()
    assert not p.signed_in(p.phone)
    assert not ApiToken.objects.live().filter(user=p.user).exists()
    entry = AuditEntry.objects.filter(action="password_changed", object_id=str(p.user.pk)).latest("seq")
    assert entry.data["by"] == by and entry.actor_id == (actor.pk if actor else None)
    assert entry.data["tokens_revoked"] == 1
    r = Client().post("/api/v1/auth/token", {"username": p.user.username, "password": NEW}, content_type="application/json")
    if by == "administrator":
        # A password an administrator chose is temporary: no token until the person chooses their own.
        assert p.user.must_change_password
        assert_error(r, 403, "password_change_required")
        return
    # The new password signs in and gets a token that works.
    assert r.status_code == 200 and not p.user.must_change_password


def _unchanged(p: Person) -> None:
    p.user.refresh_from_db()
    assert p.user.check_password("demo")
    assert p.token_works() and p.signed_in(p.phone)
    assert not AuditEntry.objects.filter(action="password_changed").exists()


# --- the person ----------------------------------------------------------------------------------

def test_changing_ones_password_on_the_page_ends_other_sessions_and_tokens_but_not_this_one(person):
    p = person
    r = p.laptop.post("/account/password/", {"old_password": "demo", "new_password1": NEW, "new_password2": NEW})
    assert r.status_code == 302
    _changed(p, by="self", actor=p.user)
    assert p.signed_in(p.laptop)  # the session that changed it goes on


def test_a_wrong_current_password_or_a_weak_new_one_changes_nothing_on_the_page(person):
    p = person
    r = p.laptop.post("/account/password/", {"old_password": "sai", "new_password1": NEW, "new_password2": NEW})
    assert r.status_code == 200 and r.context["form"].errors.get("old_password")
    r = p.laptop.post("/account/password/", {"old_password": "demo", "new_password1": "123", "new_password2": "123"})
    assert r.status_code == 200 and r.context["form"].errors.get("new_password2")
    _unchanged(p)


def test_changing_ones_password_through_the_api_ends_every_session_and_token(person):
    p = person
    headers = {"Authorization": f"Bearer {p.token}"}
    r = Client().post("/api/v1/auth/password", {"current_password": "demo", "new_password": NEW},
                      content_type="application/json", headers=headers)
    assert r.status_code == 200 and r.json() == {"revoked": 1}
    _changed(p, by="self", actor=p.user)
    assert not p.signed_in(p.laptop)


def test_a_wrong_current_password_or_a_weak_new_one_changes_nothing_through_the_api(person):
    p = person
    headers = {"Authorization": f"Bearer {p.token}"}
    for body, code in (({"current_password": "sai", "new_password": NEW}, "wrong_password"),
                       ({"current_password": "demo", "new_password": "12345678"}, "weak_password"),
                       ({"current_password": "demo", "new_password": p.user.username}, "weak_password")):
        r = Client().post("/api/v1/auth/password", body, content_type="application/json", headers=headers)
        assert_error(r, 422, code)
    _unchanged(p)


# --- an administrator -------------------------------------------------------------------------

def test_an_administrator_setting_the_password_through_the_api_ends_every_session_and_token(world, person, api_as):
    p = person
    admin = f.make_user(world.a.org, "admin")
    r = api_as(admin).post(f"/api/v1/people/{p.user.id}/password", {"new_password": NEW})
    assert r.status_code == 200 and r.json() == {"revoked": 1}
    _changed(p, by="administrator", actor=admin)
    assert not p.signed_in(p.laptop)


def test_an_administrator_setting_the_password_on_the_admin_page_ends_every_session_and_token(world, person):
    p = person
    admin = f.make_installation_admin(world.bloc)
    browser = Client()
    browser.force_login(admin)
    r = browser.post(f"/admin/accounts/user/{p.user.id}/password/",
                     {"password1": NEW, "password2": NEW, "usable_password": "true", "set-password": "1"})
    assert r.status_code == 302, r.content
    _changed(p, by="administrator", actor=admin)
    assert browser.get("/admin/").status_code == 200  # the administrator's own session is untouched


def test_the_admins_own_password_page_is_the_sites_page(world):
    admin = f.make_installation_admin(world.bloc)
    browser = Client()
    browser.force_login(admin)
    r = browser.get("/admin/password_change/")
    assert r.status_code == 302 and r["Location"] == "/account/password/"


def test_changepassword_on_the_command_line_ends_every_session_and_token(person, monkeypatch):
    p = person
    typed = iter(["ngan", "ngan", NEW, NEW])  # too short first: asked again, as Django's command does
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(typed))
    call_command("changepassword", p.user.username, stdout=io.StringIO(), stderr=io.StringIO())
    _changed(p, by="command", actor=None)
    assert not p.signed_in(p.laptop)


def test_a_password_saved_from_a_shell_ends_every_token_and_session_too(person):
    """No action ran, so nothing was marked revoked: the token dies with the password it was issued under."""
    p = person
    p.user.set_password(NEW)
    p.user.save()
    assert not p.token_works()
    assert not p.signed_in(p.phone) and not p.signed_in(p.laptop)
    assert ApiToken.objects.live().filter(user=p.user).exists()  # still unrevoked rows, and refused all the same


def test_tokens_issued_after_the_change_work(person):
    p = person
    p.user.set_password(NEW)
    p.user.save()
    r = Client().post("/api/v1/auth/token", {"username": p.user.username, "password": NEW}, content_type="application/json")
    headers = {"Authorization": f"Bearer {r.json()['token']}"}
    assert Client().get("/api/v1/me", headers=headers).status_code == 200
