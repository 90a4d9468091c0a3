"""Naming records officers: a page for organisation administrators (and the installation's).

Not an officer's page: who may see member records is decided by those who administer the
organisation, and they themselves see no member unless they also hold the role.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from vanthu.errors import VanThuError
from vanthu.organizations.access import (
    administered_orgs,
    administers_anything,
    people_of_administered_orgs,
)
from vanthu.ui.forms import apply_error
from vanthu.ui.shortcuts import page_errors

from . import access, actions
from .forms import OfficerForm
from .models import RecordsOfficer


@login_required
@never_cache
@page_errors
def officers(request: HttpRequest) -> HttpResponse:
    if not access.records_enabled() or not administers_anything(request.user):
        raise Http404
    orgs = administered_orgs(request.user).order_by("name")
    form = OfficerForm(request.POST or None, organizations=orgs)
    status = 200
    if request.method == "POST" and "revoke" in request.POST:
        officer = RecordsOfficer.objects.filter(pk=request.POST.get("revoke"), organization__in=orgs).select_related("user").first()
        if officer is None:
            raise Http404
        actions.revoke_records_role(officer, user=request.user)
        messages.success(request, _("Đã thôi giao vai trò quản lý hồ sơ đảng viên."))
        return redirect("membership:officers")
    if request.method == "POST" and form.is_valid():
        person = people_of_administered_orgs(request.user).filter(username=form.cleaned_data["username"]).first()
        if person is None:
            form.add_error("username", _("Không có người dùng này trong các tổ chức đồng chí quản trị."))
        else:
            try:
                actions.grant_records_role(user=request.user, person=person, organization=form.cleaned_data["organization"],
                                           kind=form.cleaned_data["kind"])
            except VanThuError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Đã giao vai trò quản lý hồ sơ đảng viên."))
                return redirect("membership:officers")
    if form.errors:
        status = 422
    rows = RecordsOfficer.objects.filter(organization__in=orgs).select_related("user", "organization").order_by("organization__name", "user__username")
    return render(request, "membership/officers.html", {"form": form, "rows": rows}, status=status)
