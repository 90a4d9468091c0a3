"""`vanthu bench sign` and `vanthu bench verify`.

sign: the leader's signature (approval) plus the organisation's stamped seal (issue), through
      `sign_for_approval` and `seal_for_issue` and letting each copy in as approval and issue do
      (reading the file, signing, storing the new file, the rows and the audit entry; the seal's
      verification, which issuing also runs, is the `verify` scenario's), on a 1-page and a 20-page PDF. Baseline: bare pyHanko on
      the same PDF with the same RSA keys, interleaved with ours: `sign_pdf` twice (PAdES,
      SHA-256), the second with pyHanko's own visible stamp in the same box. Its signers keep
      their parsed keys, built once before the timed loop as VanThu's signer cache does:
      pyHanko's `SimpleSigner` parses (and checks) its key again on every signature, which
      would make the baseline pay several milliseconds VanThu does not. value = our median ms
      on 1 page.
verify: `verify_pdf` on a two-signature document (what arrival and the API run). Baseline: bare
      pyHanko validation of both signatures with the same trust roots and revocation mode.
"""

from __future__ import annotations

import io
import time

from asn1crypto import keys as asn1_keys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from django.db import transaction
from django.utils import timezone
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator.registry import SimpleCertificateStore

from vanthu.audit.chain import record
from vanthu.documents.actions import attach_signed_copy
from vanthu.documents.models import DocStatus, Document, DocumentFile, DocumentType, FileRole
from vanthu.documents.pdf import inspect_pdf
from vanthu.documents.pdfgen import make_pdf
from vanthu.documents.storage import read_blob, store_pdf
from vanthu.signatures import ca
from vanthu.signatures import certs as C
from vanthu.signatures.actions import seal_for_issue, sign_for_approval
from vanthu.signatures.keys import decrypt_private_key
from vanthu.signatures.models import SigningCertificate
from vanthu.signatures.signers import signer_for
from vanthu.signatures.signing import LEADER_FIELD, SEAL_FIELD, STAMP_BOX, StampText, sign_pdf
from vanthu.signatures.verify import KEY_USAGE, validation_context, verify_pdf

from . import world
from .runner import Context, Result, median, ms, scenario

WARMUP = 3


def _pdf(pages: int) -> bytes:
    return make_pdf([[f"Về việc triển khai chuyển đổi số năm 2026 — trang {i + 1}",
                      "Căn cứ Quy định số 399-QĐ/TW; Đảng ủy Khối đề nghị các đảng bộ thực hiện."]
                     for i in range(pages)])


def _setup(tag: str):
    auth = ca.load_or_create_demo_authority()
    ca.ensure_trust_root(auth.certificate, ca.DEMO_ROOT_NAME)
    issuer = world.make_issuer(tag, "SIGN")
    lcert, lkey = ca.issue(auth, ca.person_name(issuer.leader.full_name, issuer.org, issuer.leader.username))
    ca.save_signing_certificate(lcert, lkey, [auth.certificate], user=issuer.leader, organization=issuer.org)
    ocert, okey = ca.issue(auth, ca.organization_name(issuer.org))
    ca.save_signing_certificate(ocert, okey, [auth.certificate], organization=issuer.org)
    return auth, issuer


def _documents(issuer, data: bytes, count: int) -> list[Document]:
    stored = store_pdf(data, inspect_pdf(data))
    dtype = DocumentType.objects.get(code="CV")
    now = timezone.now()
    docs = Document.objects.bulk_create([
        Document(issuer=issuer.org, doc_type=dtype, subject=f"Thử ký số ({i + 1})", status=DocStatus.APPROVED,
                 place=issuer.org.place, created_by=issuer.clerk, approved_by=issuer.leader, approved_at=now,
                 signer_name=issuer.leader.full_name, page_count=stored.page_count)
        for i in range(count)
    ])
    DocumentFile.objects.bulk_create([DocumentFile(document=d, file=stored, role=FileRole.MAIN, name="vanban.pdf")
                                      for d in docs])
    return list(Document.objects.filter(id__in=[d.id for d in docs]).select_related("issuer", "approved_by").order_by("id"))


class KeptKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner with its key parsed once, when built, instead of on every signature."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._parsed = serialization.load_der_private_key(self.signing_key.dump(), password=None)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        key = self._parsed
        assert isinstance(key, RSAPrivateKey)  # the bench's authority issues RSA keys
        return key.sign(data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))


def _bare_signer(cert_row: SigningCertificate) -> KeptKeySigner:
    """What a bare pyHanko user who signs many documents writes: one signer, its key loaded."""
    key = decrypt_private_key(cert_row.encrypted_key)
    pki = asn1_keys.PrivateKeyInfo.load(key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))
    chain = [C.to_asn1(C.unb64(c)) for c in cert_row.chain_der]
    return KeptKeySigner(C.to_asn1(cert_row.certificate_der), pki, SimpleCertificateStore.from_certs(chain))


def _bare_sign(data: bytes, signer: signers.Signer, field: str, *, visible: bool = False) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    meta = signers.PdfSignatureMetadata(field_name=field, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES)
    spec = None
    if visible:  # pyHanko's default text stamp, on the last page, in VanThu's box
        last_page = int(writer.root["/Pages"]["/Count"]) - 1
        spec = fields.SigFieldSpec(sig_field_name=field, on_page=last_page, box=STAMP_BOX)
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=signer, new_field_spec=spec).sign_pdf(writer, output=out)
    return out.getvalue()


def _sign_and_seal(doc: Document, issuer) -> None:
    """The leader's signature and the organisation's seal, each copy let in as the actions do."""
    # One after the other: the seal signs the copy that already carries the leader's signature.
    for sign, who in ((sign_for_approval, issuer.leader), (seal_for_issue, issuer.clerk)):
        copy = sign(doc, user=who)
        with transaction.atomic():
            attach_signed_copy(doc, copy)
            record("document_signed", actor=who, obj=doc, data={"file": copy.file.file_id})


def _measure_sign(issuer, pages: int, reps: int, bare_leader, bare_org) -> dict:
    data = _pdf(pages)
    docs = _documents(issuer, data, reps + WARMUP)
    ours, bare, sign_only, leader_only = [], [], [], []
    lrow = SigningCertificate.objects.get(user=issuer.leader)
    orow = SigningCertificate.objects.get(user__isnull=True, organization=issuer.org)
    stamp = StampText(issuer.leader.full_name, issuer.org.name, issuer.org.short_name)
    for i, doc in enumerate(docs):
        def vanthu(doc: Document = doc) -> None:
            _sign_and_seal(doc, issuer)

        def baseline() -> None:
            _bare_sign(_bare_sign(data, bare_leader, "Sig1"), bare_org, "Sig2", visible=True)

        # Interleaved, the order swapped every other document, so that a noisy moment hits both.
        for func, sink in ((vanthu, ours), (baseline, bare))[:: 1 if i % 2 == 0 else -1]:
            t0 = time.perf_counter()
            func()
            if i >= WARMUP:
                sink.append(time.perf_counter() - t0)
        # The pyHanko part of our path alone (cached signers), to tell signing from storage and rows.
        t2 = time.perf_counter()
        s1 = sign_pdf(data, signer_for(lrow), field_name=LEADER_FIELD)
        t_mid = time.perf_counter()
        sign_pdf(s1, signer_for(orow), field_name=SEAL_FIELD, stamp=stamp)
        t3 = time.perf_counter()
        if i >= WARMUP:
            sign_only.append(t3 - t2)
            leader_only.append(t_mid - t2)
    last = Document.objects.get(pk=docs[-1].pk)
    report = verify_pdf(read_blob(last.authoritative_file.file_id))
    return {"ours_ms": ms(median(ours)), "bare_ms": ms(median(bare)), "signing_only_ms": ms(median(sign_only)),
            "leader_signature_ms": ms(median(leader_only)),
            "seal_with_stamp_ms": ms(median(sign_only) - median(leader_only)),
            "storage_rows_audit_ms": ms(median(ours) - median(sign_only)),
            "ok": report.status == "valid" and len(report.signatures) == 2,
            "samples": len(ours), "baseline_samples": len(bare)}


@scenario("sign", default_scale=1, tiny=1, small=1,
          help="leader's signature + organisation seal on a 1- and 20-page PDF (median ms)")
def run_sign(ctx: Context) -> Result:
    reps = ctx.repeat or ctx.sized(tiny=3, small=8, default=15)
    tag = world.run_tag()
    ctx.say("preparing a demo authority, an issuer and its certificates …")
    _auth, issuer = _setup(tag)
    # Built once, outside the timed loop, like VanThu's signer cache.
    bare_leader = _bare_signer(SigningCertificate.objects.get(user=issuer.leader))
    bare_org = _bare_signer(SigningCertificate.objects.get(user__isnull=True, organization=issuer.org))
    results = {}
    for pages in (1, 20):
        ctx.say(f"signing {reps} documents of {pages} page(s) through VanThu and bare pyHanko, interleaved …")
        results[f"{pages}_page"] = _measure_sign(issuer, pages, reps, bare_leader, bare_org)
    one = results["1_page"]
    details = {"key": "RSA-2048", "pages": results, "ok": all(r["ok"] for r in results.values()),
               "samples": one["samples"], "baseline_samples": one["baseline_samples"],
               "our_path": "sign_for_approval + seal_for_issue (visible stamp, DejaVu Sans subset, seal image), stored, audited",
               "baseline_path": "pyHanko sign_pdf x2 (PAdES, SHA-256), the second with pyHanko's default visible stamp;"
                                " signers built once with their keys parsed"}
    return Result("sign", "two signatures, 1-page PDF (median)", "ms", one["ours_ms"], one["bare_ms"], details=details,
                  summary=[f"{k}: VanThu {v['ours_ms']} ms (pyHanko part {v['signing_only_ms']} ms), bare {v['bare_ms']} ms"
                           for k, v in results.items()])


@scenario("verify", default_scale=1, tiny=1, small=1, help="verify a two-signature document (median ms)")
def run_verify(ctx: Context) -> Result:
    reps = ctx.repeat or ctx.sized(tiny=3, small=10, default=30)
    tag = world.run_tag()
    ctx.say("preparing a two-signature document …")
    _auth, issuer = _setup(tag)
    doc = _documents(issuer, _pdf(1), 1)[0]
    _sign_and_seal(doc, issuer)
    doc.refresh_from_db()
    data = read_blob(doc.authoritative_file.file_id)
    ours, bare = [], []
    statuses = set()

    def vanthu() -> None:
        statuses.add(("ours", verify_pdf(data).status))

    def baseline() -> None:
        reader = PdfFileReader(io.BytesIO(data))
        ok = all(validate_pdf_signature(s, signer_validation_context=validation_context(), key_usage_settings=KEY_USAGE).bottom_line
                 for s in reader.embedded_signatures)
        statuses.add(("bare", ok))

    for i in range(reps + WARMUP):
        for func, sink in ((vanthu, ours), (baseline, bare))[:: 1 if i % 2 == 0 else -1]:
            t0 = time.perf_counter()
            func()
            if i >= WARMUP:
                sink.append(time.perf_counter() - t0)
    ok = statuses == {("ours", "valid"), ("bare", True)}
    return Result("verify", "verify a two-signature PDF (median)", "ms", ms(median(ours)), ms(median(bare)),
                  details={"signatures": 2, "ok": ok, "samples": len(ours), "baseline_samples": len(bare), "key": "RSA-2048"})
