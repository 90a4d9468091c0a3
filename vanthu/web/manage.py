"""An organisation's administration in VanThu's own pages (not the stock Django admin): its
people, their roles, who signs for it (issue 16 §20), and its own settings.

The pages only ask and show; the rules and the audit entries live in the actions they call
(`accounts.administration`, `documents.signatories`), whose reach is `organizations.access`: an
administrator sees and changes their organisations and the subtree, and the people who belong
wholly there; anyone or anything else is not found (404).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from vanthu.accounts import actions as account_actions
from vanthu.accounts import administration
from vanthu.accounts.access import get_administered_person
from vanthu.accounts.security import has_two_factor
from vanthu.documents import signatories
from vanthu.documents.models import SigningForm
from vanthu.errors import VanThuError
from vanthu.organizations.access import administered_orgs, administered_people, administers_anything
from vanthu.organizations.models import Membership, Organization, Role
from vanthu.text import LineField, without_refused
from vanthu.ui.forms import VnDateField, apply_error
from vanthu.ui.shortcuts import page_errors, paginate


def _admin_page(view):
    """Signed in, and administering something; everyone else gets the 404 page."""

    @login_required
    @never_cache
    @page_errors
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not administers_anything(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


class OrgChoiceField(forms.ModelChoiceField):
    default_error_messages = {"invalid_choice": gettext_lazy("Hãy chọn một tổ chức bạn quản trị.")}

    def label_from_instance(self, obj) -> str:
        return obj.name


class PersonForm(forms.Form):
    full_name = LineField(label=gettext_lazy("Họ và tên"), max_length=150)
    username = LineField(label=gettext_lazy("Tên đăng nhập"), max_length=150,
                         help_text=gettext_lazy("Chữ không dấu, chữ số và . @ + - _, ví dụ nguyenvanan."))
    email = LineField(label=gettext_lazy("Thư điện tử"), max_length=254, required=False)
    organization = OrgChoiceField(label=gettext_lazy("Tổ chức"), queryset=None, empty_label=None)
    roles = forms.MultipleChoiceField(label=gettext_lazy("Vai trò"), choices=Role.choices,
                                      widget=forms.CheckboxSelectMultiple)
    position = LineField(label=gettext_lazy("Chức vụ"), max_length=128, required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = administered_orgs(user).filter(is_active=True).order_by("name")


class RolesForm(forms.Form):
    organization = OrgChoiceField(label=gettext_lazy("Tổ chức"), queryset=None, empty_label=None)
    roles = forms.MultipleChoiceField(label=gettext_lazy("Vai trò"), choices=Role.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    position = LineField(label=gettext_lazy("Chức vụ"), max_length=128, required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = administered_orgs(user).filter(is_active=True).order_by("name")


class SignatoryForm(forms.Form):
    organization = OrgChoiceField(label=gettext_lazy("Tổ chức"), queryset=None, empty_label=None)
    person = forms.ModelChoiceField(label=gettext_lazy("Người ký"), queryset=None, empty_label=None)
    form = forms.ChoiceField(label=gettext_lazy("Hình thức ký"), choices=SigningForm.choices, required=False)
    on_behalf_of = LineField(label=gettext_lazy("Thay mặt, ký thay cho"), max_length=96, required=False,
                             help_text=gettext_lazy("Ví dụ BAN THƯỜNG VỤ (T/M) hoặc BÍ THƯ (K/T)."))
    position = LineField(label=gettext_lazy("Chức vụ"), max_length=128, required=False,
                         help_text=gettext_lazy("In dưới chữ ký, ví dụ PHÓ BÍ THƯ."))
    valid_from = VnDateField(label=gettext_lazy("Có thẩm quyền từ ngày"), required=False)
    valid_to = VnDateField(label=gettext_lazy("Đến ngày"), required=False,
                           help_text=gettext_lazy("Bỏ trống nếu chưa biết ngày kết thúc."))
    sort_order = forms.IntegerField(label=gettext_lazy("Thứ tự trong danh sách"), min_value=0, max_value=999, initial=10)
    is_active = forms.BooleanField(label=gettext_lazy("Đang có thẩm quyền ký"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        orgs = administered_orgs(user).filter(is_active=True).order_by("name")
        self.fields["organization"].queryset = orgs
        # Leaders of the organisations administered; the action checks the pair (leader of *that* one).
        leaders = Membership.objects.filter(organization__in=orgs, role=Role.LEADER, user__is_active=True)
        self.fields["person"].queryset = get_user_model().objects.filter(
            id__in=leaders.values("user_id")).order_by("full_name", "username")
        self.fields["person"].label_from_instance = lambda u: f"{u.get_full_name()} ({u.username})"


# --- people -----------------------------------------------------------------------------------

@_admin_page
def people(request: HttpRequest) -> HttpResponse:
    """The people the administrator administers, with their roles (one query for all the roles)."""
    q = without_refused(request.GET.get("q", "")).strip()[:100]
    qs = administered_people(request.user)
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q) | Q(email__icontains=q))
    roles = Membership.objects.select_related("organization").order_by("organization__name", "role")
    qs = qs.prefetch_related(Prefetch("memberships", queryset=roles)).order_by("full_name", "username")
    return render(request, "accounts/manage/people.html", {"page": paginate(request, qs), "q": q})


@_admin_page
def person_new(request: HttpRequest) -> HttpResponse:
    form = PersonForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            person, temporary = administration.create_person(
                user=request.user, organization=d["organization"], username=d["username"], full_name=d["full_name"],
                email=d["email"], roles=d["roles"], position=d["position"])
        except VanThuError as exc:
            apply_error(form, exc)
        else:
            return render(request, "accounts/manage/temporary_password.html",
                          {"person": person, "temporary": temporary, "created": True})
    return render(request, "accounts/manage/person_new.html", {"form": form})


@_admin_page
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    """One person: their roles here (change them), their account (lock, new password, two-factor)."""
    target = get_administered_person(request.user, person_id)
    memberships = list(Membership.objects.filter(user=target).select_related("organization")
                       .order_by("organization__name", "role"))
    # The form opens on the person's first organisation, its boxes ticked as they are now.
    initial = {}
    if memberships:
        first = memberships[0].organization
        here = [m for m in memberships if m.organization_id == first.id]
        initial = {"organization": first, "roles": [m.role for m in here], "position": here[0].position}
    form = RolesForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            administration.set_roles(user=request.user, target=target, organization=d["organization"],
                                     roles=d["roles"], position=d["position"])
        except VanThuError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Đã lưu vai trò của %(name)s.") % {"name": target.get_full_name()})
            return redirect("manage:person", person_id=target.pk)
    return render(request, "accounts/manage/person.html", {
        "person": target, "memberships": memberships, "form": form,
        "has_two_factor": has_two_factor(target),
    })


@_admin_page
@require_POST
def person_active(request: HttpRequest, person_id: int) -> HttpResponse:
    target = get_administered_person(request.user, person_id)
    active = request.POST.get("active") == "1"
    try:
        administration.set_active(user=request.user, target=target, active=active)
    except VanThuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, (_("Đã mở lại tài khoản của %(name)s.") if active else
                                   _("Đã khóa tài khoản của %(name)s: mọi phiên đăng nhập và mã truy cập API đã hết hiệu lực."))
                         % {"name": target.get_full_name()})
    return redirect("manage:person", person_id=target.pk)


@_admin_page
@require_POST
def person_password(request: HttpRequest, person_id: int) -> HttpResponse:
    target = get_administered_person(request.user, person_id)
    temporary = administration.reset_password(user=request.user, target=target)
    return render(request, "accounts/manage/temporary_password.html", {"person": target, "temporary": temporary})


@_admin_page
@require_POST
def person_two_factor(request: HttpRequest, person_id: int) -> HttpResponse:
    target = get_administered_person(request.user, person_id)
    account_actions.reset_two_factor(user=request.user, target=target)
    messages.success(request, _("Đã đặt lại xác thực hai lớp của %(name)s: lần đăng nhập sau, người này cài đặt lại.")
                     % {"name": target.get_full_name()})
    return redirect("manage:person", person_id=target.pk)


# --- signing authority ------------------------------------------------------------------------

@_admin_page
def signatory_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/manage/signatories.html", {"rows": signatories.administered_signatories(request.user)})


def _signatory_form_page(request: HttpRequest, row=None) -> HttpResponse:
    initial = {}
    if row is not None:
        initial = {"organization": row.organization, "person": row.user, "form": row.form, "on_behalf_of": row.on_behalf_of,
                   "position": row.position, "sort_order": row.sort_order, "is_active": row.is_active,
                   "valid_from": row.valid_from, "valid_to": row.valid_to}
    form = SignatoryForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            signatories.save_signatory(
                user=request.user, organization=d["organization"], person=d["person"], form=d["form"] or "",
                on_behalf_of=d["on_behalf_of"], position=d["position"], is_active=d["is_active"],
                sort_order=d["sort_order"], valid_from=d["valid_from"], valid_to=d["valid_to"], signatory=row)
        except VanThuError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Đã lưu thẩm quyền ký."))
            return redirect("manage:signatories")
    return render(request, "accounts/manage/signatory.html", {"form": form, "row": row})


@_admin_page
def signatory_new(request: HttpRequest) -> HttpResponse:
    return _signatory_form_page(request)


@_admin_page
def signatory_edit(request: HttpRequest, signatory_id: int) -> HttpResponse:
    return _signatory_form_page(request, signatories.get_administered_signatory(request.user, signatory_id))


# --- the organisation's own settings ----------------------------------------------------------

class OrganizationSettingsForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = administration.ORGANIZATION_SETTINGS
        field_classes = {"term_start": VnDateField, "term_end": VnDateField}  # the one date box


@_admin_page
def organization_list(request: HttpRequest) -> HttpResponse:
    rows = administered_orgs(request.user).select_related("parent").order_by("name")
    return render(request, "accounts/manage/organizations.html", {"page": paginate(request, rows)})


@_admin_page
def organization(request: HttpRequest, org_id: int) -> HttpResponse:
    org = administered_orgs(request.user).filter(pk=org_id).first()
    if org is None:
        raise Http404
    form = OrganizationSettingsForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            administration.update_organization(user=request.user, organization=org, **{
                name: form.cleaned_data[name] for name in administration.ORGANIZATION_SETTINGS})
        except VanThuError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Đã lưu thông tin tổ chức."))
            return redirect("manage:organizations")
    return render(request, "accounts/manage/organization.html", {"form": form, "org": org})

