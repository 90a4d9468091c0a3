"""State changes of the signatures app: trust roots, certificates, signing and verification.

The documents app asks `PdfSigner` (registered in `apps.py`) for signed copies outside its
transactions: `sign_for_approval` (the leader's signature) and `seal_for_issue` (the
organisation's signature with the visible stamp, checked at once for the recipients). Its events
bring the rest: the copies' audit entries and reports, the recipients' arrival check, and the
check of every PDF that enters (`tasks.verify_entered`, in the background). Without a certificate
the document simply stays unsigned ("for reference only"); approval and issue never fail for that.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit.chain import record
from vanthu.documents.deliveries import move_delivery
from vanthu.documents.models import (
    Delivery,
    DocSource,
    DocStatus,
    Document,
    DocumentFile,
    FileRole,
    StatusCode,
)
from vanthu.documents.signing import SignedCopy
from vanthu.documents.storage import read_blob
from vanthu.errors import NotAllowed, Unprocessable, VanThuError
from vanthu.organizations.access import is_installation_admin
from vanthu.organizations.models import NumberingStyle, Organization
from vanthu.security.metrics import SIGNATURE_VERIFICATIONS
from vanthu.text import clean_text, without_refused

from . import certs as C
from . import page_marks
from .keys import encrypt_private_key
from .models import KeyStorage, ReportStatus, SignatureReport, SigningCertificate, TrustRoot
from .signals import verdict_changed
from .signers import signer_for
from .signing import LEADER_BOX, LEADER_FIELD, SEAL_FIELD, StampText, field_names, sign_pdf
from .verify import REASONS, Report, verify_pdf

log = logging.getLogger(__name__)


def require_admin(user) -> None:
    """Trust roots and signing certificates are installation-wide (a certificate may name any
    organisation or person, and a PKCS#11 module is a library the server loads)."""
    if not is_installation_admin(user):
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


def certificate_holder(cert: SigningCertificate) -> str:
    """The name the certificate gives its holder (its common name)."""
    return C.common_name(C.load_certificates(bytes(cert.certificate_der))[0])


def sign_for_approval(document: Document, *, user) -> SignedCopy | None:
    """The leader's signature (PAdES B-B, B-T with a TSA) with its visible stamp, or None
    without a certificate. The stamp's name is the certificate's holder, as is the document's
    "Người ký" after approval (`SignedCopy.holder`). Outside any transaction: a timestamp
    authority may be asked."""
    cert = person_certificate(user, document.issuer_id)
    source = _current_file(document)
    if cert is None or source is None:
        return None
    holder = certificate_holder(cert)
    block = " ".join(x for x in (document.signer_authority, document.signer_position) if x)
    stamp = StampText(signer_name=holder, organization_name=block, box=LEADER_BOX)
    # The places of the number and date, empty, under the leader's signature: the clerk fills
    # them at issue, a change the signature allows (page_marks.py).
    original = _reserved(read_blob(source.file_id))
    data = sign_pdf(original, signer_for(cert), field_name=_free_field(original, LEADER_FIELD),
                    reason=_("Duyệt văn bản"), location=document.place or "", stamp=stamp, signed_at=timezone.now())
    return SignedCopy(data=data, suffix="signed", source=source, evidence={"certificate": cert.fingerprint}, holder=holder)


def seal_for_issue(document: Document, *, user) -> SignedCopy | None:
    """The organisation's signature with the visible seal. Outside any transaction, after the
    number is taken: the signing never runs while a row or the register's counter is locked.
    The seal's stamp names its holder, the organisation, and the number it was issued under."""
    cert = organization_certificate(document.issuer_id)
    source = _current_file(document)
    if cert is None or source is None:
        return None
    org = document.issuer
    stamp = StampText(signer_name=certificate_holder(cert), organization_name=f"Số {document.symbol}",  # the document's own language, whatever the reader's
                      seal_label=org.short_name)
    original = _numbered(read_blob(source.file_id), document)
    data = sign_pdf(original, signer_for(cert), field_name=_free_field(original, SEAL_FIELD),
                    reason=_("Phát hành văn bản"), location=document.place or "", stamp=stamp,
                    signed_at=timezone.now())
    return SignedCopy(data=data, suffix="sealed", source=source)


def _signed(data: bytes) -> bool:
    return b"/ByteRange" in data


def _reserved(data: bytes) -> bytes:
    """The places of the number and date, put in a PDF nothing has signed yet."""
    if _signed(data):
        return data
    try:
        return page_marks.reserve(data)
    except Exception:  # a PDF pyHanko cannot update: signed as it is, its seal still names the number
        log.warning("the number's places could not be reserved", exc_info=True)
        return data


def _numbered(data: bytes, document: Document) -> bytes:
    """The number and symbol and the place and date written in their places before the seal.
    A PDF signed without the places (by another program) is left as it is: writing on it would
    break that signature; the seal's stamp still names the number."""
    if _signed(data) and not page_marks.has_places(data):
        return data
    local_day = timezone.localdate(document.issued_at) if document.issued_at else document.issued_date
    party = document.issuer.numbering_style == NumberingStyle.PARTY
    try:
        return page_marks.fill(data, number=page_marks.number_line(document.symbol, party_style=party),
                               when=page_marks.date_line(document.place, local_day))
    except Exception:
        log.warning("the number could not be written on document %s", document.id, exc_info=True)
        return data


class PdfSigner:
    """What the documents app asks of signing (`vanthu.documents.signing.Signer`)."""

    def will_seal(self, document: Document) -> bool:
        return SigningCertificate.objects.usable().of_organization(document.issuer_id).exists()

    def sign_approval(self, document: Document, *, user) -> SignedCopy | None:
        return sign_for_approval(document, user=user)

    def seal_issue(self, document: Document, *, user) -> SignedCopy | None:
        """The seal, checked at once (still outside any transaction: revocation data may be
        fetched): its report is what every recipient's arrival check reads."""
        sealed = seal_for_issue(document, user=user)
        if sealed is not None:
            sealed.evidence = check_pdf(sealed.data)
        return sealed


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

def check_pdf(data: bytes) -> Report:
    """Verify a PDF's signatures (may fetch revocation data: never inside a transaction)."""
    try:
        report = verify_pdf(data)
    except VanThuError as exc:
        # The file was accepted as a PDF on entry but pyHanko cannot read it: nothing in it can
        # count as signed, so it is kept as unsigned ("for reference only").
        log.info("signature check skipped: %s", exc.code)
        SIGNATURE_VERIFICATIONS.labels("unreadable").inc()
        return Report(ReportStatus.UNSIGNED.value, [])
    SIGNATURE_VERIFICATIONS.labels(report.status).inc()
    return report


def store_report(document: Document, doc_file: DocumentFile, report: Report) -> SignatureReport:
    return SignatureReport.objects.create(
        document=document, document_file=doc_file, stored_file_id=doc_file.file_id, status=report.status,
        authenticated=report.authenticated, signatures=[s.as_dict() for s in report.signatures],
    )


def verify_entered(document: Document) -> SignatureReport | None:
    """The check of a document's PDF after it entered (drafted, registered, received): verified
    outside any transaction, then the report, the statistics and the recipients' arrival check
    in one. Run once per file (a task run again finds the report and stops)."""
    source = _current_file(document)
    if source is None or SignatureReport.objects.filter(document=document, stored_file_id=source.file_id).exists():
        return None
    return _enter_verdict(document, source, check_pdf(read_blob(source.file_id)))


def _enter_verdict(document: Document, source: DocumentFile, report: Report) -> SignatureReport | None:
    """A verdict made outside any transaction enters: the report, the statistics' journal and the
    recipients' arrival check, in one transaction (None if another run stored it meanwhile)."""
    with transaction.atomic():
        arrived = list(Delivery.objects.select_for_update().filter(document=document, status_code=StatusCode.ARRIVED))
        # The same test as awaiting_verdict's, so that the catch-up never finds again what it stored.
        if SignatureReport.objects.filter(document=document, document_file_id=source.id).exists():
            return None
        row = store_report(document, source, report)
        verdict_changed.send(sender=SignatureReport, document=document)
        apply_arrival_policy(arrived, row)
        if row.status not in (ReportStatus.VALID, ReportStatus.UNSIGNED):
            record("signature_check_failed", obj=document, data={"status": row.status, "reasons": report_reasons(row)})
    return row


def verify_waiting(*, limit: int = 200) -> int:
    """Give a verdict to up to `limit` electronic documents still waiting for one (issued here or
    received from a peer, their file that counts never checked): the catch-up of checks a worker
    never ran (a task lost with its process, documents imported in bulk). A file that many
    documents share is checked once. Returns how many documents were looked at."""
    docs = list(awaiting_verdict(Document.objects.all()).order_by("id")[:limit])
    if not docs:
        return 0
    current = {d.id: d.authoritative_file_id for d in docs if d.authoritative_file_id}
    files = {f.document_id: f for f in DocumentFile.objects.filter(id__in=current.values())}
    files |= {f.document_id: f for f in DocumentFile.objects.filter(
        document_id__in=[d.id for d in docs if not d.authoritative_file_id], role=FileRole.MAIN).order_by("-position")}
    by_file: dict[str, list[tuple[Document, DocumentFile]]] = {}
    for d in docs:
        if d.id in files:
            by_file.setdefault(files[d.id].file_id, []).append((d, files[d.id]))
    for sha, group in by_file.items():
        report = check_pdf(read_blob(sha))
        for document, source in group:
            _enter_verdict(document, source, report)
    return len(docs)


def awaiting_verdict(documents: QuerySet[Document]) -> QuerySet[Document]:
    """The electronic documents whose file that counts has no report yet: issued here (or being
    issued, revoked), or received from a peer. Paper is never authenticated and drafts are not
    counted: neither waits."""
    of_authoritative = SignatureReport.objects.filter(document_id=OuterRef("pk"), document_file_id=OuterRef("authoritative_file_id"))
    of_main = SignatureReport.objects.filter(document_id=OuterRef("pk"), document_file__role=FileRole.MAIN)
    electronic = Q(issuer__isnull=False, status__in=[DocStatus.ISSUED, DocStatus.REVOKED]) | Q(source=DocSource.PEER)
    has_file = Exists(DocumentFile.objects.filter(document_id=OuterRef("pk")))
    return documents.filter(electronic).filter(has_file).filter(
        (Q(authoritative_file__isnull=False) & ~Exists(of_authoritative)) | (Q(authoritative_file__isnull=True) & ~Exists(of_main)))


def verify_document(document: Document, *, user) -> SignatureReport | None:
    """Verify again on demand (revocation may have changed since the file entered)."""
    source = _current_file(document)
    if source is None:
        return None
    report = check_pdf(read_blob(source.file_id))
    with transaction.atomic():
        row = store_report(document, source, report)
        verdict_changed.send(sender=SignatureReport, document=document)
        record("signatures_verified", actor=user, obj=document, data={"status": row.status})
    return row


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
    codes = report_reasons(report)
    reason = _("Chữ ký số không hợp lệ: %(reasons)s") % {"reasons": "; ".join(_(REASONS[c]) for c in codes if c in REASONS)}
    deliveries = list(deliveries)
    rejecting = set(Organization.objects.filter(id__in=[d.recipient_id for d in deliveries], invalid_signature_policy="reject")
                    .values_list("id", flat=True))
    rejected = []
    for d in deliveries:
        if d.recipient_id not in rejecting or d.status_code != StatusCode.ARRIVED:
            continue
        move_delivery(d, StatusCode.REJECTED, user=None, note=reason[:2000], changes={"reject_reason": reason[:2000]})
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
