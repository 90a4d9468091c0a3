"""Admin pages for the organisation tree and its roles, scoped by `access.py`.

The installation administrator sees everything. An organisation's administrator sees the
organisations they administer (theirs and everything under it) and the roles in them; they may add
sub-organisations and roles there, but neither move nor close an organisation whose parent they
do not administer, nor delete an organisation (closing one keeps its documents' history).
"""

from __future__ import annotations

from django.contrib import admin
from django.http import Http404
from django.utils.translation import gettext as _

from .access import (
    administered_orgs,
    administers_anything,
    administers_org,
    is_installation_admin,
    people_of_administered_orgs,
)
from .models import Membership, Organization

# Fields an organisation administrator may not change on an organisation whose parent is beyond them.
TOP_OF_REACH_FIELDS = ("parent", "is_active")


class ScopedModelAdmin(admin.ModelAdmin):
    """An object beyond the person's reach answers 404, as one that does not exist (Django's admin
    would redirect to its index with a message instead)."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("Không tìm thấy."))
        return obj


def _may_administer(request, org: Organization | None) -> bool:
    """The list (org None) for anyone who administers something; one organisation for its administrators."""
    if org is None:
        return administers_anything(request.user)
    return administers_org(request.user, org.id)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = people_of_administered_orgs(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_view_permission(self, request, obj=None) -> bool:
        return _may_administer(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return _may_administer(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return _may_administer(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _may_administer(request, obj)


@admin.register(Organization)
class OrganizationAdmin(ScopedModelAdmin):
    list_display = ["name", "short_name", "code", "kind", "parent", "term_label", "numbering_style", "is_active"]
    list_filter = ["kind", "numbering_style", "is_active"]
    search_fields = ["name", "short_name", "code"]
    autocomplete_fields = ["parent"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(id__in=administered_orgs(request.user).values("id"))

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not administers_org(request.user, obj.parent_id):
            return TOP_OF_REACH_FIELDS
        return ()

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None and not is_installation_admin(request.user):
            form.base_fields["parent"].required = True  # a new organisation goes under one they administer
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = administered_orgs(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request) -> bool:
        return administers_anything(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return _may_administer(request, obj)

    def has_add_permission(self, request) -> bool:
        return administers_anything(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return _may_administer(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_installation_admin(request.user)


@admin.register(Membership)
class MembershipAdmin(ScopedModelAdmin):
    list_display = ["user", "organization", "role", "position"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__full_name", "organization__name"]
    autocomplete_fields = ["user", "organization"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(organization__in=administered_orgs(request.user).values("id"))

    def get_readonly_fields(self, request, obj=None):
        # A role changes its role or position; who holds it is a new row (the person may be beyond reach).
        if obj is not None and not is_installation_admin(request.user):
            return ("user",)
        return ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organization":
            kwargs["queryset"] = administered_orgs(request.user)
        if db_field.name == "user":
            kwargs["queryset"] = people_of_administered_orgs(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request) -> bool:
        return administers_anything(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return _may_administer(request, obj.organization if obj else None)

    def has_add_permission(self, request) -> bool:
        return administers_anything(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return _may_administer(request, obj.organization if obj else None)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _may_administer(request, obj.organization if obj else None)
