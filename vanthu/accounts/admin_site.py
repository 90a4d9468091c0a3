"""The admin site: open to the installation's administrators and to organisations' administrators.

Django's own site admits `is_staff`; VanThu's asks `vanthu.organizations.access` instead, and each
page then shows what the person's scope allows: the organisation tree, its roles and its people
are scoped there (organizations/admin.py, accounts/admin.py), and every other model keeps Django's
model permissions, which only the installation administrator (a superuser) holds.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from vanthu.organizations.access import administers_anything


class VanThuAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and administers_anything(request.user)

    def password_change(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        # One page changes one's own password, and it ends one's other sessions and tokens.
        return redirect("accounts:change_password")
