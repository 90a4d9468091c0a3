"""Admin pages for people, API tokens and sign-in security.

People are scoped like the organisation tree (vanthu.organizations.access): an organisation's
administrator sees and changes only the people who belong wholly to what they administer (their
name, e-mail, password, whether the account is active, and their roles there); a person they
create gets a role in one of their organisations at once. The staff and superuser flags, groups and
permissions, deleting people, API tokens, sign-in failures and the sign-in policy are the
installation administrator's (Django's model permissions, which only a superuser holds here).
"""

from __future__ import annotations

import copy
import functools

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from vanthu.organizations.access import (
    administered_orgs,
    administered_people,
    administers_anything,
    administers_person,
    is_installation_admin,
)
from vanthu.organizations.admin import ScopedModelAdmin
from vanthu.organizations.models import Membership

from . import actions
from .forms import AdminSetPasswordForm
from .models import ApiToken, SecurityPolicy, SignInFailure, User

# What an organisation's administrator sees of a person they administer.
SCOPED_FIELDSETS = (
    (None, {"fields": ("username", "password")}),
    (_("Thông tin cá nhân"), {"fields": ("full_name", "first_name", "last_name", "email")}),
    (_("Trạng thái"), {"fields": ("is_active", "last_login", "date_joined")}),
)


def _may_administer(request, person: User | None) -> bool:
    """The list (person None) for anyone who administers something; one person for their administrators."""
    if person is None:
        return administers_anything(request.user)
    return administers_person(request.user, person)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organization"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(organization__in=administered_orgs(request.user).values("id"))

    def get_formset(self, request, obj=None, **kwargs):
        # An organisation's administrator keeps everyone they administer in one of their
        # organisations: a person with no role there would be beyond everyone's reach but the installation's.
        if not is_installation_admin(request.user):
            kwargs.update(min_num=1, validate_min=True)
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organization":
            kwargs["queryset"] = administered_orgs(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_view_permission(self, request, obj=None) -> bool:
        return _may_administer(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return _may_administer(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return _may_administer(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _may_administer(request, obj)


@admin.action(description=_("Mở khóa đăng nhập"))
def unlock_users(modeladmin, request, queryset):
    n = sum(actions.unlock_account(user=request.user, target_username=u.username) for u in queryset)
    messages.success(request, _("Đã mở khóa (%(n)s lần sai được xóa).") % {"n": n})


@admin.action(description=_("Đăng xuất khỏi mọi nơi và thu hồi mã API"))
def sign_out_users(modeladmin, request, queryset):
    for u in queryset:
        actions.sign_out_everywhere(user=request.user, target=u)
    messages.success(request, _("Đã đăng xuất %(n)s người khỏi mọi nơi.") % {"n": queryset.count()})


@admin.action(description=_("Đặt lại xác thực hai lớp (mất điện thoại)"))
def reset_two_factor(modeladmin, request, queryset):
    for u in queryset:
        actions.reset_two_factor(user=request.user, target=u)
    messages.success(request, _("Đã đặt lại xác thực hai lớp."))


@admin.register(User)
class UserAdmin(ScopedModelAdmin, BaseUserAdmin):
    list_display = ["username", "full_name", "email", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = BaseUserAdmin.fieldsets + (("VanThu", {"fields": ["full_name"]}),)
    inlines = [MembershipInline]
    actions = [unlock_users, sign_out_users, reset_two_factor]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(id__in=administered_people(request.user).values("id"))

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not is_installation_admin(request.user):
            return SCOPED_FIELDSETS
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not is_installation_admin(request.user):
            return ("last_login", "date_joined")
        return ()

    def get_list_display(self, request):
        return self.list_display if is_installation_admin(request.user) else ["username", "full_name", "email", "is_active"]

    def get_list_filter(self, request):
        return self.list_filter if is_installation_admin(request.user) else ["is_active"]

    def user_change_password(self, request, id, form_url=""):
        # Django builds this form as `self.change_password_form(user, data)`, without the request:
        # a copy of this admin, for this request only, hands it the person acting for the action.
        for_request = copy.copy(self)
        for_request.change_password_form = functools.partial(AdminSetPasswordForm, actor=request.user)
        return BaseUserAdmin.user_change_password(for_request, request, id, form_url)

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


@admin.action(description=_("Thu hồi mã đã chọn"))
def revoke_tokens(modeladmin, request, queryset):
    for t in queryset.filter(revoked_at__isnull=True).select_related("user"):
        actions.revoke_api_token(user=request.user, token=t)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "expires_at", "revoked_at"]
    readonly_fields = ["key_hash", "expires_at", "created_at", "revoked_at", "user"]
    actions = [revoke_tokens]


# --- sign-in security -----------------------------------------------------------------------

@admin.action(description=_("Mở khóa theo tên và địa chỉ của các dòng đã chọn"))
def unlock_failures(modeladmin, request, queryset):
    for username, address in set(queryset.values_list("username", "address")):
        actions.unlock_account(user=request.user, target_username=username)
        actions.unlock_account(user=request.user, address=address)


@admin.register(SignInFailure)
class SignInFailureAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "address", "reason", "cleared"]
    list_filter = ["reason", "cleared"]
    search_fields = ["username", "address"]
    actions = [unlock_failures]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SecurityPolicy)
class SecurityPolicyAdmin(admin.ModelAdmin):
    list_display = ["two_factor_roles"]
