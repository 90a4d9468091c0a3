"""An organisation's administrator manages its people: adds them, gives and takes roles, resets
their password, deactivates them. Every change is audited.

Reach is `vanthu.organizations.access`: an administrator acts on the organisations they administer
(theirs and the subtree) and on the people who belong wholly to those; anyone else is not found.
A person added or reset gets a temporary password (shown once to the administrator), which they
must replace at their first sign-in (User.must_change_password).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit.chain import record
from vanthu.errors import NotFound, Unprocessable
from vanthu.organizations.access import (
    administered_org_ids,
    administers_org,
    administers_person,
    is_installation_admin,
)
from vanthu.organizations.models import Membership, Organization, Role
from vanthu.text import clean_text

from . import actions, passwords
from .models import ApiToken
from .security import forget_two_factor_state, two_factor_missing


def _require_org(user, organization: Organization) -> None:
    if not administers_org(user, organization.id):
        raise NotFound(_("Không tìm thấy tổ chức."), code="organization_not_found")


def _require_person(user, target) -> None:
    if not administers_person(user, target):
        raise NotFound(_("Không tìm thấy người dùng."), code="person_not_found")


def _clean_roles(roles) -> list[str]:
    roles = set(roles)
    if roles - set(Role.values):
        raise Unprocessable(_("Vai trò không hợp lệ."), code="invalid_role", details={"field": "roles"})
    return [r for r in Role.values if r in roles]


@transaction.atomic
def create_person(*, user, organization: Organization, username: str, full_name: str, email: str = "",
                  roles=(), position: str = ""):
    """A new person with roles in one organisation the administrator administers; returns
    (person, temporary password)."""
    _require_org(user, organization)
    username = clean_text(username, field="username", max_length=150, label=_("Tên đăng nhập")).strip().lower()
    full_name = clean_text(full_name, field="full_name", max_length=150, label=_("Họ và tên")).strip()
    email = clean_text(email, field="email", max_length=254, label=_("Thư điện tử")).strip()
    position = clean_text(position, field="position", max_length=128, label=_("Chức vụ")).strip()
    roles = _clean_roles(roles)
    if not roles:
        raise Unprocessable(_("Hãy chọn ít nhất một vai trò."), code="role_required", details={"field": "roles"})
    if not full_name:
        raise Unprocessable(_("Hãy nhập họ và tên."), code="full_name_required", details={"field": "full_name"})
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise Unprocessable(_("Tên đăng nhập chỉ gồm chữ cái, chữ số và các dấu . @ + - _, không có dấu cách."),
                            code="invalid_username", details={"field": "username"}) from None
    users = get_user_model()
    if users.objects.filter(username__iexact=username).exists():
        raise Unprocessable(_("Tên đăng nhập này đã có người dùng. Hãy chọn tên khác."), code="username_taken",
                            details={"field": "username"})
    temporary = passwords.temporary()
    person = users.objects.create_user(username=username, email=email, full_name=full_name, password=temporary)
    person.must_change_password = True
    person.save(update_fields=["must_change_password"])
    Membership.objects.bulk_create(Membership(user=person, organization=organization, role=r, position=position) for r in roles)
    record("person_created", actor=user, obj=person, data={
        "username": username, "full_name": full_name, "organization": organization.name, "roles": roles})
    return person, temporary


@transaction.atomic
def set_roles(*, user, target, organization: Organization, roles, position: str = "") -> None:
    """The person's roles in one organisation become exactly `roles` (none: they leave it).

    An organisation's administrator cannot take a person's last role among the organisations they
    administer: the person would drop out of every administrator's reach but the installation's."""
    _require_person(user, target)
    _require_org(user, organization)
    roles = _clean_roles(roles)
    position = clean_text(position, field="position", max_length=128, label=_("Chức vụ")).strip()
    current = Membership.objects.select_for_update().filter(user=target, organization=organization)
    before = sorted(current.values_list("role", flat=True))
    if not roles and not is_installation_admin(user):
        elsewhere = Membership.objects.filter(user=target, organization_id__in=administered_org_ids(user)).exclude(
            organization=organization)
        if not elsewhere.exists():
            raise Unprocessable(_("Không thể bỏ vai trò cuối cùng của một người. Nếu người này thôi công tác, hãy khóa tài khoản."),
                                code="last_role", details={"field": "roles"})
    if target.pk == user.pk and Role.ADMIN in before and Role.ADMIN not in roles and not is_installation_admin(user):
        raise Unprocessable(_("Bạn không thể tự bỏ vai trò quản trị của mình."), code="own_admin_role", details={"field": "roles"})
    current.exclude(role__in=roles).delete()
    Membership.objects.filter(user=target, organization=organization).update(position=position)
    Membership.objects.bulk_create([Membership(user=target, organization=organization, role=r, position=position)
                                    for r in roles if r not in before])
    # Roles that now require two-factor the person has not set up: the pages send them to set it up
    # at their next request; their API tokens, issued without it, end (a new one needs the code).
    forget_two_factor_state(target)
    revoked = ApiToken.objects.filter(user=target).live().update(revoked_at=timezone.now()) if two_factor_missing(target) else 0
    record("person_roles_changed", actor=user, obj=target, data={
        "organization": organization.name, "before": before, "after": roles, "position": position,
        **({"api_tokens_revoked": revoked} if revoked else {})})


@transaction.atomic
def set_active(*, user, target, active: bool) -> None:
    """Lock (or reopen) a person's account. Locking also ends their sessions and API tokens."""
    _require_person(user, target)
    if target.pk == user.pk:
        raise Unprocessable(_("Bạn không thể tự khóa tài khoản của mình."), code="own_account")
    if target.is_active == active:
        return
    target.is_active = active
    target.save(update_fields=["is_active"])
    if not active:
        actions.sign_out_everywhere(user=user, target=target)
    record("person_reactivated" if active else "person_deactivated", actor=user, obj=target,
           data={"username": target.username})


def reset_password(*, user, target) -> str:
    """A new temporary password (returned, to give the person): every session and token of theirs
    ends, and they must choose their own at the next sign-in."""
    _require_person(user, target)
    temporary = passwords.temporary()
    actions.change_password(user=user, target=target, password=temporary)
    return temporary


# What an organisation's administrator may change of its own record on /manage/ (its code, kind,
# parent and numbering style belong to the installation's administrator: they shape identifiers
# that other organisations and installations already hold).
ORGANIZATION_SETTINGS = ("name", "short_name", "term_label", "term_start", "term_end", "place",
                         "invalid_signature_policy", "all_members_see_correspondence")


@transaction.atomic
def update_organization(*, user, organization: Organization, **changes) -> list[str]:
    """Change an administered organisation's own settings; returns the fields that changed."""
    _require_org(user, organization)
    unknown = set(changes) - set(ORGANIZATION_SETTINGS)
    if unknown:
        raise Unprocessable(_("Trường không được phép sửa."), code="field_not_allowed", details={"fields": sorted(unknown)})
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    changed = {name: (getattr(organization, name), value) for name, value in changes.items()
               if getattr(organization, name) != value}
    if not changed:
        return []
    for name, (_old, value) in changed.items():
        setattr(organization, name, value)
    try:
        organization.full_clean(validate_unique=False)
    except ValidationError as exc:
        field, errors = next(iter(exc.message_dict.items()))
        raise Unprocessable(errors[0], code="invalid_organization", details={"field": field}) from exc
    organization.save(update_fields=list(changed))
    record("organization_settings_changed", actor=user, obj=organization,
           data={name: [str(old), str(new)] for name, (old, new) in changed.items()})
    return list(changed)

