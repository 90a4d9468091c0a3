"""Signing authority in the admin site, for the installation's administrator (until the
organisations' own administration pages manage it)."""

from __future__ import annotations

from django.contrib import admin

from vanthu.organizations.access import is_installation_admin

from .models import Signatory


@admin.register(Signatory)
class SignatoryAdmin(admin.ModelAdmin):
    list_display = ("organization", "user", "form", "on_behalf_of", "position", "is_active")
    list_filter = ("form", "is_active")
    search_fields = ("organization__name", "user__full_name", "user__username")
    raw_id_fields = ("organization", "user")

    def has_module_permission(self, request) -> bool:
        return is_installation_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_installation_admin(request.user)

    def has_add_permission(self, request) -> bool:
        return is_installation_admin(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_installation_admin(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_installation_admin(request.user)
