"""State changes of the signatures app: trust roots, certificates, signing and verification.

The documents app calls three of these, once each: `sign_on_approval` (the leader's signature),
`seal_on_issue` (the organisation's signature with the visible stamp, then the recipients'
verification) and `verify_on_entry` (any PDF that enters). Without a certificate the document
simply stays unsigned ("for reference only"); approval and issue never fail for that reason.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit.chain import record
from vanthu.documents.models import Delivery, Document, DocumentFile, FileRole, StatusCode
from vanthu.documents.pdf import PdfInfo
from vanthu.documents.storage import read_blob, store_pdf
from vanthu.errors import NotAllowed, Unprocessable, VanThuError
from vanthu.organizations.access import is_admin
from vanthu.organizations.models import Organization
from vanthu.text import clean_text, without_refused

from . import certs as C
from .keys import encrypt_private_key
from .models import KeyStorage, ReportStatus, SignatureReport, SigningCertificate, TrustRoot
from .signals import verdict_changed
from .signers import signer_for
from .signing import LEADER_FIELD, SEAL_FIELD, StampText, field_names, sign_pdf
from .verify import REASONS, Report, verify_pdf

log = logging.getLogger(__name__)


def require_admin(user) -> None:
    if not is_admin(user):
        raise NotAllowed(_("Chỉ quản trị hệ thống mới được quản lý chứng thư số."), code="admin_only")


# --- trust roots ------------------------------------------------------------------------------

@transaction.atomic
def add_trust_roots(*, user, data: bytes, name: str = "") -> list[TrustRoot]:
    """Trust the certificates in a PEM bundle or DER file: self-signed ones as roots, others as intermediates."""
    require_admin(user)
    name = clean_text(name, field="name", max_length=255, label=_("Tên chứng thư"))
    rows = []
    for cert in C.load_certificates(data):
        der = C.der(cert)
        kind = TrustRoot.Kind.ROOT if cert.issuer == cert.subject else TrustRoot.Kind.INTERMEDIATE
        root, created = TrustRoot.objects.get_or_create(
            fingerprint=C.fingerprint(der),
            defaults=dict(name=name or without_refused(C.common_name(cert))[:255], kind=kind, certificate_der=der,
                          subject=cert.subject.rfc4514_string(), not_before=cert.not_valid_before_utc,
                          not_after=cert.not_valid_after_utc),
        )
        if not created and not root.is_enabled:
            root.is_enabled = True
            root.save(update_fields=["is_enabled", "updated_at"])
        record("trust_root_added", actor=user, obj=root, data={"fingerprint": root.fingerprint, "subject": root.subject})
        rows.append(root)
    return rows


@transaction.atomic
def set_trust_root_enabled(root: TrustRoot, *, user, enabled: bool) -> TrustRoot:
    require_admin(user)
    root.is_enabled = enabled
    root.save(update_fields=["is_enabled", "updated_at"])
    record("trust_root_enabled" if enabled else "trust_root_disabled", actor=user, obj=root)
    return root


# --- certificates -----------------------------------------------------------------------------

def _owner_check(owner_user, owner_org: Organization | None) -> None:
    if owner_user is None and owner_org is None:
        raise Unprocessable(_("Chứng thư số phải thuộc về một người hoặc một tổ chức."), code="owner_required")


@transaction.atomic
def import_pkcs12(*, user, data: bytes, password: str | None, owner_user=None,
                  owner_org: Organization | None = None, label: str = "") -> SigningCertificate:
    """Import a certificate and its key from PKCS#12; the key is stored encrypted."""
    require_admin(user)
    _owner_check(owner_user, owner_org)
    label = clean_text(label, field="label", max_length=255, label=_("Tên gọi"))
    content = C.load_pkcs12(data, password)
    cert_der = C.der(content.certificate)
    if SigningCertificate.objects.filter(fingerprint=C.fingerprint(cert_der)).exists():
        raise Unprocessable(_("Chứng thư số này đã được nhập."), code="certificate_exists")
    row = SigningCertificate.objects.create(
        user=owner_user, organization=owner_org, label=label or without_refused(C.common_name(content.certificate))[:255],
        subject=content.certificate.subject.rfc4514_string(), certificate_der=cert_der,
        chain_der=[C.b64(C.der(c)) for c in content.chain], fingerprint=C.fingerprint(cert_der),
        not_before=content.certificate.not_valid_before_utc, not_after=content.certificate.not_valid_after_utc,
        key_storage=KeyStorage.ENCRYPTED, encrypted_key=encrypt_private_key(content.key),
    )
    record("signing_certificate_imported", actor=user, obj=row, data={"fingerprint": row.fingerprint, "owner": row.owner_kind})
    return row


@transaction.atomic
def register_token_certificate(*, user, certificate: bytes, module: str, key_label: str, token_label: str = "",
                               slot: int | None = None, pin_env: str = "", chain: bytes = b"",
                               owner_user=None, owner_org: Organization | None = None, label: str = "") -> SigningCertificate:
    """A certificate whose key stays on a PKCS#11 token; the PIN is read from an environment variable."""
    require_admin(user)
    _owner_check(owner_user, owner_org)
    cert = C.load_certificates(certificate)[0]
    extra = C.load_certificates(chain) if chain else []
    cert_der = C.der(cert)
    row = SigningCertificate.objects.create(
        user=owner_user, organization=owner_org, label=(label or C.common_name(cert))[:255],
        subject=cert.subject.rfc4514_string(), certificate_der=cert_der, chain_der=[C.b64(C.der(c)) for c in extra],
        fingerprint=C.fingerprint(cert_der), not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc,
        key_storage=KeyStorage.PKCS11, pkcs11_module=module, pkcs11_token_label=token_label, pkcs11_slot=slot,
        pkcs11_key_label=key_label, pkcs11_pin_env=pin_env,
    )
    record("signing_certificate_registered", actor=user, obj=row, data={"fingerprint": row.fingerprint, "storage": "pkcs11"})
    return row


def person_certificate(user, org_id: int | None = None) -> SigningCertificate | None:
    qs = SigningCertificate.objects.usable().of_user(user)
    if org_id is not None:
        # Prefer the certificate issued for this organisation, but any of the person's will do.
        return qs.filter(organization_id=org_id).first() or qs.first()
    return qs.first()


def organization_certificate(org_id: int) -> SigningCertificate | None:
    return SigningCertificate.objects.usable().of_organization(org_id).first()


# --- signing ------------------------------------------------------------------------------------

def _current_file(document: Document) -> DocumentFile | None:
    if document.authoritative_file_id:
        return DocumentFile.objects.select_related("file").get(pk=document.authoritative_file_id)
    return document.files.select_related("file").filter(role=FileRole.MAIN).first()


def _attach_signed(document: Document, source: DocumentFile, data: bytes, suffix: str) -> DocumentFile:
    stored = store_pdf(data, PdfInfo(page_count=source.file.page_count, text=source.file.text))
    pos = (document.files.aggregate(m=Max("position"))["m"] or 0) + 1
    base = source.name[:-4] if source.name.lower().endswith(".pdf") else source.name
    base = base.removesuffix(".signed").removesuffix(".sealed")
    row = DocumentFile.objects.create(document=document, file=stored, role=FileRole.SIGNED,
                                      name=f"{base}.{suffix}.pdf"[:255], position=max(pos, 100))
    document.authoritative_file = row
    document.save(update_fields=["authoritative_file"])
    return row


def sign_on_approval(document: Document, *, user) -> DocumentFile | None:
    """The leader's signature (PAdES B-B, B-T with a TSA) on approval; None without a certificate."""
    cert = person_certificate(user, document.issuer_id)
    source = _current_file(document)
    if cert is None or source is None:
        return None
    with transaction.atomic():
        original = read_blob(source.file_id)
        data = sign_pdf(original, signer_for(cert), field_name=_free_field(original, LEADER_FIELD),
                        reason=_("Duyệt văn bản"), location=document.place or "")
        row = _attach_signed(document, source, data, "signed")
        record("document_signed", actor=user, obj=document, data={"file": row.file_id, "certificate": cert.fingerprint})
    return row


def seal_on_issue(document: Document, *, user) -> DocumentFile | None:
    """The organisation's signature with the visible stamp, as a new authoritative file.

    Called by `issue_document` before it takes a number, so that the signing work never runs
    while the register's counter is locked; the issue's own audit entry names the sealed file.
    """
    cert = organization_certificate(document.issuer_id)
    source = _current_file(document)
    if cert is None or source is None:
        return None
    org = document.issuer
    signer_name = document.signer_name or (document.approved_by.get_full_name() if document.approved_by_id else "")
    stamp = StampText(signer_name=signer_name or org.name, organization_name=org.name, seal_label=org.short_name)
    original = read_blob(source.file_id)
    data = sign_pdf(original, signer_for(cert), field_name=_free_field(original, SEAL_FIELD),
                    reason=_("Phát hành văn bản"), location=document.place or "", stamp=stamp,
                    signed_at=timezone.now())
    return _attach_signed(document, source, data, "sealed")


def check_arrivals(document: Document, deliveries: Iterable[Delivery], sealed: DocumentFile | None) -> None:
    """Each recipient's arrival check of the issued file (the organisation's policy decides)."""
    deliveries = list(deliveries)
    source = sealed or _current_file(document)
    if not deliveries or source is None:
        return
    if sealed is not None:
        report = _verify_and_store(document, sealed)
    else:
        # Nothing new was signed: the report made when the file entered still holds.
        report = SignatureReport.objects.filter(document=document, stored_file_id=source.file_id).first() \
            or _verify_and_store(document, source)
    apply_arrival_policy(deliveries, report)


def _free_field(data: bytes, wanted: str) -> str:
    """A field name not yet used in the file (a document signed twice by leaders keeps both)."""
    if wanted.encode() not in data:
        return wanted  # the usual case, without parsing the PDF
    taken = set(field_names(data))
    name, n = wanted, 2
    while name in taken:
        name, n = f"{wanted}{n}", n + 1
    return name


# --- verification -------------------------------------------------------------------------------

def _verify_and_store(document: Document, doc_file: DocumentFile) -> SignatureReport:
    try:
        report = verify_pdf(read_blob(doc_file.file_id))
    except VanThuError as exc:
        # The file was accepted as a PDF on entry but pyHanko cannot read it: nothing in it can
        # count as signed, so it is kept as unsigned ("for reference only").
        report = Report(ReportStatus.UNSIGNED.value, [])
        log.info("signature check skipped for %s: %s", doc_file.file_id, exc.code)
    return SignatureReport.objects.create(
        document=document, document_file=doc_file, stored_file_id=doc_file.file_id, status=report.status,
        authenticated=report.authenticated, signatures=[s.as_dict() for s in report.signatures],
    )


def verify_on_entry(document: Document, *, user=None) -> SignatureReport | None:
    """Verify the main PDF of a document that has just entered, and keep the report."""
    source = _current_file(document)
    if source is None:
        return None
    with transaction.atomic():
        report = _verify_and_store(document, source)
        if report.status not in (ReportStatus.VALID, ReportStatus.UNSIGNED):
            record("signature_check_failed", actor=user, obj=document, data={"status": report.status, "reasons": report_reasons(report)})
    return report


@transaction.atomic
def verify_document(document: Document, *, user) -> SignatureReport | None:
    """Verify again on demand (revocation may have changed since the file entered)."""
    source = _current_file(document)
    if source is None:
        return None
    with transaction.atomic():
        report = _verify_and_store(document, source)
        verdict_changed.send(sender=SignatureReport, document=document)
        record("signatures_verified", actor=user, obj=document, data={"status": report.status})
    return report


def report_reasons(report: SignatureReport | Report) -> list[str]:
    sigs = report.signatures
    out: list[str] = []
    for s in sigs:
        for code in (s["reasons"] if isinstance(s, dict) else s.reasons):
            if code not in out:
                out.append(code)
    return out


def apply_arrival_policy(deliveries: Iterable[Delivery], report: SignatureReport) -> list[Delivery]:
    """Reject (02, with the reason) where the recipient chose so and the signature is invalid."""
    if report.status != ReportStatus.INVALID:
        return []
    from vanthu.documents.actions import move_delivery

    codes = report_reasons(report)
    reason = _("Chữ ký số không hợp lệ: %(reasons)s") % {"reasons": "; ".join(_(REASONS[c]) for c in codes if c in REASONS)}
    deliveries = list(deliveries)
    rejecting = set(Organization.objects.filter(id__in=[d.recipient_id for d in deliveries], invalid_signature_policy="reject")
                    .values_list("id", flat=True))
    rejected = []
    for d in deliveries:
        if d.recipient_id not in rejecting or d.status_code != StatusCode.ARRIVED:
            continue
        move_delivery(d, StatusCode.REJECTED, user=None, note=reason[:2000])
        d.reject_reason = reason[:2000]
        d.save(update_fields=["reject_reason"])
        record("delivery_rejected", obj=d, data={"reason": reason[:2000], "automatic": True, "reasons": codes})
        rejected.append(d)
    return rejected


def is_electronically_authenticated(document: Document) -> bool:
    """For statistics: the latest report of the authoritative file says every signature is valid
    and one is an organisation's."""
    target = document.authoritative
    if target is None:
        return False
    latest = SignatureReport.objects.latest_for(target)
    return bool(latest and latest.authenticated)


def signature_report(document: Document) -> SignatureReport | None:
    """The report a document page shows (badge and details): that of the file that counts."""
    target = document.authoritative
    return SignatureReport.objects.latest_for(target) if target is not None else None
