"""The organisation a person acts for in the pages (kept in the session)."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .access import member_org_ids, roles_by_org
from .models import Organization

SESSION_KEY = "vanthu_org_id"


def my_organizations(request: HttpRequest) -> list[Organization]:
    """The active organisations the signed-in person belongs to, cached per request."""
    cached = getattr(request, "_vanthu_orgs", None)
    if cached is None:
        ids = member_org_ids(request.user)
        cached = list(Organization.objects.active().filter(id__in=ids).order_by("name")) if ids else []
        request._vanthu_orgs = cached
    return cached


def current_org(request: HttpRequest) -> Organization | None:
    """The organisation chosen in the session, or the person's first one."""
    if not request.user.is_authenticated:
        return None
    orgs = my_organizations(request)
    if not orgs:
        return None
    chosen = request.session.get(SESSION_KEY)
    for org in orgs:
        if org.id == chosen:
            return org
    return orgs[0]


def set_current_org(request: HttpRequest, org_id: int) -> bool:
    if any(o.id == org_id for o in my_organizations(request)):
        request.session[SESSION_KEY] = org_id
        return True
    return False


def current_roles(request: HttpRequest) -> set[str]:
    org = current_org(request)
    return set(roles_by_org(request.user).get(org.id, set())) if org else set()


def needs_org(view: Callable) -> Callable:
    """Pages about 'my organisation' need one; a person with none gets a plain explanation."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        org = current_org(request)
        if org is None:
            return render(request, "web/no_org.html", status=403)
        return view(request, org, *args, **kwargs)

    return wrapper
