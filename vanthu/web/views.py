"""Signing in and out, the organisation to act for, and the home page ("Việc cần làm")."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.documents import access as doc_access
from vanthu.documents.models import DocStatus, StatusCode
from vanthu.exchange.models import next_attempts
from vanthu.organizations.session import current_roles, needs_org, set_current_org
from vanthu.ui.shortcuts import back_to
from vanthu.workflow.models import Assignee

HOME_LIST = 5


@login_required
def choose_org(request: HttpRequest) -> HttpResponse:
    """Pick the organisation to act for; the header's switcher posts here too."""
    if request.method == "POST":
        try:
            org_id = int(request.POST.get("organization_id", ""))
        except ValueError:
            org_id = 0
        if set_current_org(request, org_id):
            return back_to(request, reverse("web:home"))
    return render(request, "web/choose_org.html", {"next": request.GET.get("next", "")})


@login_required
@needs_org
def home(request: HttpRequest, org) -> HttpResponse:
    """What waits for me now, in the organisation I act for, and my own assignments."""
    roles = current_roles(request)
    # What this person needs to know of the organisation (documents/access.py).
    inbox = doc_access.deliveries_seen_in(request.user, org.id).with_document()
    outgoing = doc_access.documents_seen_in(request.user, org.id).select_related("doc_type")
    boxes = []

    def box(key: str, title: str, qs, url: str, empty: str, *, alert: bool = False) -> None:
        items = list(qs[:HOME_LIST])
        if alert and not items:
            return  # an alarm is shown only when there is something to see
        count = len(items) if len(items) < HOME_LIST else qs.count()
        boxes.append({"key": key, "title": title, "items": items, "count": count, "url": url, "empty": empty, "alert": alert})

    if "clerk" in roles:
        # First, because nobody else will act on it: a recipient at another installation has not
        # got the document (given up, or silent past the first attempts), and the clerk of the
        # issuing organisation is the one who checks with it and resends.
        box("send-failed", _("Chưa tới được nơi nhận"), outgoing.not_delivered().with_send_failed().annotate(next_attempt_at=next_attempts()).order_by("-issued_at", "-id"),
            reverse("documents:outgoing") + "?failed=1", "", alert=True)
        box("accept", _("Chờ tiếp nhận"), inbox.pending().newest_first(), reverse("documents:inbox") + "?status=01",
            _("Không có văn bản đến nào chờ tiếp nhận."))
    if "leader" in roles:
        box("assign", _("Chờ phân công"), inbox.filter(status_code=StatusCode.ACCEPTED).newest_first(),
            reverse("documents:inbox") + "?status=03", _("Không có văn bản nào chờ phân công."))
        # The leaders' queue: the most urgent first (hỏa tốc, thượng khẩn, khẩn), then the oldest.
        box("approve", _("Chờ duyệt"), outgoing.approval_queue(),
            reverse("documents:outgoing") + "?status=submitted", _("Không có dự thảo nào chờ duyệt."))
    if "clerk" in roles:
        box("issue", _("Chờ cấp số, phát hành"), outgoing.filter(status=DocStatus.APPROVED).order_by("approved_at", "id"),
            reverse("documents:outgoing") + "?status=approved", _("Không có văn bản nào chờ phát hành."))
    if roles & {"specialist", "leader", "clerk"}:
        box("returned", _("Bị trả lại"), outgoing.filter(status=DocStatus.DRAFT, created_by=request.user, returned_at__isnull=False)
            .select_related("returned_by").order_by("-returned_at"), reverse("documents:outgoing") + "?status=draft&mine=1", "", alert=True)
        box("drafts", _("Dự thảo của tôi"), outgoing.filter(status=DocStatus.DRAFT, created_by=request.user).order_by("-created_at"),
            reverse("documents:outgoing") + "?status=draft&mine=1", _("Bạn không có dự thảo nào."))

    mine = Assignee.objects.open_for(request.user)
    my_items = list(mine[:10])
    today = timezone.localdate()
    return render(request, "web/home.html", {
        "boxes": boxes,
        "assignments": my_items,
        "assignment_count": len(my_items) if len(my_items) < 10 else mine.count(),
        "overdue_count": mine.overdue().count(),
        "today": today,
    })
