"""pytest fixtures: a small world of two organisations with every role, and API clients."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from vanthu.accounts.models import User
from vanthu.calendar import workdays
from vanthu.documents.doctypes import ensure_document_types
from vanthu.organizations.models import Organization, OrgKind

from . import factories as f


@dataclass
class Side:
    org: Organization
    clerk: User
    leader: User
    specialist: User
    specialist2: User


@dataclass
class World:
    bloc: Organization
    a: Side  # the sender
    b: Side  # a recipient
    c: Side  # another recipient
    outsider: Side  # an organisation that receives nothing


def _side(name: str, short: str, code: str, parent: Organization) -> Side:
    org = f.make_org(name, short_name=short, code=code, parent=parent)
    return Side(
        org=org,
        clerk=f.make_user(org, "clerk", full_name=f"Văn thư {short}"),
        leader=f.make_user(org, "leader", full_name=f"Bí thư {short}"),
        specialist=f.make_user(org, "specialist", full_name=f"Chuyên viên {short}"),
        specialist2=f.make_user(org, "specialist", full_name=f"Chuyên viên hai {short}"),
    )


@pytest.fixture
def world(db) -> World:
    ensure_document_types()  # a transactional test's flush removes the seeded rows
    bloc = f.make_org("Đảng bộ Khối các cơ quan Thành phố Hà Nội", short_name="ĐUK", code="000.00.10.H26", kind=OrgKind.BLOC_COMMITTEE)
    return World(
        bloc=bloc,
        a=_side("Đảng ủy Khối các cơ quan Thành phố", "ĐUK", "000.00.11.H26", bloc),
        b=_side("Đảng bộ Sở Tài chính", "ĐU", "000.00.12.H26", bloc),
        c=_side("Đảng bộ Sở Xây dựng", "ĐU", "000.00.13.H26", bloc),
        outsider=_side("Đảng bộ Sở Y tế", "ĐU", "000.00.14.H26", bloc),
    )


class ApiClient:
    """A test client that signs in through the token endpoint, like any other program would."""

    def __init__(self, user: User | None = None):
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            r = self.client.post("/api/v1/auth/token", {"username": user.username, "password": "demo"}, content_type="application/json")
            assert r.status_code == 200, r.content
            self.headers = {"Authorization": f"Bearer {r.json()['token']}"}

    def get(self, path: str, **params):
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, data=None, **kw):
        if kw.get("multipart"):
            return self.client.post(path, data or {}, headers=self.headers)
        return self.client.post(path, data if data is not None else {}, content_type="application/json", headers=self.headers)

    def put(self, path: str, data=None):
        return self.client.put(path, data or {}, content_type="application/json", headers=self.headers)


@pytest.fixture
def api_as():
    return ApiClient


@pytest.fixture(autouse=True)
def _fresh_working_day_calendar():
    """The working-day calendar caches years per process; a rolled-back test's edits must not linger."""
    workdays.forget()
    yield
    workdays.forget()


@pytest.fixture(autouse=True)
def _vietnamese_first():
    """Each test starts in the default language: a page requested in English by the test client
    leaves English active in the thread (the middleware activates, nothing resets it), and the
    next test's messages would come out in English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
