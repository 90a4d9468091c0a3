"""Signing in to the API with a token, and seeing who one is and with which roles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from vanthu.accounts.models import ApiToken, hash_token
from vanthu.documents.tests.test_bad_input import assert_error
from vanthu.organizations.models import Membership, Organization
from vanthu.testing import factories as f


def _token(client, username: str, password: str):
    return client.post("/api/v1/auth/token", {"username": username, "password": password}, content_type="application/json")


def test_a_token_is_issued_for_the_right_password_and_works(world, client):
    r = _token(client, world.a.clerk.username, "demo")
    assert r.status_code == 200, r.content
    body = r.json()
    expires = timezone.datetime.fromisoformat(body["expires_at"])
    assert timedelta(hours=11) < expires - timezone.now() <= timedelta(hours=12, minutes=1)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.json()["username"] == world.a.clerk.username
    # Only the token's hash is stored.
    stored = ApiToken.objects.get(user=world.a.clerk)
    assert stored.key_hash == hash_token(body["token"]) and body["token"] not in stored.key_hash


@pytest.mark.parametrize("username,password", [
    (None, "sai-mat-khau"),  # the real clerk, with a wrong password
    ("khong_ton_tai", "demo"),
    ("", "demo"),
])
def test_wrong_credentials_get_401_invalid_credentials(world, client, username, password):
    username = world.a.clerk.username if username is None else username
    err = assert_error(_token(client, username, password), 401, "invalid_credentials")
    assert "mật khẩu" in err["message"]
    assert not ApiToken.objects.exists()


def test_an_unknown_user_and_a_wrong_password_look_the_same(world, client):
    wrong = _token(client, world.a.clerk.username, "sai").json()
    unknown = _token(client, "nguoi_la", "sai").json()
    assert wrong == unknown


def test_a_deactivated_person_gets_no_token(world, client):
    world.a.clerk.is_active = False
    world.a.clerk.save()
    assert_error(_token(client, world.a.clerk.username, "demo"), 401, "invalid_credentials")


def test_missing_or_malformed_credentials_are_refused(world, client):
    r = client.post("/api/v1/auth/token", {"username": world.a.clerk.username}, content_type="application/json")
    err = assert_error(r, 422, "validation_error")
    assert "password" in err["message"]
    assert_error(client.post("/api/v1/auth/token", b"username=a&password=b", content_type="application/json"), 400, "malformed_body")
    assert_error(client.post("/api/v1/auth/token", {"username": 1, "password": ["demo"]}, content_type="application/json"), 422)
    r = client.post("/api/v1/auth/token", {"username": "a\x00b", "password": "demo"}, content_type="application/json")
    assert r.status_code in (401, 422), r.content
    assert_error(r, r.status_code)


def test_each_sign_in_gets_its_own_token(world, client):
    t1 = _token(client, world.a.clerk.username, "demo").json()["token"]
    t2 = _token(client, world.a.clerk.username, "demo").json()["token"]
    assert t1 != t2
    ApiToken.objects.filter(key_hash=hash_token(t1)).update(revoked_at=timezone.now())
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {t1}"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {t2}"}).status_code == 200


def test_me_lists_memberships_with_roles(world, api_as):
    person = f.make_user(world.b.org, "leader", "clerk", full_name="Nguyễn Thị Bình")
    Membership.objects.create(user=person, organization=world.bloc, role="specialist", position="Ủy viên")
    body = api_as(person).get("/api/v1/me").json()
    assert body["full_name"] == "Nguyễn Thị Bình" and body["is_admin"] is False
    got = {m["organization"]["id"]: sorted(m["roles"]) for m in body["memberships"]}
    assert got == {world.b.org.id: ["clerk", "leader"], world.bloc.id: ["specialist"]}
    b = next(m for m in body["memberships"] if m["organization"]["id"] == world.b.org.id)
    assert b["organization"]["code"] == world.b.org.code and b["organization"]["short_name"] == "ĐU"


def test_me_shows_administrators_and_hides_inactive_organisations(world, api_as):
    admin = f.make_user(world.bloc, "admin")
    Membership.objects.create(user=admin, organization=world.c.org, role="inspector")
    Organization.objects.filter(id=world.c.org.id).update(is_active=False)
    body = api_as(admin).get("/api/v1/me").json()
    assert body["is_admin"] is True
    assert [m["organization"]["id"] for m in body["memberships"]] == [world.bloc.id]


def test_a_person_without_memberships_has_an_empty_list(db, api_as):
    loner = f.make_user(None)
    body = api_as(loner).get("/api/v1/me").json()
    assert body["memberships"] == [] and body["is_admin"] is False
