"""Verifying every signature of a PDF, with pyHanko, into a report a clerk can read.

Per signature: integrity and byte-range coverage, changes after signing (pyHanko's difference
analysis), the chain to a configured trust root, validity at signing time, key usage, and
revocation by CRL/OCSP when reachable. A signature is "valid" only when every check passed;
when revocation could not be checked it is "indeterminate", never valid by default.
"""

from __future__ import annotations

import asyncio
import io
import logging
import threading
from dataclasses import dataclass, field

from asn1crypto import x509 as asn1_x509
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

from vanthu.errors import Unprocessable, UnsupportedFile

from .models import ReportStatus, SigningCertificate, TrustRoot
from .signing import iso_vn

log = logging.getLogger(__name__)

VALID, INVALID, INDETERMINATE, UNSIGNED = (ReportStatus.VALID.value, ReportStatus.INVALID.value,
                                           ReportStatus.INDETERMINATE.value, ReportStatus.UNSIGNED.value)

# Reason codes (snake_case, stable: clients and statistics key on them) and their messages, marked
# for the catalogue and translated where they are shown.
REASONS: dict[str, str] = {
    "content_altered": gettext_noop("Nội dung đã bị thay đổi sau khi ký (sai mã băm)."),
    "signature_invalid": gettext_noop("Chữ ký không khớp với chứng thư số."),
    "byte_range_outside_file": gettext_noop("Vùng dữ liệu được ký (ByteRange) nằm ngoài tệp."),
    "byte_range_incomplete": gettext_noop("Chữ ký không bao phủ toàn bộ phiên bản văn bản đã ký."),
    "modified_after_signing": gettext_noop("Văn bản bị sửa đổi nội dung sau khi ký."),
    "untrusted_root": gettext_noop("Chứng thư số không thuộc tổ chức chứng thực được tin cậy."),
    "certificate_expired": gettext_noop("Chứng thư số đã hết hạn (hoặc chưa có hiệu lực) tại thời điểm ký."),
    "certificate_revoked": gettext_noop("Chứng thư số đã bị thu hồi."),
    "key_usage_not_allowed": gettext_noop("Chứng thư số không được phép dùng để ký (thiếu mục đích sử dụng khóa)."),
    "revocation_unavailable": gettext_noop("Không kiểm tra được tình trạng thu hồi của chứng thư số (CRL/OCSP)."),
    "chain_validation_failed": gettext_noop("Không xác thực được chuỗi chứng thư số."),
    "weak_algorithm": gettext_noop("Thuật toán ký không còn an toàn."),
    "timestamp_invalid": gettext_noop("Dấu thời gian không hợp lệ."),
    "malformed_signature": gettext_noop("Cấu trúc chữ ký số bị hỏng."),
}


@dataclass
class SignatureResult:
    field: str
    signer: str
    organization: str
    signed_at: str | None
    status: str
    reasons: list[str] = field(default_factory=list)
    is_organization: bool = False
    timestamped: bool = False
    messages: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        # A plain dict: dataclasses.asdict deep-copies, which was a third of a package's receive time.
        return {
            "field": self.field, "signer": self.signer, "organization": self.organization,
            "signed_at": self.signed_at, "status": self.status, "reasons": list(self.reasons),
            "is_organization": self.is_organization, "timestamped": self.timestamped,
            "messages": [str(m) for m in self.messages],
        }


@dataclass
class Report:
    status: str
    signatures: list[SignatureResult]

    @property
    def authenticated(self) -> bool:
        """"Electronically authenticated": every signature valid and one an organisation's."""
        return is_authenticated(self.status, [s.as_dict() for s in self.signatures])

    def as_dict(self) -> dict:
        return {"status": self.status, "signatures": [s.as_dict() for s in self.signatures]}


def is_authenticated(status: str, signatures: list[dict]) -> bool:
    return status == VALID and bool(signatures) and all(s["status"] == VALID for s in signatures) \
        and any(s.get("is_organization") for s in signatures)


# --- trust, cached per process until an administrator changes the roots ------------------------

_trust_lock = threading.Lock()
_trust_cache: dict[str, tuple] = {}


def _trust_material() -> tuple[list, list]:
    stamp = TrustRoot.objects.aggregate(m=Max("updated_at"))["m"]
    key = f"{stamp}:{TrustRoot.objects.count()}"
    with _trust_lock:
        hit = _trust_cache.get("v")
        if hit and hit[0] == key:
            return hit[1], hit[2]
        roots, others = [], []
        for kind, der in TrustRoot.objects.enabled().values_list("kind", "certificate_der"):
            cert = asn1_x509.Certificate.load(bytes(der))
            (roots if kind == TrustRoot.Kind.ROOT else others).append(cert)
        _trust_cache["v"] = (key, roots, others)
        return roots, others


def forget_trust() -> None:
    with _trust_lock:
        _trust_cache.clear()


def validation_context(*, crls=(), fetch: bool = True, trust: tuple[list, list] | None = None,
                       revocation_mode: str = "hard-fail") -> ValidationContext:
    roots, others = trust or _trust_material()
    return ValidationContext(
        trust_roots=roots, other_certs=others, allow_fetching=fetch, crls=list(crls),
        # hard-fail: a certificate that names a CRL/OCSP we cannot reach is not trusted.
        revocation_mode=revocation_mode, fetcher_backend=RequestsFetcherBackend(per_request_timeout=5),
    )


KEY_USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)


# --- one signature ----------------------------------------------------------------------------

def _name_attr(cert: asn1_x509.Certificate, key: str) -> str:
    return str(cert.subject.native.get(key, "") or "")


def _org_fingerprints() -> set[str]:
    return set(SigningCertificate.objects.filter(user__isnull=True).values_list("fingerprint", flat=True))


def _is_organization_cert(cert: asn1_x509.Certificate, org_fps: set[str]) -> bool:
    if cert.sha256.hex() in org_fps:
        return True
    # Seal certificates name the organisation as their subject and carry its identifier.
    cn, o = _name_attr(cert, "common_name"), _name_attr(cert, "organization_name")
    return bool(cn and cn == o and _name_attr(cert, "organization_identifier"))


def _byte_range_ok(sig, size: int) -> bool:
    try:
        br = [int(x) for x in sig.sig_object["/ByteRange"]]
    except (KeyError, TypeError, ValueError):
        return False
    if len(br) != 4 or br[0] != 0 or min(br) < 0:
        return False
    return br[0] + br[1] <= br[2] and br[2] + br[3] <= size


_TRUST_REASONS = {
    AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND: ("untrusted_root", INVALID),
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE: ("certificate_expired", INVALID),
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED: ("certificate_expired", INVALID),
    AdESIndeterminate.NOT_YET_VALID: ("certificate_expired", INVALID),
    AdESIndeterminate.REVOKED_NO_POE: ("certificate_revoked", INVALID),
    AdESIndeterminate.REVOKED_CA_NO_POE: ("certificate_revoked", INVALID),
    AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE: ("key_usage_not_allowed", INVALID),
    AdESIndeterminate.TRY_LATER: ("revocation_unavailable", INDETERMINATE),
    AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE: ("weak_algorithm", INVALID),
    AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE_NO_POE: ("weak_algorithm", INDETERMINATE),
    AdESFailure.HASH_FAILURE: ("content_altered", INVALID),
    AdESFailure.SIG_CRYPTO_FAILURE: ("signature_invalid", INVALID),
    AdESFailure.FORMAT_FAILURE: ("malformed_signature", INVALID),
}


async def _valid_without_revocation(sig, vc_factory) -> bool:
    """Whether the signer's path validates when revocation is not checked (soft-fail, no fetching)."""
    from pyhanko_certvalidator import CertificateValidator

    others = [c.chosen for c in sig.signed_data["certificates"] if c.name == "certificate"]
    validator = CertificateValidator(sig.signer_cert, intermediate_certs=others,
                                     validation_context=vc_factory(revocation_mode="soft-fail", fetch=False))
    try:
        await validator.async_validate_path()
    except Exception:
        return False
    return True


def _worst(a: str, b: str) -> str:
    order = {VALID: 0, INDETERMINATE: 1, INVALID: 2}
    return a if order[a] >= order[b] else b


async def _check_one(sig, size: int, vc_factory, org_fps: set[str]) -> SignatureResult:
    field_name = sig.field_name or ""
    res = SignatureResult(field=field_name, signer="", organization="", signed_at=None, status=VALID)

    def fail(code: str, status: str = INVALID) -> None:
        if code not in res.reasons:
            res.reasons.append(code)
        res.status = _worst(res.status, status)

    try:
        cert = sig.signer_cert
        res.signer = _name_attr(cert, "common_name") or cert.subject.human_friendly
        res.organization = _name_attr(cert, "organization_name")
        res.is_organization = _is_organization_cert(cert, org_fps)
    except Exception:  # a broken CMS blob has no readable certificate
        fail("malformed_signature")
        return res
    if not _byte_range_ok(sig, size):
        fail("byte_range_outside_file")
        return res
    try:
        st = await async_validate_pdf_signature(sig, signer_validation_context=vc_factory(), key_usage_settings=KEY_USAGE)
    except Exception as exc:  # pyHanko raises on structurally broken signatures
        log.info("signature %s could not be validated: %r", field_name, exc, exc_info=True)
        fail("malformed_signature")
        return res
    moment = st.timestamp_validity.timestamp if st.timestamp_validity is not None else st.signer_reported_dt
    res.signed_at = iso_vn(moment) if moment else None
    res.timestamped = st.timestamp_validity is not None
    if not st.intact:
        fail("content_altered")
    elif not st.valid:
        fail("signature_invalid")
    if st.coverage not in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION):
        fail("byte_range_incomplete")
    level = st.modification_level
    if st.docmdp_ok is False or level is None or level > ModificationLevel.FORM_FILLING:
        fail("modified_after_signing")
    if st.trust_problem_indic is not None:
        code, status = _TRUST_REASONS.get(st.trust_problem_indic, ("chain_validation_failed", INDETERMINATE))
        if code == "chain_validation_failed" and await _valid_without_revocation(sig, vc_factory):
            # The path is fine apart from revocation data nobody could fetch: try again later.
            code, status = "revocation_unavailable", INDETERMINATE
        fail(code, status)
    elif st.intact and st.valid and not st.trusted:
        fail("chain_validation_failed", INDETERMINATE)
    tsv = st.timestamp_validity
    if tsv is not None and not (tsv.intact and tsv.valid and tsv.trusted):
        fail("timestamp_invalid")
    return res


def verify_pdf(data: bytes, *, crls=(), fetch: bool = True) -> Report:
    """Verify every signature in a PDF; raise 415 for anything that is not a PDF."""
    if not data[:1024].lstrip().startswith(b"%PDF-"):
        raise UnsupportedFile(_("Tệp không phải là PDF. Chỉ kiểm tra được chữ ký số trên tệp PDF."), code="not_pdf")
    if b"/ByteRange" not in data and b"%%EOF" in data[-2048:]:
        # Every signature dictionary carries /ByteRange in the clear (its offsets are patched in
        # place, so it cannot sit in a compressed object stream): no parse needed to say unsigned.
        return Report(UNSIGNED, [])
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sigs = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        log.info("PDF could not be read for verification: %s", exc)
        if b"/ByteRange" not in data:
            raise Unprocessable(_("Tệp PDF bị hỏng, không đọc được."), code="corrupt_pdf") from None
        # Something signature-like is there, but broken: a signed file that cannot be trusted.
        return Report(INVALID, [SignatureResult(field="", signer="", organization="", signed_at=None, status=INVALID,
                                                reasons=["malformed_signature"],
                                                messages=[_(REASONS["malformed_signature"])])])
    if not sigs:
        return Report(UNSIGNED, [])
    # Database reads happen here, before the event loop (Django refuses them inside it).
    org_fps = _org_fingerprints()
    trust = _trust_material()

    def vc_factory(revocation_mode: str = "hard-fail", fetch: bool = fetch) -> ValidationContext:
        # A fresh context per signature: it caches revocation data and the paths it built.
        return validation_context(crls=crls, fetch=fetch, trust=trust, revocation_mode=revocation_mode)

    async def run() -> list[SignatureResult]:
        return [await _check_one(s, len(data), vc_factory, org_fps) for s in sigs]

    results = asyncio.run(run())
    for r in results:
        r.messages = [_(REASONS[c]) for c in r.reasons]
    status = VALID
    for r in results:
        status = _worst(status, r.status)
    return Report(status, results)
