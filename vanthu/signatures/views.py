"""The signatures app's page action: a clerk checks a document's signatures again."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vanthu.documents.access import get_document
from vanthu.errors import NotAllowed
from vanthu.ui.shortcuts import page_errors

from . import actions
from .access import may_reverify


@login_required
@require_POST
@page_errors
def reverify(request: HttpRequest, document_id: int) -> HttpResponse:
    document = get_document(request.user, document_id)
    if not may_reverify(request.user, document):
        raise NotAllowed(_("Chỉ văn thư của đơn vị ban hành hoặc đơn vị nhận mới được kiểm tra lại chữ ký số."))
    report = actions.verify_document(document, user=request.user)
    if report is None:
        messages.error(request, _("Văn bản không có tệp để kiểm tra."))
    else:
        messages.success(request, _("Đã kiểm tra lại chữ ký số: %(status)s.") % {"status": report.get_status_display()})
    return redirect("documents:document", document.id)
