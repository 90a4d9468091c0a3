"""The member pages: the list (filters, paging for a hundred thousand members), the record, the
transfer flow, the Excel import with its errors per row, rankings and the statistics dashboard.

Each page fetches through `access.py` (404 for anyone but a records officer) and each look at
personal data is audited through `actions.audit_read`. Pages are never cached (`no-store`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from vanthu.documents.models import Document
from vanthu.errors import VanThuError
from vanthu.organizations.models import Organization
from vanthu.ui.forms import apply_error
from vanthu.ui.shortcuts import page_errors, paginate

from . import access, actions, importing, peer_transfers, rankings_import, statistics
from .forms import (
    ImportForm,
    MemberFilterForm,
    MemberForm,
    NewMemberForm,
    OrgChangeForm,
    PartyOrgForm,
    RankImportForm,
    RankingForm,
    RefuseForm,
    StatsForm,
    StatusForm,
    TermForm,
    TransferFilterForm,
    TransferForm,
)
from .models import (
    CommitteeTerm,
    Grade,
    IncomingStatus,
    IncomingTransfer,
    MemberRanking,
    MemberVersion,
    OrgChange,
    OrgRanking,
    PartyMember,
    PartyOrganization,
    Transfer,
    TransferStatus,
)
from .statistics import AGE_BANDS, CATEGORIES

PAGE_SIZE = 50


def officer_page(view: Callable) -> Callable:
    """Signed in, a records officer (else 404), errors as pages, never cached."""

    @login_required
    @never_cache
    @page_errors
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        access.require_officer(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def _reach_orgs(user):
    return Organization.objects.filter(id__in=access.records_org_ids(user)).order_by("name")


def _all_orgs():
    # This installation's organisations, and those a peer serves (a transfer there travels through the exchange).
    return Organization.objects.filter(is_active=True).filter(~Q(kind="external") | Q(at_peer=True)).order_by("name")


def _letters(user):
    """Letters a transfer to a peer's organisation may travel with: outgoing, not yet issued, to such an organisation."""
    return (Document.objects.filter(issuer_id__in=access.records_org_ids(user), status__in=actions.LETTER_STATES,
                                    recipients__at_peer=True).distinct().only("id", "subject").order_by("-id"))


@officer_page
def member_list(request: HttpRequest) -> HttpResponse:
    form = MemberFilterForm(request.GET or None, organizations=_reach_orgs(request.user))
    org_id, q, status = None, "", ""
    if form.is_valid():
        org = form.cleaned_data["organization"]
        org_id, q, status = (org.id if org else None), form.cleaned_data["name"], form.cleaned_data["status"]
    qs = PartyMember.objects.filter(organization_id__in=access.scope_ids(request.user, org_id)).search(q)
    if status:
        qs = qs.filter(status=status)
    page = paginate(request, qs.select_related("organization").only(
        "id", "full_name", "gender", "birth_date", "card_number", "admitted_on", "status", "organization__name"), PAGE_SIZE)
    actions.audit_read("party_members_listed", user=request.user,
                       data={"organization": org_id, "searched": bool(q), "page": page.number, "shown": len(page.object_list)})
    pending = Transfer.objects.filter(to_org_id__in=access.records_org_ids(request.user), status=TransferStatus.ISSUED).count()
    return render(request, "membership/list.html", {"form": form, "page": page, "pending_in": pending,
                                                    "export_query": urlencode({k: v for k, v in (("organization_id", org_id), ("q", q),
                                                                                                 ("status", status)) if v})})


def _history(versions) -> list[dict]:
    """Each version with its changes as a person reads them: the field's label and the value before."""
    fields = {f.name: f for f in PartyMember._meta.get_fields() if hasattr(f, "verbose_name")}
    org_ids = {pair[0] for v in versions for f, pair in v.changes.items() if f == "organization" and pair[0]}
    org_names = dict(Organization.objects.filter(id__in=org_ids).values_list("id", "name"))
    out = []
    for v in versions:
        before = []
        for name, (old, _new) in sorted(v.changes.items()):
            f = fields.get(name)
            label = str(f.verbose_name) if f else name
            if name == "organization":
                old = org_names.get(old, "")
            elif name == "id_number" and old:
                old = "*" * max(0, len(old) - 3) + old[-3:]
            elif f is not None and f.choices:
                old = str(dict(f.choices).get(old, old))
            elif f is not None and f.get_internal_type() == "DateField" and old:
                old = date.fromisoformat(old).strftime("%d/%m/%Y")
            before.append((label, old or "—"))
        out.append({"v": v, "before": before})
    return out


@officer_page
def member_detail(request: HttpRequest, member_id: int) -> HttpResponse:
    m = access.get_member(request.user, member_id)
    reveal = request.GET.get("reveal") == "1"
    actions.audit_read("party_member_id_revealed" if reveal else "party_member_viewed", user=request.user, member=m)
    versions = MemberVersion.objects.filter(member=m).select_related("changed_by", "organization").order_by("-valid_from", "-id")
    return render(request, "membership/detail.html", {
        "m": m, "reveal": reveal, "history": _history(list(versions)),
        "rankings": MemberRanking.objects.filter(member=m).order_by("-year"),
        "transfers": Transfer.objects.filter(member=m).select_related("from_org", "to_org"),
        "transfer_form": TransferForm(organizations=_all_orgs().exclude(id=m.organization_id), letters=_letters(request.user)[:100]),
        "status_form": StatusForm(initial={"on": timezone.localdate()}),
        "ranking_form": RankingForm(initial={"year": timezone.localdate().year - 1}),
    })


def _profile(form: MemberForm) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k != "organization"}


@officer_page
def member_new(request: HttpRequest) -> HttpResponse:
    form = NewMemberForm(request.POST or None, organizations=_reach_orgs(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            m = actions.create_member(user=request.user, organization=form.cleaned_data["organization"], values=_profile(form))
        except VanThuError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Đã ghi hồ sơ đảng viên."))
            return redirect("membership:detail", m.id)
    return render(request, "membership/form.html", {"form": form, "title": _("Thêm đảng viên")},
                  status=422 if form.errors else 200)


@officer_page
def member_edit(request: HttpRequest, member_id: int) -> HttpResponse:
    m = access.get_member(request.user, member_id)
    initial = {f: getattr(m, f) for f in MemberForm.base_fields}
    form = MemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = {k: v for k, v in _profile(form).items() if k in form.changed_data}
        try:
            actions.update_member(m, user=request.user, values=changed)
        except VanThuError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Đã lưu thay đổi; lịch sử hồ sơ giữ giá trị cũ."))
            return redirect("membership:detail", m.id)
    elif request.method != "POST":
        actions.audit_read("party_member_viewed", user=request.user, member=m, data={"for": "edit"})
    return render(request, "membership/form.html", {"form": form, "m": m, "title": _("Sửa hồ sơ đảng viên")},
                  status=422 if form.errors else 200)


def _detail_with_error(request: HttpRequest, m: PartyMember, exc: VanThuError) -> HttpResponse:
    messages.error(request, exc.message)
    return redirect("membership:detail", m.id)


@require_POST
@officer_page
def member_transfer(request: HttpRequest, member_id: int) -> HttpResponse:
    m = access.get_member(request.user, member_id)
    form = TransferForm(request.POST, organizations=_all_orgs(), letters=_letters(request.user))
    if not form.is_valid():
        messages.error(request, _("Hãy chọn tổ chức tiếp nhận."))
        return redirect("membership:detail", m.id)
    letter = form.cleaned_data.get("letter")
    try:
        actions.issue_transfer(m, user=request.user, to_organization_id=form.cleaned_data["to_organization"].id,
                               note=form.cleaned_data["note"], letter_id=letter.id if letter else None)
    except VanThuError as exc:
        return _detail_with_error(request, m, exc)
    messages.success(request, _("Đã giới thiệu chuyển sinh hoạt; đảng viên vẫn sinh hoạt tại đây đến khi tổ chức mới tiếp nhận."))
    return redirect("membership:detail", m.id)


@require_POST
@officer_page
def member_status(request: HttpRequest, member_id: int) -> HttpResponse:
    m = access.get_member(request.user, member_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tình trạng hoặc ngày không hợp lệ."))
        return redirect("membership:detail", m.id)
    try:
        actions.set_status(m, user=request.user, status=form.cleaned_data["status"], on=form.cleaned_data["on"])
    except VanThuError as exc:
        return _detail_with_error(request, m, exc)
    messages.success(request, _("Đã ghi tình trạng mới."))
    return redirect("membership:detail", m.id)


@require_POST
@officer_page
def member_rank(request: HttpRequest, member_id: int) -> HttpResponse:
    m = access.get_member(request.user, member_id)
    form = RankingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Năm hoặc mức xếp loại không hợp lệ."))
        return redirect("membership:detail", m.id)
    try:
        actions.rank_member(m, user=request.user, year=form.cleaned_data["year"], grade=form.cleaned_data["grade"])
    except VanThuError as exc:
        return _detail_with_error(request, m, exc)
    messages.success(request, _("Đã ghi kết quả xếp loại."))
    return redirect("membership:detail", m.id)


@officer_page
def transfers(request: HttpRequest) -> HttpResponse:
    reach = access.records_org_ids(request.user)
    form = TransferFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    qs = Transfer.objects.touching(reach).select_related("member", "from_org", "to_org")
    if status:
        qs = qs.filter(status=status)
    page = paginate(request, qs, PAGE_SIZE)
    # From other installations: those still waiting, for the receiving organisations' officers.
    incoming = list(IncomingTransfer.objects.filter(to_org_id__in=reach, status=IncomingStatus.WAITING)
                    .select_related("from_org", "to_org").order_by("received_at", "id")[:200])
    actions.audit_read("party_transfers_listed", user=request.user, data={"page": page.number})
    return render(request, "membership/transfers.html", {"form": form, "page": page, "reach": reach, "incoming": incoming})


@officer_page
def incoming(request: HttpRequest, incoming_id: int) -> HttpResponse:
    """A member transferred from another installation: the record as it came, to accept or refuse."""
    t = access.get_incoming(request.user, incoming_id)
    if request.method == "POST":
        form = RefuseForm(request.POST) if "refuse" in request.POST else None
        try:
            if form is None:
                peer_transfers.accept_incoming(t, user=request.user)
                messages.success(request, _("Đã tiếp nhận đảng viên; từ hôm nay đảng viên sinh hoạt tại tổ chức của đồng chí. "
                                            "Tổ chức gửi được báo qua liên thông."))
            elif form.is_valid():
                peer_transfers.refuse_incoming(t, user=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, _("Đã từ chối tiếp nhận; tổ chức gửi được báo lý do qua liên thông."))
            else:
                messages.error(request, _("Hãy ghi lý do từ chối."))
        except VanThuError as exc:
            if exc.status == 404:
                raise
            messages.error(request, exc.message)
        return redirect("membership:incoming", t.id)
    actions.audit_read("party_incoming_transfer_viewed", user=request.user, data={"incoming": t.id})
    labels = {f.name: f.verbose_name for f in PartyMember._meta.get_fields() if hasattr(f, "verbose_name")}
    choices = {f.name: dict(f.choices) for f in PartyMember._meta.get_fields() if getattr(f, "choices", None)}
    rows = []
    for name in peer_transfers.RECORD_FIELDS:
        value = t.masked_id_number if name == "id_number" else t.record.get(name)
        if name in choices:
            value = choices[name].get(value, value)
        elif name in actions.DATE_FIELDS and value:
            value = date.fromisoformat(value).strftime("%d/%m/%Y")
        rows.append((labels.get(name, name), value or "—"))
    return render(request, "membership/incoming.html", {"t": t, "rows": rows, "refuse_form": RefuseForm()})


@require_POST
@officer_page
def transfer_accept(request: HttpRequest, transfer_id: int) -> HttpResponse:
    try:
        actions.accept_transfer(access.get_transfer(request.user, transfer_id), user=request.user)
    except VanThuError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã tiếp nhận đảng viên; từ hôm nay đảng viên sinh hoạt tại tổ chức của đồng chí."))
    return redirect("membership:transfers")


@require_POST
@officer_page
def transfer_cancel(request: HttpRequest, transfer_id: int) -> HttpResponse:
    try:
        actions.cancel_transfer(access.get_transfer(request.user, transfer_id), user=request.user)
    except VanThuError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã hủy giấy chuyển sinh hoạt."))
    return redirect("membership:transfers")


@officer_page
def import_page(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    errors, outcome = [], None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = importing.import_members(form.cleaned_data["file"].read(), user=request.user,
                                               org_ids=access.records_org_ids(request.user), dry_run=form.cleaned_data["dry_run"])
        except importing.ImportRejected as exc:
            errors = exc.details["errors"]
            form.add_error(None, exc.message)
    return render(request, "membership/import.html", {"form": form, "errors": errors, "outcome": outcome, "columns": importing.COLUMNS},
                  status=422 if form.errors else 200)


@officer_page
def stats_page(request: HttpRequest) -> HttpResponse:
    form = StatsForm(request.GET or None, organizations=_reach_orgs(request.user))
    as_of, org_id = timezone.localdate(), None
    if form.is_valid():
        as_of = form.cleaned_data["as_of"] or as_of
        org_id = form.cleaned_data["organization"].id if form.cleaned_data["organization"] else None
    stats = statistics.compute(access.scope_ids(request.user, org_id), as_of)
    actions.audit_read("party_statistics_viewed", user=request.user, data={"organization": org_id})
    totals = stats.totals()
    total = totals.get("total", 0) or 1
    charts = []
    for name, choices in CATEGORIES.items():
        charts.append((str({"gender": _("Giới tính"), "qualification": _("Trình độ chuyên môn"), "theory_level": _("Lý luận chính trị")}[name]),
                       [(str(label), totals.get(f"{name}.{v}", 0), round(100 * totals.get(f"{name}.{v}", 0) / total)) for v, label in choices.choices]))
    charts.append((_("Độ tuổi"), [(str(label), totals.get(f"age.{k}", 0), round(100 * totals.get(f"age.{k}", 0) / total))
                                  for k, label, *_rest in AGE_BANDS]))
    charts.append((_("Dân tộc"), [(name, n, round(100 * n / total)) for name, n in list(stats.ethnicity().items())[:8]]))
    query = f"as_of={as_of.isoformat()}" + (f"&organization_id={org_id}" if org_id else "")
    return render(request, "membership/stats.html", {"form": form, "stats": stats, "totals": totals, "charts": charts, "as_of": as_of,
                                                     "export_query": query})


@officer_page
def rankings_page(request: HttpRequest) -> HttpResponse:
    """The year's distribution of grades; and the import of a year's grades from Excel."""
    try:
        year = int(request.GET.get("year", timezone.localdate().year - 1))
    except ValueError:
        year = timezone.localdate().year - 1
    year = min(max(year, 1930), timezone.localdate().year)
    form = RankImportForm(request.POST or None, request.FILES or None, initial={"year": year})
    errors, outcome, status = [], None, 200
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        try:
            outcome = rankings_import.import_rankings(form.cleaned_data["file"].read(), user=request.user,
                                                      org_ids=access.records_org_ids(request.user), year=year,
                                                      dry_run=form.cleaned_data["dry_run"])
        except importing.ImportRejected as exc:
            errors, status = exc.details["errors"], 422
            form.add_error(None, exc.message)
        except VanThuError as exc:
            apply_error(form, exc)
            status = exc.status
    elif form.errors:
        status = 422
    dist = statistics.ranking_distribution(access.records_org_ids(request.user), year)
    actions.audit_read("party_rankings_viewed", user=request.user, data={"year": year})
    labels = dict(Grade.choices)
    rows = [r for r in dist["rows"] if r["organization_grade"] or any(r["members"].values())]
    return render(request, "membership/rankings.html", {
        "dist": dist, "rows": rows, "year": year, "labels": labels, "grades": Grade.values, "form": form, "errors": errors,
        "outcome": outcome, "years": range(timezone.localdate().year, 2014, -1)}, status=status)


@officer_page
def organizations(request: HttpRequest) -> HttpResponse:
    """The party organisations in the person's reach: kind, founding, active members, last year's grade."""
    reach = access.records_org_ids(request.user)
    year = timezone.localdate().year - 1
    orgs = Organization.objects.filter(id__in=reach).select_related("party_record").annotate(
        active=Count("party_members", filter=Q(party_members__status="active"))).order_by("name")
    grades = dict(OrgRanking.objects.filter(organization_id__in=reach, year=year).values_list("organization_id", "grade"))
    labels = dict(Grade.choices)
    rows = [{"org": o, "record": getattr(o, "party_record", None), "grade": labels.get(grades.get(o.id))} for o in orgs]
    return render(request, "membership/organizations.html", {"rows": rows, "year": year})


@officer_page
def organization(request: HttpRequest, org_id: int) -> HttpResponse:
    org = access.get_managed_org(request.user, org_id)
    record = PartyOrganization.objects.filter(organization=org).first()
    forms = {
        "kind": PartyOrgForm(initial={"party_kind": record.party_kind, "founded_on": record.founded_on} if record else None),
        "term": TermForm(), "change": OrgChangeForm(organizations=_all_orgs().exclude(id=org.id)),
        "rank": RankingForm(initial={"year": timezone.localdate().year - 1}),
    }
    if request.method == "POST":
        which = request.POST.get("form", "")
        try:
            if which == "kind" and (f := PartyOrgForm(request.POST)).is_valid():
                actions.save_party_organization(org, user=request.user, party_kind=f.cleaned_data["party_kind"],
                                                founded_on=f.cleaned_data["founded_on"])
            elif which == "term" and (f := TermForm(request.POST)).is_valid():
                d = f.cleaned_data
                actions.add_committee_term(org, user=request.user, label=d["label"], start=d["start"], end=d["end"], seats=f.seats())
            elif which == "change" and (f := OrgChangeForm(request.POST, organizations=_all_orgs())).is_valid():
                d = f.cleaned_data
                actions.record_org_change(org, user=request.user, kind=d["kind"], on=d["on"], other=d["other"],
                                          decision=d["decision"], note=d["note"])
            elif which == "rank" and (f := RankingForm(request.POST)).is_valid():
                actions.rank_organization(org, user=request.user, year=f.cleaned_data["year"], grade=f.cleaned_data["grade"])
            else:
                f = {"kind": PartyOrgForm, "term": TermForm, "rank": RankingForm}.get(which, OrgChangeForm)
                bound = f(request.POST, organizations=_all_orgs()) if f is OrgChangeForm else f(request.POST)
                bound.is_valid()
                forms[which if which in forms else "change"] = bound
                messages.error(request, _("Thông tin chưa hợp lệ, xem các ô được đánh dấu."))
                return _organization_page(request, org, forms, status=422)
        except VanThuError as exc:
            if exc.status == 404:
                raise
            messages.error(request, exc.message)
            return _organization_page(request, org, forms, status=exc.status)
        messages.success(request, _("Đã ghi."))
        return redirect("membership:organization", org.id)
    return _organization_page(request, org, forms)


def _organization_page(request: HttpRequest, org: Organization, forms: dict, status: int = 200) -> HttpResponse:
    return render(request, "membership/organization.html", {
        "org": org, "record": PartyOrganization.objects.filter(organization=org).first(), "forms": forms,
        "terms": CommitteeTerm.objects.filter(organization=org).prefetch_related("seats"),
        "changes": OrgChange.objects.filter(organization=org).select_related("other"),
        "rankings": OrgRanking.objects.filter(organization=org).order_by("-year"),
        "active": PartyMember.objects.filter(organization=org, status="active").count(),
    }, status=status)
