"""The API's hot path: the bearer token lookup and the inbox page.

Both are written as plain statements for speed (vanthu/accounts/tokens.py, the inbox in
vanthu/documents/api.py). These tests pin what that must not change: the items are exactly what
the model serialiser gives, every change to a token, a person or a membership counts on the very
next request, and the number of statements stays what makes it fast.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from vanthu.accounts.models import ApiToken
from vanthu.documents import actions
from vanthu.documents.api import inbox_item_out
from vanthu.documents.models import Delivery, Document
from vanthu.organizations.models import Membership, Organization
from vanthu.testing import factories as f


def _send(world, n: int, subject: str = "Về việc báo cáo") -> list[Delivery]:
    a = world.a
    docs = [f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org],
                     subject=f"{subject} {i}") for i in range(n)]
    return [f.delivery_to(d, world.b.org) for d in docs]


def _as_json(value) -> object:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def test_inbox_items_are_what_the_model_serialiser_gives(world, api_as):
    deliveries = _send(world, 3)
    actions.accept_delivery(deliveries[0], user=world.b.clerk)
    api = api_as(world.b.clerk)
    for params, expected_ids in (({}, [d.id for d in reversed(deliveries)]),
                                 ({"status_code": "03"}, [deliveries[0].id]),
                                 ({"limit": 2, "offset": 1}, [deliveries[1].id, deliveries[0].id])):
        r = api.get("/api/v1/inbox", organization_id=world.b.org.id, **params)
        assert r.status_code == 200, r.content
        body = r.json()
        assert [i["id"] for i in body["items"]] == expected_ids
        assert body["count"] == (1 if params.get("status_code") else 3)
        for item in body["items"]:
            d = Delivery.objects.with_document().get(id=item["id"])
            assert item == _as_json(inbox_item_out(d))
    register = api.get("/api/v1/incoming", organization_id=world.b.org.id).json()
    assert [i["id"] for i in register["items"]] == [deliveries[0].id] and register["count"] == 1
    assert register["items"][0]["incoming_number"] == 1


def test_an_inbox_page_takes_two_statements(world, api_as, django_assert_num_queries):
    _send(world, 3)
    api = api_as(world.b.clerk)
    # The token with its owner and roles; the page with the count of the whole set.
    for params, n_items in (({}, 3), ({"limit": 2}, 2), ({"limit": 2, "offset": 2}, 1), ({"status_code": "01"}, 3)):
        with django_assert_num_queries(2):
            r = api.get("/api/v1/inbox", organization_id=world.b.org.id, **params)
        assert r.status_code == 200 and len(r.json()["items"]) == n_items and r.json()["count"] == 3
    # Past the end the page has no row to bring the count with: it is read on its own.
    with django_assert_num_queries(3):
        r = api.get("/api/v1/inbox", organization_id=world.b.org.id, offset=5)
    assert r.json() == {"items": [], "count": 3}
    r = api.get("/api/v1/inbox", organization_id=world.outsider.org.id)
    assert r.status_code == 404
    assert api_as(world.outsider.clerk).get("/api/v1/inbox", organization_id=world.outsider.org.id).json() == {"items": [], "count": 0}


def test_inbox_dates_and_times_are_written_as_the_model_serialiser_writes_them(world, api_as):
    """On PostgreSQL the page's dates and times are formatted by the database: whole seconds,
    milliseconds (truncated, even .000), dates and empty values must read as DjangoJSONEncoder writes them."""
    deliveries = _send(world, 4)
    base = timezone.now().replace(microsecond=0)
    for i, (micro, deadline) in enumerate(((0, None), (999, base.date()), (123456, date(2027, 1, 5)), (999999, None))):
        at = base - timedelta(minutes=i, microseconds=-micro)
        Delivery.objects.filter(id=deliveries[i].id).update(arrived_at=at, updated_at=at, deadline=deadline)
        Document.objects.filter(id=deliveries[i].document_id).update(issued_at=at, due_date=deadline)
    body = api_as(world.b.clerk).get("/api/v1/inbox", organization_id=world.b.org.id).json()
    assert [i["id"] for i in body["items"]] == [d.id for d in deliveries]
    for item in body["items"]:
        assert item == _as_json(inbox_item_out(Delivery.objects.with_document().get(id=item["id"])))
    assert "." not in body["items"][0]["arrived_at"] and body["items"][1]["arrived_at"].endswith(".000Z")


def test_the_inbox_still_answers_after_a_rollback(world, api_as):
    """The page's statement is prepared once per connection on PostgreSQL: a transaction rolled
    back after it was prepared must not lose it."""
    _send(world, 2)
    api = api_as(world.b.clerk)
    inbox = {"organization_id": world.b.org.id}
    try:
        with transaction.atomic():
            assert api.get("/api/v1/inbox", **inbox).json()["count"] == 2
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert api.get("/api/v1/inbox", **inbox).json()["count"] == 2


def test_changes_to_tokens_people_and_memberships_count_on_the_next_request(world, api_as):
    _send(world, 1)
    api = api_as(world.b.clerk)
    inbox = {"organization_id": world.b.org.id}
    assert api.get("/api/v1/inbox", **inbox).status_code == 200
    # A membership removed: the organisation is no longer theirs to see.
    Membership.objects.filter(user=world.b.clerk, organization=world.b.org).delete()
    r = api.get("/api/v1/inbox", **inbox)
    assert r.status_code == 404 and r.json()["error"]["code"] == "organization_not_found"
    Membership.objects.create(user=world.b.clerk, organization=world.b.org, role="clerk")
    assert api.get("/api/v1/inbox", **inbox).status_code == 200
    # The organisation closed.
    Organization.objects.filter(id=world.b.org.id).update(is_active=False)
    assert api.get("/api/v1/inbox", **inbox).status_code == 404
    Organization.objects.filter(id=world.b.org.id).update(is_active=True)
    # The person deactivated, then the token revoked, then expired.
    type(world.b.clerk).objects.filter(id=world.b.clerk.id).update(is_active=False)
    assert api.get("/api/v1/inbox", **inbox).status_code == 401
    type(world.b.clerk).objects.filter(id=world.b.clerk.id).update(is_active=True)
    assert api.get("/api/v1/inbox", **inbox).status_code == 200
    token = ApiToken.objects.get(user=world.b.clerk)
    ApiToken.objects.filter(id=token.id).update(expires_at=timezone.now())
    assert api.get("/api/v1/inbox", **inbox).status_code == 401
    ApiToken.objects.filter(id=token.id).update(expires_at=token.expires_at, revoked_at=timezone.now())
    r = api.get("/api/v1/inbox", **inbox)
    assert r.status_code == 401 and r.json()["error"]["code"] == "not_authenticated"


def test_the_inbox_answers_on_a_new_connection(transactional_db, world, api_as):
    """A new database connection has no prepared statement yet: the first request prepares it again."""
    _send(world, 2)
    api = api_as(world.b.clerk)
    inbox = {"organization_id": world.b.org.id}
    for _ in range(3):
        assert api.get("/api/v1/inbox", **inbox).json()["count"] == 2
        connection.close()
