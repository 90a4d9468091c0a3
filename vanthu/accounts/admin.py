from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from vanthu.organizations.models import Membership

from .models import ApiToken, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "email", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = BaseUserAdmin.fieldsets + (("VanThu", {"fields": ["full_name"]}),)
    inlines = [MembershipInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "expires_at", "revoked_at"]
    readonly_fields = ["key_hash", "expires_at", "created_at", "revoked_at", "user"]


# --- sign-in security -----------------------------------------------------------------------

from django.contrib import messages  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402

from . import actions  # noqa: E402
from .models import SecurityPolicy, SignInFailure  # noqa: E402


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


UserAdmin.actions = [unlock_users, sign_out_users, reset_two_factor]


@admin.action(description=_("Thu hồi mã đã chọn"))
def revoke_tokens(modeladmin, request, queryset):
    for t in queryset.filter(revoked_at__isnull=True).select_related("user"):
        actions.revoke_api_token(user=request.user, token=t)


ApiTokenAdmin.actions = [revoke_tokens]


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
