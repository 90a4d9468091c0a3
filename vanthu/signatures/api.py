"""Trust roots, certificates, a document's signatures and on-demand verification, over the API."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from vanthu.accounts.models import User
from vanthu.documents.access import get_document
from vanthu.errors import BadInput, NotFound, TooLarge, Unprocessable
from vanthu.organizations.models import Organization
from vanthu.text import Line, Secret

from . import actions
from .models import SignatureReport, TrustRoot
from .schemas import CertificateOut, DocumentSignaturesOut, TrustRootList, TrustRootOut, VerifyOut
from .verify import verify_pdf

router = Router(tags=["signatures"])


def _read(f: UploadedFile) -> bytes:
    if f.size is not None and f.size > settings.MAX_UPLOAD_BYTES:
        raise TooLarge(_("Tệp vượt quá giới hạn %(mb)s MB.") % {"mb": settings.MAX_UPLOAD_MB})
    return f.read()


def _require_admin(user) -> None:
    actions.require_admin(user)


def _root_out(r: TrustRoot) -> dict:
    return {"id": r.id, "name": r.name, "kind": r.kind, "fingerprint": r.fingerprint, "subject": r.subject,
            "not_before": r.not_before, "not_after": r.not_after, "is_enabled": r.is_enabled}


@router.get("/trust-roots", response=TrustRootList, summary="Danh sách chứng thư tin cậy (quản trị)")
def list_trust_roots(request: HttpRequest):
    _require_admin(request.user)
    rows = list(TrustRoot.objects.all())
    return {"items": [_root_out(r) for r in rows], "count": len(rows)}


# The body is read by hand (a bare PEM is no JSON); described here so clients and tests see its fields.
_TRUST_ROOT_BODY = {"required": True, "content": {
    "application/json": {"schema": {"type": "object", "required": ["pem"], "properties": {
        "pem": {"type": "string", "format": "pem"}, "name": {"type": "string", "maxLength": 255}}}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"}, "name": {"type": "string", "maxLength": 255}}}},
    "application/x-pem-file": {"schema": {"type": "string", "format": "pem"}},
}}


@router.post("/trust-roots", response={201: TrustRootList}, summary="Thêm chứng thư tin cậy: PEM trong thân yêu cầu hoặc tệp PEM/DER",
             openapi_extra={"requestBody": _TRUST_ROOT_BODY})
def add_trust_root(request: HttpRequest):
    _require_admin(request.user)
    name = ""
    upload = request.FILES.get("file")
    if upload is not None:
        data = _read(upload)
        name = request.POST.get("name", "")
    elif request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
            data, name = str(body.get("pem", "")).encode(), str(body.get("name", ""))
        except (ValueError, AttributeError):
            raise BadInput(_("Nội dung yêu cầu không đúng định dạng JSON."), code="malformed_body") from None
    else:
        data = request.body
    if not data.strip():
        raise Unprocessable(_("Chưa gửi chứng thư (PEM hoặc tệp)."), code="certificate_required", details={"field": "file"})
    rows = actions.add_trust_roots(user=request.user, data=data, name=name)
    return Status(201, {"items": [_root_out(r) for r in rows], "count": len(rows)})


def _set_enabled(request, root_id: int, enabled: bool) -> dict:
    _require_admin(request.user)
    root = TrustRoot.objects.filter(id=root_id).first()
    if root is None:
        raise NotFound(_("Không tìm thấy chứng thư tin cậy."), code="trust_root_not_found")
    return _root_out(actions.set_trust_root_enabled(root, user=request.user, enabled=enabled))


@router.post("/trust-roots/{root_id}/disable", response=TrustRootOut, summary="Thôi tin cậy một chứng thư")
def disable_trust_root(request: HttpRequest, root_id: int):
    return _set_enabled(request, root_id, False)


@router.post("/trust-roots/{root_id}/enable", response=TrustRootOut, summary="Tin cậy lại một chứng thư")
def enable_trust_root(request: HttpRequest, root_id: int):
    return _set_enabled(request, root_id, True)


@router.post("/signing-certificates", response={201: CertificateOut}, summary="Nhập chứng thư ký số từ tệp PKCS#12 (quản trị)")
def import_certificate(request: HttpRequest, file: File[UploadedFile], password: Form[Secret(1024)] = "",
                       user_id: Form[int | None] = None, organization_id: Form[int | None] = None, label: Form[Line(255)] = ""):
    _require_admin(request.user)
    owner_user = User.objects.filter(id=user_id).first() if user_id else None
    owner_org = Organization.objects.filter(id=organization_id).first() if organization_id else None
    if user_id and owner_user is None:
        raise Unprocessable(_("Không tìm thấy người dùng."), code="user_not_found", details={"field": "user_id"})
    if organization_id and owner_org is None:
        raise Unprocessable(_("Không tìm thấy tổ chức."), code="organization_not_found", details={"field": "organization_id"})
    row = actions.import_pkcs12(user=request.user, data=_read(file), password=password or None,
                                owner_user=owner_user, owner_org=owner_org, label=label)
    return Status(201, {"id": row.id, "label": row.label, "subject": row.subject, "fingerprint": row.fingerprint,
                        "owner": row.owner_kind, "user_id": row.user_id, "organization_id": row.organization_id,
                        "key_storage": row.key_storage, "not_before": row.not_before, "not_after": row.not_after,
                        "is_active": row.is_active})


def _report_out(report: SignatureReport | None) -> dict:
    if report is None:
        return {"status": "unsigned", "authenticated": False, "checked_at": None, "file": None, "signatures": []}
    return {"status": report.status, "authenticated": report.authenticated, "checked_at": report.checked_at,
            "file": report.stored_file_id, "signatures": report.signatures}


@router.get("/documents/{document_id}/signatures", response=DocumentSignaturesOut, summary="Kết quả kiểm tra chữ ký số của văn bản")
def document_signatures(request: HttpRequest, document_id: int):
    doc = get_document(request.user, document_id)
    target = doc.authoritative
    report = SignatureReport.objects.latest_for(target) if target is not None else None
    if report is None and target is not None:
        report = actions.verify_document(doc, user=request.user)
    return _report_out(report)


@router.post("/documents/{document_id}/signatures/verify", response=DocumentSignaturesOut, summary="Kiểm tra lại chữ ký số của văn bản")
def reverify_document(request: HttpRequest, document_id: int):
    doc = get_document(request.user, document_id)
    return _report_out(actions.verify_document(doc, user=request.user))


@router.post("/verify", response=VerifyOut, summary="Kiểm tra chữ ký số của một tệp PDF (không lưu tệp)")
def verify_upload(request: HttpRequest, file: File[UploadedFile]):
    return verify_pdf(_read(file)).as_dict()
