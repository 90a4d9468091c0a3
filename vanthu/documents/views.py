"""The document pages: inbox, outgoing list, one document, compose, registers, paper documents.

Views validate the form, fetch through access.py, call one action, render. Errors from actions
are shown next to the field they name (forms.apply_error) or as a message.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vanthu.errors import NotAllowed, NotFound, VanThuError
from vanthu.organizations.access import has_role, member_org_ids
from vanthu.organizations.models import Membership, Organization, Role
from vanthu.organizations.session import needs_org
from vanthu.ui.forms import apply_error
from vanthu.ui.shortcuts import (
    flash_error,
    is_partial,
    page_errors,
    paginate,
    vary_on_htmx,
)

from . import access, actions, registers, sharing
from . import delegations as delegation_actions
from .deliveries import timeline
from .forms import (
    ApproveForm,
    ComposeForm,
    DelegationForm,
    InboxFilterForm,
    OutgoingFilterForm,
    PaperForm,
    RegisterFilterForm,
    RejectForm,
    ReturnForm,
)
from .history import drafting_history
from .models import (
    Delivery,
    DeliveryEvent,
    DocStatus,
    Document,
    SharePurpose,
    Signatory,
    StatusCode,
)

DRAFTING = (Role.CLERK, Role.LEADER, Role.SPECIALIST)


# --- inbox ---------------------------------------------------------------------------------------

def _inbox_rows(user, org: Organization, form: InboxFilterForm):
    # Need to know: a specialist's inbox holds only what was assigned to or shared with them.
    qs = access.deliveries_seen_in(user, org.id).with_document()
    if form.is_valid():
        f = form.cleaned_data
        if f["status"]:
            qs = qs.filter(status_code=f["status"])
        if f["urgency"]:
            qs = qs.filter(document__urgency=f["urgency"])
        if f["doc_type"]:
            qs = qs.filter(document__doc_type__code=f["doc_type"])
        if f["sender"]:
            s = f["sender"].strip()
            qs = qs.filter(Q(document__issuer__name__icontains=s) | Q(document__issuer__short_name__icontains=s)
                           | Q(document__external_issuer_name__icontains=s))
        if f["date_from"]:
            qs = qs.filter(arrived_at__date__gte=f["date_from"])
        if f["date_to"]:
            qs = qs.filter(arrived_at__date__lte=f["date_to"])
    return qs.newest_first()


@login_required
@needs_org
def inbox(request: HttpRequest, org: Organization) -> HttpResponse:
    """The organisation's incoming documents; filters update the list in place (and the URL)."""
    form = InboxFilterForm(request.GET or None)
    page = paginate(request, _inbox_rows(request.user, org, form))
    ctx = {"form": form, "page": page, "can_accept": access.may_accept_for(request.user, org.id),
           "can_assign": has_role(request.user, org.id, Role.LEADER)}
    template = "documents/_inbox_results.html" if is_partial(request) else "documents/inbox.html"
    return vary_on_htmx(render(request, template, ctx))


def _row(request: HttpRequest, delivery_id: int, **extra) -> HttpResponse:
    d = access.get_delivery(request.user, delivery_id)
    return render(request, "documents/_inbox_row.html", {
        "d": d, "can_accept": access.may_accept_for(request.user, d.recipient_id),
        "can_assign": has_role(request.user, d.recipient_id, Role.LEADER), **extra,
    })


@login_required
@require_POST
@page_errors
def accept(request: HttpRequest, delivery_id: int) -> HttpResponse:
    d = access.get_delivery(request.user, delivery_id)
    try:
        d = actions.accept_delivery(d, user=request.user)
    except VanThuError as exc:
        if isinstance(exc, NotFound | NotAllowed):
            raise
        if is_partial(request):
            return _row(request, delivery_id, error=exc.message)
        flash_error(request, exc)
        return redirect("documents:inbox")
    if is_partial(request):
        return _row(request, delivery_id, notice=_("Đã tiếp nhận, số đến %(n)s.") % {"n": d.incoming_number})
    messages.success(request, _("Đã tiếp nhận, số đến %(n)s.") % {"n": d.incoming_number})
    return redirect("documents:document", d.document_id)


# One press of the button: enough for a morning's arrivals, and a bounded request.
MAX_BULK = 100


@login_required
@needs_org
@require_POST
@page_errors
def accept_many(request: HttpRequest, org: Organization) -> HttpResponse:
    """The clerk ticks several arrivals in the inbox and accepts them with one button (no JS):
    each is accepted on its own, and the page says which were and which were not, and why."""
    ids = sorted({int(i) for i in request.POST.getlist("ids") if i.isdigit()})
    chosen = access.arrivals_to_accept(request.user, org.id, ids)  # the rule first (lazy: read below)
    if not ids:
        messages.error(request, _("Chưa chọn văn bản nào để tiếp nhận."))
        return redirect("documents:inbox")
    if len(ids) > MAX_BULK:
        messages.error(request, _("Mỗi lần tiếp nhận tối đa %(n)s văn bản.") % {"n": MAX_BULK})
        return redirect("documents:inbox")
    # Only this organisation's deliveries: others (or ids made up) are simply not found.
    found = list(chosen)
    result = actions.accept_deliveries(found, user=request.user)
    missing = len(ids) - len(found)
    if result.accepted:
        messages.success(request, _("Đã tiếp nhận %(count)s văn bản: %(list)s.") % {
            "count": len(result.accepted),
            "list": "; ".join(_("số đến %(n)s – %(symbol)s") % {"n": d.incoming_number, "symbol": d.document.symbol or d.document.subject[:40]}
                              for d in result.accepted)})
    for d, exc in result.failed:
        messages.error(request, _("Không tiếp nhận %(symbol)s: %(why)s") % {"symbol": d.document.symbol or d.document.subject[:40], "why": exc.message})
    if missing:
        messages.error(request, _("%(n)s văn bản không tìm thấy trong văn bản đến của đơn vị.") % {"n": missing})
    return redirect("documents:inbox")


@login_required
@page_errors
def reject(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """The reason form, in place of the inbox row (htmx) or as its own page."""
    d = access.get_delivery(request.user, delivery_id)
    form = RejectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.reject_delivery(d, user=request.user, reason=form.cleaned_data["reason"])
        except (NotFound, NotAllowed):
            raise
        except VanThuError as exc:
            apply_error(form, exc)
        else:
            if is_partial(request):
                return _row(request, delivery_id, notice=_("Đã từ chối tiếp nhận."))
            messages.success(request, _("Đã từ chối tiếp nhận văn bản."))
            return redirect("documents:inbox")
    if is_partial(request):
        return render(request, "documents/_reject_row.html", {"d": d, "form": form})
    return render(request, "documents/reject.html", {"d": d, "form": form})


@login_required
@page_errors
def inbox_row(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """One inbox row again (the reject form's Cancel)."""
    return _row(request, delivery_id)


# --- outgoing ------------------------------------------------------------------------------------

@login_required
@needs_org
def outgoing(request: HttpRequest, org: Organization) -> HttpResponse:
    form = OutgoingFilterForm(request.GET or None)
    # Only the acting organisation's documents, so only its own failures are ever marked.
    # Need to know: a specialist's outgoing list holds only their drafts and what was shared with them.
    qs = (access.documents_seen_in(request.user, org.id).exclude(status=DocStatus.EXTERNAL)
          .select_related("doc_type", "created_by").with_send_failed())
    queue = False
    if form.is_valid():
        if form.cleaned_data["status"]:
            qs = qs.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["mine"]:
            qs = qs.filter(created_by=request.user)
        if form.cleaned_data["failed"]:
            qs = qs.not_delivered()
        # The leaders' queue: the most urgent first, then the oldest submission, with who submitted it.
        queue = form.cleaned_data["status"] == DocStatus.SUBMITTED
    page = paginate(request, qs.approval_queue() if queue else qs.order_by("-created_at", "-id"))
    template = "documents/_outgoing_results.html" if is_partial(request) else "documents/outgoing.html"
    return vary_on_htmx(render(request, template, {"form": form, "page": page, "queue": queue}))


def org_tree(exclude_id: int) -> list[dict]:
    """Every active organisation, depth-first from the roots, with its depth (one query)."""
    orgs = list(Organization.objects.active().only("id", "name", "short_name", "kind", "parent_id").order_by("name"))
    children: dict[int | None, list[Organization]] = {}
    ids = {o.id for o in orgs}
    for o in orgs:
        parent = o.parent_id if o.parent_id in ids else None
        children.setdefault(parent, []).append(o)
    out: list[dict] = []

    def walk(parent: int | None, depth: int) -> None:
        for o in children.get(parent, []):
            if o.id != exclude_id:
                out.append({"org": o, "depth": depth})
            walk(o.id, depth + 1)

    walk(None, 0)
    return out


@login_required
@needs_org
@page_errors
def compose(request: HttpRequest, org: Organization) -> HttpResponse:
    """Draft an outgoing document: the PDF, its metadata and its recipients."""
    if not has_role(request.user, org.id, *DRAFTING):
        raise NotAllowed(_("Bạn không có quyền soạn văn bản của đơn vị này."))
    tree = org_tree(org.id)
    form = ComposeForm(request.POST or None, request.FILES or None, organizations=[t["org"] for t in tree], issuer=org)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data
        try:
            doc = actions.create_draft(
                user=request.user, organization=org, doc_type=f["doc_type"], subject=f["subject"],
                urgency=f["urgency"], confidentiality=f["confidentiality"], recipient_ids=f["all_recipient_ids"], signatory_id=f["signatory"],
                due_date=f["due_date"], main_file=actions.Upload.of(f["file"]),
                attachments=[actions.Upload.of(a) for a in f["attachments"]],
            )
        except VanThuError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Đã lưu dự thảo. Kiểm tra lại rồi bấm “Trình duyệt”."))
            return redirect("documents:document", doc.id)
    selected = {int(i) for i in form["recipient_ids"].value() or [] if str(i).isdigit()}
    return render(request, "documents/compose.html", {"form": form, "tree": tree, "selected": selected})


@login_required
@page_errors
def edit(request: HttpRequest, document_id: int) -> HttpResponse:
    """The drafter edits a draft (new or returned): the compose form, filled in; files optional."""
    doc = access.get_document(request.user, document_id)
    org = doc.issuer
    if org is None or doc.status != DocStatus.DRAFT or doc.created_by_id != request.user.id:
        raise NotAllowed(_("Chỉ người soạn mới được sửa dự thảo."))
    tree = org_tree(org.id)
    initial = {"doc_type": doc.doc_type.code, "subject": doc.subject, "urgency": doc.urgency, "confidentiality": doc.confidentiality,
               "due_date": doc.due_date, "signatory": doc.signatory_id}
    form = ComposeForm(request.POST or None, request.FILES or None, organizations=[t["org"] for t in tree], issuer=org, initial=initial)
    form.fields["file"].required = False
    form.fields["file"].help_text = _("Để trống nếu giữ tệp hiện có.")
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data
        try:
            actions.update_draft(
                doc, user=request.user, doc_type=f["doc_type"], subject=f["subject"], urgency=f["urgency"],
                confidentiality=f["confidentiality"], recipient_ids=f["all_recipient_ids"], signatory_id=f["signatory"],
                due_date=f["due_date"], main_file=actions.Upload.of(f["file"]), attachments=[actions.Upload.of(a) for a in f["attachments"]],
            )
        except (NotFound, NotAllowed):
            raise
        except VanThuError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Đã lưu dự thảo. Kiểm tra lại rồi bấm “Trình duyệt”."))
            return redirect("documents:document", doc.id)
    if request.method == "POST":
        selected = {int(i) for i in form["recipient_ids"].value() or [] if str(i).isdigit()}
    else:
        selected = set(doc.recipients.values_list("id", flat=True))
    return render(request, "documents/compose.html", {"form": form, "tree": tree, "selected": selected, "doc": doc})


# --- one document --------------------------------------------------------------------------------

def _events() -> Prefetch:
    return Prefetch("events", queryset=DeliveryEvent.objects.order_by("at", "id"))


@login_required
@page_errors
def document(request: HttpRequest, document_id: int) -> HttpResponse:
    """Everything about one document that this person may see, and what they may do now."""
    doc = access.get_document(request.user, document_id, mark_handed_over=True)
    orgs = member_org_ids(request.user)
    # The issuer's view (every recipient's row) for those who see the document as its issuer does.
    is_sender = access.sees_as_issuer(request.user, doc)
    files = list(doc.files.select_related("file").order_by("position"))
    deliveries = list(access.visible_deliveries(request.user, doc).select_related("reply_document")
                      .annotate(handed_over=access.handed_over_here("recipient_id", "document_id"))
                      .prefetch_related(_events()).order_by("recipient__name"))
    mine = [d for d in deliveries if d.recipient_id in orgs]
    # Handed over to the archive in an organisation through which the person reads it (as its
    # archivist, or by request): there it is read-only, and the page offers nothing that changes it.
    read_only_orgs = {d.recipient_id for d in mine if d.handed_over}
    if doc.handed_over_by_issuer and doc.issuer_id in orgs:
        read_only_orgs.add(doc.issuer_id)
    issuer_read_only = doc.issuer_id in read_only_orgs
    reply_ids = {d.reply_document_id for d in deliveries if d.reply_document_id and d.recipient_id not in orgs}
    visible_replies = set(access.visible_documents(request.user, document_id=sorted(reply_ids)).values_list("id", flat=True)) if reply_ids else set()
    for d in deliveries:
        # The recipient reads its own history whole; the sender, without the recipient's private notes.
        d.own_steps = timeline(d.events.all(), for_sender=False) if d.recipient_id in orgs else []
        d.sender_steps = timeline(d.events.all(), for_sender=True) if is_sender else []
        d.result_note = next((st["note"] for st in reversed(d.sender_steps) if st["status_code"] == StatusCode.DONE), "")
        # A reply document is linked only for someone who may open it.
        d.reply_visible = bool(d.reply_document_id) and (d.recipient_id in orgs or d.reply_document_id in visible_replies)
    handling = [{
        "d": d, "read_only": d.handed_over,
        "can_accept": not d.handed_over and d.status_code == StatusCode.ARRIVED and access.may_accept_for(request.user, d.recipient_id),
    } for d in mine]
    issuer_roles = {r for r in (Role.CLERK, Role.LEADER, Role.SPECIALIST)
                    if is_sender and not issuer_read_only and has_role(request.user, doc.issuer_id, r)}
    # The chosen leader named this person their deputy for today: they stand in by that delegation.
    delegated = (delegation_actions.active_delegation(doc, request.user)
                 if doc.status == DocStatus.SUBMITTED and Role.LEADER in issuer_roles else None)
    ctx = {
        # The file that counts: the signed version when there is one, else the upload.
        "doc": doc, "files": files,
        "main_file": next((f for f in files if f.id == doc.authoritative_file_id), None) or next((f for f in files if f.role == "main"), None),
        "original_file": next((f for f in files if f.role == "main"), None) if doc.authoritative_file_id else None,
        "attachments": [f for f in files if f.role == "attachment"], "is_sender": is_sender,
        "deliveries": deliveries if is_sender else [], "handling": handling,
        "recipients": list(doc.recipients.order_by("name")) if is_sender and doc.status != DocStatus.ISSUED else [],
        "can_submit": doc.status == DocStatus.DRAFT and bool(issuer_roles),
        "can_edit": doc.status == DocStatus.DRAFT and bool(issuer_roles) and doc.created_by_id == request.user.id,
        # Only the leader chosen to sign approves; another signatory may stand in (recorded).
        "can_approve": doc.status == DocStatus.SUBMITTED and Role.LEADER in issuer_roles and doc.signer_id in (None, request.user.id),
        "can_stand_in": (doc.status == DocStatus.SUBMITTED and Role.LEADER in issuer_roles and doc.signer_id not in (None, request.user.id)
                         and (delegated is not None or Signatory.objects.of_organization(doc.issuer_id).filter(user=request.user).exists())),
        "delegated": delegated,
        "can_return": doc.status == DocStatus.SUBMITTED and Role.LEADER in issuer_roles,
        "can_issue": doc.status in (DocStatus.APPROVED, DocStatus.ISSUING) and Role.CLERK in issuer_roles,
        "return_form": ReturnForm(), "approve_form": ApproveForm(auto_id="approve_%s"),
        "done_count": sum(1 for d in deliveries if d.status_code == StatusCode.DONE),
        # The incoming documents this one answers (văn bản trả lời), among those this person may see.
        "answers": list(Delivery.objects.filter(reply_document=doc, document__in=access.visible_documents(
            request.user, document_id=Delivery.objects.filter(reply_document=doc).values("document_id")))
                        .select_related("document").order_by("incoming_number", "id")) if doc.issuer_id else [],
        "history": drafting_history(doc) if is_sender else [],
        "status_counts": sorted(Counter(d.status_code for d in deliveries).items()),
        "read_only": bool(read_only_orgs), "issuer_read_only": issuer_read_only,
    }
    ctx.update(_share_context(request.user, doc, read_only_orgs))
    return render(request, "documents/document.html", ctx)


def _share_context(user, doc: Document, read_only_orgs: set[int] = frozenset()) -> dict:
    """Who the document is shared with, and with whom this person may share it (need to know);
    not through an organisation that handed it over to its archive (read-only there)."""
    org_ids = [o for o in access.share_orgs(user, doc) if o not in read_only_orgs]
    if not org_ids:
        return {"may_share": False}
    shares = list(sharing.shares_of(user, doc))
    taken = {(s.organization_id, s.user_id) for s in shares}
    people = (Membership.objects.filter(organization_id__in=org_ids, organization__is_active=True, user__is_active=True)
              .exclude(user=user).select_related("user", "organization").order_by("organization__name", "user__full_name", "user_id"))
    choices, seen = [], set()
    for m in people:
        key = (m.organization_id, m.user_id)
        if key in seen or key in taken:
            continue
        seen.add(key)
        label = m.user.get_full_name() or m.user.get_username()
        choices.append((f"{m.organization_id}:{m.user_id}", f"{label} — {m.organization.short_name}" if len(org_ids) > 1 else label))
    return {"may_share": True, "shares": shares, "share_choices": choices, "share_purposes": SharePurpose.choices}


@login_required
@require_POST
@page_errors
def share(request: HttpRequest, document_id: int) -> HttpResponse:
    """Share the document with a colleague (the document page's form)."""
    doc = access.get_document(request.user, document_id)
    org_id, _sep, person_id = request.POST.get("person", "").partition(":")
    if not (org_id.isdigit() and person_id.isdigit()):
        messages.error(request, _("Hãy chọn người được chia sẻ."))
        return redirect("documents:document", doc.id)
    try:
        s = sharing.share_document(doc, user=request.user, person_id=int(person_id), organization_id=int(org_id),
                                   purpose=request.POST.get("purpose") or SharePurpose.READ, note=request.POST.get("note", ""))
    except (NotFound, NotAllowed):
        raise
    except VanThuError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("Đã chia sẻ văn bản với đồng chí %(name)s.") % {"name": s.user.get_full_name() or s.user.get_username()})
    return redirect("documents:document", doc.id)


@login_required
@require_POST
@page_errors
def withdraw_share(request: HttpRequest, document_id: int, share_id: int) -> HttpResponse:
    doc = access.get_document(request.user, document_id)
    found = sharing.shares_of(request.user, doc).filter(id=share_id).first()
    if found is None:
        raise NotFound(_("Không tìm thấy lượt chia sẻ."), code="share_not_found")
    sharing.withdraw_share(found, user=request.user)
    messages.success(request, _("Đã thôi chia sẻ văn bản."))
    return redirect("documents:document", doc.id)


def _transition(request: HttpRequest, document_id: int, run, success: str) -> HttpResponse:
    doc = access.get_document(request.user, document_id)
    try:
        run(doc)
    except (NotFound, NotAllowed):
        raise
    except VanThuError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, success)
    return redirect("documents:document", doc.id)


@login_required
@require_POST
@page_errors
def submit(request: HttpRequest, document_id: int) -> HttpResponse:
    return _transition(request, document_id, lambda d: actions.submit_document(d, user=request.user),
                       _("Đã trình lãnh đạo duyệt."))


@login_required
@require_POST
@page_errors
def approve(request: HttpRequest, document_id: int) -> HttpResponse:
    stand_in = request.POST.get("stand_in") == "1"
    note = request.POST.get("note", "")  # the leader's opinion: the action applies the text rule
    return _transition(request, document_id, lambda d: actions.approve_document(d, user=request.user, stand_in=stand_in, note=note),
                       _("Đã duyệt văn bản. Văn thư sẽ cấp số và phát hành."))


@login_required
@require_POST
@page_errors
def return_to_draft(request: HttpRequest, document_id: int) -> HttpResponse:
    note = request.POST.get("note", "")
    return _transition(request, document_id, lambda d: actions.return_document(d, user=request.user, note=note),
                       _("Đã trả lại dự thảo cho người soạn."))


@login_required
@require_POST
@page_errors
def issue(request: HttpRequest, document_id: int) -> HttpResponse:
    doc = access.get_document(request.user, document_id)
    try:
        doc = actions.issue_document(doc, user=request.user)
    except (NotFound, NotAllowed):
        raise
    except VanThuError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("Đã cấp số %(symbol)s và phát hành văn bản.") % {"symbol": doc.symbol})
    return redirect("documents:document", doc.id)


# --- registers -----------------------------------------------------------------------------------

def _register_choice(request: HttpRequest, periods: list[tuple[str, str]]) -> tuple[RegisterFilterForm, str, str]:
    form = RegisterFilterForm(request.GET or None, periods=periods)
    period, doc_type = periods[0][0], ""
    if form.is_valid():
        period = form.cleaned_data["period"] or period
        doc_type = form.cleaned_data["doc_type"]
    return form, period, doc_type


@login_required
@needs_org
def register_outgoing(request: HttpRequest, org: Organization) -> HttpResponse:
    """Sổ văn bản đi: by term (party style) or year, and by type; printed and exported whole.
    Documents handed over to the archive keep their line (the register is the office's record of
    its numbers), marked and without a link unless the person reads them by the archive's rules."""
    periods = registers.outgoing_periods(org)
    form, period, doc_type = _register_choice(request, periods)
    page = paginate(request, access.documents_seen_in(request.user, org.id, registers.outgoing(org, period, doc_type), sealed="mark"), per_page=100)
    return render(request, "documents/register_outgoing.html", {
        "form": form, "page": page, "period_label": dict(periods).get(period, ""),
        "export_query": urlencode({"organization_id": org.id, "register": period, "doc_type": doc_type}),
    })


@login_required
@needs_org
def register_incoming(request: HttpRequest, org: Organization) -> HttpResponse:
    """Sổ văn bản đến: one series per year, electronic and paper together; printed and exported whole."""
    periods = registers.incoming_periods(org)
    form, period, doc_type = _register_choice(request, periods)
    page = paginate(request, access.deliveries_seen_in(request.user, org.id, registers.incoming(org, period, doc_type), sealed="mark"), per_page=100)
    return render(request, "documents/register_incoming.html", {
        "form": form, "page": page, "period_label": dict(periods).get(period, ""),
        "export_query": urlencode({"organization_id": org.id, "register": period, "doc_type": doc_type}),
    })


# --- paper documents -----------------------------------------------------------------------------

@login_required
@needs_org
@page_errors
def register_paper(request: HttpRequest, org: Organization) -> HttpResponse:
    """Vào sổ a paper document: a form for the keyboard, then straight to the next one."""
    if not has_role(request.user, org.id, Role.CLERK):
        raise NotAllowed(_("Chỉ văn thư đơn vị mới được vào sổ văn bản đến."))
    form = PaperForm(request.POST or None, request.FILES or None, initial={"issued_date": timezone.localdate()})
    duplicate = None
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data
        try:
            d = actions.register_paper_document(
                user=request.user, organization=org, sender_name=f["sender_name"],
                number_symbol=f["number_symbol"], issued_date=f["issued_date"], doc_type=f["doc_type"],
                subject=f["subject"], file=actions.Upload.of(f["file"]), sender_code=f["sender_code"],
                urgency=f["urgency"], due_date=f["due_date"], confidentiality=f["confidentiality"],
                confirm_duplicate=f["confirm_duplicate"],
            )
        except VanThuError as exc:
            if exc.code == "likely_duplicate":  # the warning with a link, and the box to confirm
                duplicate = access.get_delivery(request.user, exc.details["delivery_id"])
            else:
                apply_error(form, exc)
        else:
            messages.success(request, _("Đã vào sổ văn bản đến số %(n)s: %(symbol)s.") % {"n": d.incoming_number, "symbol": d.document.symbol})
            return redirect(f"{reverse('documents:paper')}?last={d.document_id}")
    last = None
    if request.GET.get("last", "").isdigit():
        last = access.visible_documents(request.user, document_id=int(request.GET["last"])).first()
    return render(request, "documents/paper.html", {"form": form, "last": last, "today": date.today(), "duplicate": duplicate,
                                                    "ask_confirm": duplicate is not None or form["confirm_duplicate"].value()})


# --- delegation of signing -----------------------------------------------------------------------

def _leaders(org_id: int, except_id: int) -> list[tuple[int, str]]:
    rows = (Membership.objects.filter(organization_id=org_id, role=Role.LEADER, user__is_active=True).exclude(user_id=except_id)
            .select_related("user").order_by("user__full_name", "user__username"))
    return list({m.user_id: (m.user_id, m.user.get_full_name()) for m in rows}.values())


@login_required
@needs_org
@page_errors
def delegations(request: HttpRequest, org: Organization) -> HttpResponse:
    """Ủy quyền ký: a leader going away names a deputy for a period; everyone in the organisation
    sees who stands in for whom (the drafters need it)."""
    can_delegate = access.may_delegate_signing(request.user, org.id)
    form = DelegationForm(request.POST or None, people=_leaders(org.id, request.user.id)) if can_delegate else None
    if request.method == "POST":
        if form is None:
            raise NotAllowed(_("Chỉ lãnh đạo có thẩm quyền ký mới ủy quyền ký được."))
        if form.is_valid():
            f = form.cleaned_data
            try:
                d = delegation_actions.create_delegation(
                    user=request.user, organization=org, deputy_id=f["deputy"], form=f["form"], starts_on=f["starts_on"],
                    ends_on=f["ends_on"], reason=f["reason"], position=f["position"])
            except (NotFound, NotAllowed):
                raise
            except VanThuError as exc:
                if exc.details.get("field") == "deputy_id":
                    exc.details["field"] = "deputy"
                apply_error(form, exc)
            else:
                messages.success(request, _("Đã ủy quyền cho đồng chí %(name)s ký thay từ %(start)s đến %(end)s.") % {
                    "name": d.deputy.get_full_name(), "start": d.starts_on.strftime("%d/%m/%Y"), "end": d.ends_on.strftime("%d/%m/%Y")})
                return redirect("documents:delegations")
    rows = list(access.delegations_of(request.user, org.id)[:200])
    return render(request, "documents/delegations.html", {"form": form, "rows": rows, "today": timezone.localdate()})


@login_required
@require_POST
@page_errors
def revoke_delegation(request: HttpRequest, delegation_id: int) -> HttpResponse:
    d = access.get_delegation(request.user, delegation_id)
    try:
        delegation_actions.revoke_delegation(d, user=request.user)
    except (NotFound, NotAllowed):
        raise
    except VanThuError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("Đã hủy ủy quyền."))
    return redirect("documents:delegations")
