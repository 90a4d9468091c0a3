"""Two-factor is required by role on every request, not only at sign-in: a person given a role
that requires it mid-session is sent to set it up before anything else (pages), and the API
refuses them with a clear 403 until they have; the tokens they held when an administrator gave
them the role end with it (issued without the second factor the role now requires)."""

from __future__ import annotations

import pyotp
import pytest
from django.core.cache import cache
from django.test import Client

from vanthu.accounts import actions, administration
from vanthu.accounts.models import ApiToken, SecurityPolicy
from vanthu.audit.models import AuditEntry
from vanthu.documents.tests.test_bad_input import assert_error
from vanthu.organizations.models import Membership
from vanthu.testing import factories as f


@pytest.fixture(autouse=True)
def _policy(db):
    cache.clear()  # sign-in rate limits
    SecurityPolicy.objects.create(id=1, two_factor_roles="leader,clerk,admin")
    yield
    cache.clear()


def signed_in_by_password(user) -> Client:
    c = Client()
    r = c.post("/login/", {"username": user.username, "password": "demo"})
    assert r.status_code == 302 and r["Location"] != "/account/2fa/"
    return c


def token_of(user) -> dict:
    r = Client().post("/api/v1/auth/token", {"username": user.username, "password": "demo"}, content_type="application/json")
    assert r.status_code == 200, r.content
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_a_role_given_on_the_administration_page_sends_the_person_to_set_up_two_factor(world):
    person = world.a.specialist
    c = signed_in_by_password(person)
    assert c.get("/inbox/").status_code == 200
    admin = f.make_user(world.a.org, "admin")
    administration.set_roles(user=admin, target=person, organization=world.a.org, roles=["specialist", "leader"])
    for path in ("/inbox/", "/", "/search/?q=x"):
        r = c.get(path)
        assert r.status_code == 302 and r["Location"] == "/account/2fa/", path
    r = c.get("/inbox/", headers={"HX-Request": "true"})
    assert r.status_code == 204 and r["HX-Redirect"] == "/account/2fa/"
    page = c.get("/account/2fa/")
    assert page.status_code == 200
    secret = actions.start_two_factor(user=person).secret
    assert c.post("/account/2fa/", {"code": pyotp.TOTP(secret).now()}).status_code == 200
    assert c.get("/inbox/").status_code == 200


def test_a_role_given_another_way_or_a_policy_changed_mid_session_is_enforced_too(world):
    person = world.b.specialist
    c = signed_in_by_password(person)
    Membership.objects.create(user=person, organization=world.b.org, role="clerk")  # the admin site, directory sync
    assert c.get("/inbox/")["Location"] == "/account/2fa/"
    other = world.c.specialist
    c2 = signed_in_by_password(other)
    SecurityPolicy.objects.filter(id=1).update(two_factor_roles="leader,clerk,admin,specialist")
    assert c2.get("/inbox/")["Location"] == "/account/2fa/"


def test_the_api_refuses_the_person_with_a_clear_error_until_two_factor_is_set_up(world):
    person = world.b.specialist
    auth = token_of(person)
    c = Client()
    assert c.get("/api/v1/me", headers=auth).status_code == 200
    Membership.objects.create(user=person, organization=world.b.org, role="leader")
    assert_error(c.get("/api/v1/me", headers=auth), 403, "two_factor_setup_required")
    assert_error(c.get("/api/v1/inbox", {"organization_id": world.b.org.id}, headers=auth), 403, "two_factor_setup_required")
    # The page's session calls the API too (htmx): the same answer.
    page = signed_in_by_password(world.c.specialist)
    Membership.objects.create(user=world.c.specialist, organization=world.c.org, role="clerk")
    assert_error(page.get("/api/v1/me"), 403, "two_factor_setup_required")


def test_tokens_held_when_an_administrator_gives_the_role_end_with_it(world):
    person = world.a.specialist
    auth = token_of(person)
    untouched = token_of(world.a.specialist2)
    admin = f.make_user(world.a.org, "admin")
    administration.set_roles(user=admin, target=person, organization=world.a.org, roles=["clerk"])
    assert_error(Client().get("/api/v1/me", headers=auth), 401, "not_authenticated")
    assert not ApiToken.objects.filter(user=person).live().exists()
    entry = AuditEntry.objects.filter(action="person_roles_changed").latest("seq")
    assert entry.data["api_tokens_revoked"] == 1
    assert Client().get("/api/v1/me", headers=untouched).status_code == 200
    # A role that does not require it leaves the tokens alone.
    auth2 = token_of(world.a.specialist2)
    administration.set_roles(user=admin, target=world.a.specialist2, organization=world.a.org, roles=["specialist", "inspector"])
    assert Client().get("/api/v1/me", headers=auth2).status_code == 200


def test_a_person_who_has_two_factor_keeps_working_when_given_the_role(world):
    person = world.a.specialist
    device = actions.start_two_factor(user=person)
    actions.confirm_two_factor(user=person, code=pyotp.TOTP(device.secret).now())
    c = Client()
    c.force_login(person)
    Membership.objects.create(user=person, organization=world.a.org, role="leader")
    assert c.get("/inbox/").status_code == 200
