"""Signing authority in the admin site, for the installation's administrator (until the
organisations' own administration pages manage it)."""

from __future__ import annotations

from django.contrib import admin

from vanthu.organizations.access import is_installation_admin

from .models import Delegation, Signatory


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


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    """Read only: a delegation is made and cancelled by its leader (page or API), audited there."""

    list_display = ("organization", "delegator", "deputy", "form", "starts_on", "ends_on", "revoked_at")
    list_filter = ("form",)
    search_fields = ("organization__name", "delegator__full_name", "deputy__full_name")

    def has_module_permission(self, request) -> bool:
        return is_installation_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_installation_admin(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
