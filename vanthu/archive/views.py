"""The archive's pages: the year's file list, case files, handover, reading requests, disposal.

Each view fetches through `access.py`, calls one action and redirects (POST) or renders (GET);
an action's refusal is shown next to the form or as a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vanthu.accounts.models import User
from vanthu.documents.models import DocStatus, Document
from vanthu.errors import NotFound, VanThuError
from vanthu.organizations.access import has_role
from vanthu.organizations.session import needs_org
from vanthu.ui.forms import apply_error
from vanthu.ui.shortcuts import flash_error, page_errors, paginate

from . import access, actions, queries
from .forms import (
    DecideForm,
    DisposalForm,
    DocumentForm,
    EntryForm,
    HandoverForm,
    HeadingForm,
    RecordForm,
    RequestForm,
    YearForm,
)
from .models import (
    AccessRequest,
    CaseFile,
    CaseStatus,
    Disposal,
    Handover,
    HandoverStatus,
    RequestStatus,
)


def _people(org_id: int):
    return User.objects.filter(memberships__organization_id=org_id, is_active=True).distinct().order_by("full_name")


@login_required
@needs_org
def index(request: HttpRequest, org) -> HttpResponse:
    """The organisation's archive: its file lists by year, and what is due."""
    form = YearForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            fl = actions.create_file_list(user=request.user, organization=org, year=form.cleaned_data["year"])
            return redirect("archive:file_list", fl.id)
        except VanThuError as exc:
            apply_error(form, exc)
    today = timezone.localdate()
    closed = CaseFile.objects.of_organization(org.id).due_for_handover()
    return render(request, "archive/index.html", {
        "org": org, "lists": queries.file_lists(org.id), "form": form, "keeps": access.keeps_file_list(request.user, org.id),
        "due": closed.count(), "overdue": closed.filter(handover_due__lt=today).count(),
        "expired": CaseFile.objects.of_organization(org.id).past_retention().count(),
        "archivist": access.is_archivist(request.user, org.id),
        "pending": AccessRequest.objects.filter(organization_id=org.id, status=RequestStatus.PENDING).count(),
    }, status=422 if form.errors else 200)


@login_required
@page_errors
def file_list(request: HttpRequest, file_list_id: int, heading_form=None, entry_form=None, status: int = 200) -> HttpResponse:
    fl = access.get_file_list(request.user, file_list_id)
    headings = list(fl.headings.all())
    files = list(fl.case_files.with_related())
    keeps = access.keeps_file_list(request.user, fl.organization_id)
    groups = [(h, [c for c in files if c.heading_id == h.id]) for h in headings]
    loose = [c for c in files if c.heading_id is None]
    return render(request, "archive/file_list.html", {
        "fl": fl, "groups": groups, "loose": loose, "keeps": keeps,
        "heading_form": heading_form or HeadingForm(),
        "entry_form": entry_form or EntryForm(headings=headings, people=_people(fl.organization_id)),
    }, status=status)


@login_required
@require_POST
@page_errors
def add_heading(request: HttpRequest, file_list_id: int) -> HttpResponse:
    fl = access.get_file_list(request.user, file_list_id)
    form = HeadingForm(request.POST)
    if form.is_valid():
        try:
            actions.add_heading(fl, user=request.user, **form.cleaned_data)
            return redirect("archive:file_list", fl.id)
        except VanThuError as exc:
            apply_error(form, exc)
    return file_list(request, file_list_id, heading_form=form, status=422)


@login_required
@require_POST
@page_errors
def add_entry(request: HttpRequest, file_list_id: int) -> HttpResponse:
    fl = access.get_file_list(request.user, file_list_id)
    form = EntryForm(request.POST, headings=list(fl.headings.all()), people=_people(fl.organization_id))
    if form.is_valid():
        try:
            actions.add_entry(fl, user=request.user, **form.cleaned_data)
            return redirect("archive:file_list", fl.id)
        except VanThuError as exc:
            apply_error(form, exc)
    return file_list(request, file_list_id, entry_form=form, status=422)


@login_required
@page_errors
def case_file(request: HttpRequest, case_file_id: int, forms: dict | None = None, status: int = 200) -> HttpResponse:
    cf = access.get_case_file(request.user, case_file_id)
    readable = access.may_read_contents(request.user, cf)
    items = list(cf.items.select_related("document", "record").order_by("position", "id")) if readable else []
    may_file = access.may_file(request.user, cf)
    mine = AccessRequest.objects.filter(case_file=cf, requester=request.user).order_by("-requested_at")[:5]
    forms = forms or {}
    return render(request, "archive/case_file.html", {
        "cf": cf, "items": items, "readable": readable, "may_file": may_file,
        "may_reopen": may_file and has_role(request.user, cf.organization_id, "clerk", "leader"),
        "proposals": list(queries.proposals(cf)) if may_file and cf.status == CaseStatus.OPEN else [],
        "document_form": forms.get("document") or DocumentForm(), "record_form": forms.get("record") or RecordForm(),
        "request_form": forms.get("request") or RequestForm(), "my_requests": mine,
        "disposed": getattr(cf, "disposed", None) if cf.status == CaseStatus.DISPOSED else None,
    }, status=status)


STEPS = {"open": actions.open_case_file, "close": actions.close_case_file, "reopen": actions.reopen_case_file}


@login_required
@require_POST
@page_errors
def case_step(request: HttpRequest, case_file_id: int, step: str) -> HttpResponse:
    """open, close, reopen; document (file a document), record (upload), request (ask to read)."""
    cf = access.get_case_file(request.user, case_file_id)
    here = reverse("archive:case_file", args=[cf.id])
    if step in STEPS:
        try:
            STEPS[step](cf, user=request.user)
        except VanThuError as exc:
            flash_error(request, exc)
        return redirect(here)
    forms_by_step = {"document": DocumentForm, "record": RecordForm, "request": RequestForm}
    if step not in forms_by_step:
        raise NotFound(_("Không có thao tác này."))
    form = forms_by_step[step](request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if step == "document":
                actions.add_document(cf, user=request.user, document_id=data["document_id"])
            elif step == "record":
                upload = data["file"]
                actions.add_record(cf, user=request.user, name=upload.name, data=upload.read(), title=data["title"], dated=data["dated"])
            else:
                actions.request_access(cf, user=request.user, reason=data["reason"])
                messages.success(request, _("Đã gửi đề nghị khai thác tới lưu trữ."))
            return redirect(here)
        except VanThuError as exc:
            apply_error(form, exc)
    return case_file(request, case_file_id, forms={step: form}, status=422)


@login_required
@require_POST
@page_errors
def item_step(request: HttpRequest, case_file_id: int, item_id: int, step: str) -> HttpResponse:
    """remove, up, down."""
    cf = access.get_case_file(request.user, case_file_id)
    item = access.get_item(request.user, cf, item_id)
    try:
        if step == "remove":
            actions.remove_item(cf, user=request.user, item_id=item.id)
        elif step in ("up", "down"):
            ids = list(cf.items.order_by("position", "id").values_list("id", flat=True))
            i = ids.index(item.id)
            j = i - 1 if step == "up" else i + 1
            if 0 <= j < len(ids):
                ids[i], ids[j] = ids[j], ids[i]
                actions.order_items(cf, user=request.user, item_ids=ids)
        else:
            raise NotFound(_("Không có thao tác này."))
    except VanThuError as exc:
        if isinstance(exc, NotFound):
            raise
        flash_error(request, exc)
    return redirect("archive:case_file", cf.id)


@login_required
@needs_org
def unfiled(request: HttpRequest, org) -> HttpResponse:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 1945), 2200)
    return render(request, "archive/unfiled.html", {"org": org, "year": year, "page": paginate(request, queries.unfiled(org.id, year))})


@login_required
@needs_org
def handovers(request: HttpRequest, org) -> HttpResponse:
    """What is due and overdue, the handovers made, and the form to prepare one for a year."""
    today = timezone.localdate()
    due = list(CaseFile.objects.of_organization(org.id).due_for_handover().with_related().order_by("handover_due", "code"))
    years = sorted({c.file_list.year for c in due})
    try:
        year = int(request.POST.get("year") or request.GET.get("year") or (years[0] if years else today.year - 1))
    except ValueError:
        year = today.year - 1
    free = [c for c in due if c.file_list.year == year]
    form = HandoverForm(request.POST or None, files=free)
    if request.method == "POST" and form.is_valid():
        try:
            h = actions.prepare_handover(user=request.user, organization=org, year=year, case_file_ids=form.cleaned_data["case_file_ids"])
            return redirect("archive:handover", h.id)
        except VanThuError as exc:
            apply_error(form, exc)
    return render(request, "archive/handovers.html", {
        "org": org, "due": due, "today": today, "year": year, "years": years, "form": form,
        "may_hand_over": access.may_hand_over(request.user, org.id),
        "handovers": Handover.objects.filter(organization_id=org.id).prefetch_related("case_files")[:50],
    }, status=422 if form.errors else 200)


@login_required
@page_errors
def handover(request: HttpRequest, handover_id: int) -> HttpResponse:
    h = access.get_handover(request.user, handover_id)
    unit_turn = h.status == HandoverStatus.PREPARED and access.may_hand_over(request.user, h.organization_id)
    archive_turn = h.status == HandoverStatus.SIGNED_BY_UNIT and access.is_archivist(request.user, h.organization_id)
    return render(request, "archive/handover.html", {
        "h": h, "files": h.case_files.with_related(), "may_sign": unit_turn or archive_turn,
    })


@login_required
@require_POST
@page_errors
def sign(request: HttpRequest, handover_id: int) -> HttpResponse:
    h = access.get_handover(request.user, handover_id)
    try:
        actions.sign_handover(h, user=request.user)
        messages.success(request, _("Đã ký biên bản giao nhận."))
    except VanThuError as exc:
        flash_error(request, exc)
    return redirect("archive:handover", h.id)


@login_required
@needs_org
def requests(request: HttpRequest, org) -> HttpResponse:
    keeper = access.is_archivist(request.user, org.id)
    qs = AccessRequest.objects.filter(organization_id=org.id).select_related("case_file", "requester")
    if not keeper:
        qs = qs.filter(requester=request.user)
    return render(request, "archive/requests.html", {"org": org, "keeper": keeper, "page": paginate(request, qs), "form": DecideForm()})


@login_required
@require_POST
@page_errors
def decide(request: HttpRequest, request_id: int, decision: str) -> HttpResponse:
    req = access.get_access_request(request.user, request_id)
    form = DecideForm(request.POST)
    if decision not in ("approve", "refuse"):
        raise NotFound(_("Không có thao tác này."))
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("archive:requests")
    try:
        actions.decide_access(req, user=request.user, approve=decision == "approve", until=form.cleaned_data["until"],
                              note=form.cleaned_data["note"])
    except VanThuError as exc:
        flash_error(request, exc)
    return redirect("archive:requests")


@login_required
@needs_org
def disposal(request: HttpRequest, org) -> HttpResponse:
    expired = list(CaseFile.objects.of_organization(org.id).past_retention().with_related().order_by("retention_until", "code"))
    decisions = Document.objects.filter(issuer=org, status=DocStatus.ISSUED, doc_type__code="QĐ").order_by("-issued_at")[:50]
    form = DisposalForm(request.POST or None, decisions=decisions, files=expired)
    if request.method == "POST" and form.is_valid():
        try:
            actions.dispose(user=request.user, organization=org, **form.cleaned_data)
            messages.success(request, _("Đã hủy hồ sơ theo quyết định; biên bản hủy được lưu lại."))
            return redirect("archive:disposal")
        except VanThuError as exc:
            apply_error(form, exc)
    return render(request, "archive/disposal.html", {
        "org": org, "expired": expired, "form": form, "archivist": access.is_archivist(request.user, org.id),
        "disposals": Disposal.objects.filter(organization_id=org.id).select_related("decision").prefetch_related("files")[:50],
    }, status=422 if form.errors else 200)
