"""The admin site: open to the installation's administrators only.

Django's own site admits `is_staff`; VanThu's asks `vanthu.organizations.access` instead and admits
the installation administrator (a superuser) alone. An organisation's administrator administers
its organisation, people, roles and signing authority on VanThu's own pages under /manage/, which
speak the clerk's language and go through the actions (audit, checks); Django's generic model pages
would be a second door to the same rows with rules of their own (issue 22). The scoping kept in
organizations/admin.py and accounts/admin.py stays as a second line of defence.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache

from vanthu.organizations.access import administers_anything, is_installation_admin


class VanThuAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and is_installation_admin(request.user)

    def admin_view(self, view, cacheable=False):
        """An organisation's administrator who follows an old link lands on its own pages, not on a
        sign-in form it has already passed; anyone else is sent to sign in, as Django does."""
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def to_own_pages(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if user.is_authenticated and not self.has_permission(request) and administers_anything(user):
                return redirect("manage:people")
            return inner(request, *args, **kwargs)

        return never_cache(to_own_pages)

    def password_change(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        # One page changes one's own password, and it ends one's other sessions and tokens.
        return redirect("accounts:change_password")
