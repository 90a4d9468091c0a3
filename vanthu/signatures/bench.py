"""Benchmarks `vanthu bench sign` and `vanthu bench verify` (registered in vanthu.bench.runner).

sign: the leader's signature (approval) plus the organisation's stamped seal (issue), through
      `sign_on_approval` and `seal_on_issue` (reading the file, signing, storing the new file,
      the rows and the audit entries), on a 1-page and a 20-page PDF. Baseline: bare pyHanko
      (`SimpleSigner` built once from the same RSA key, `sign_pdf` twice, invisible fields) on
      the same PDF in the same run, alternating with ours. value = our median ms on 1 page.
verify: `verify_pdf` on a two-signature document (what arrival and the API run). Baseline: bare
      pyHanko validation of both signatures with the same trust root and revocation mode.
"""

from __future__ import annotations

import io
import time

from asn1crypto import keys as asn1_keys
from cryptography.hazmat.primitives import serialization
from django.utils import timezone

from vanthu.bench import world
from vanthu.bench.runner import Context, Result, median, ms, scenario
from vanthu.documents.models import DocStatus, Document, DocumentFile, DocumentType, FileRole
from vanthu.documents.pdf import inspect_pdf
from vanthu.documents.pdfgen import make_pdf
from vanthu.documents.storage import read_blob, store_pdf

from . import ca
from . import certs as C
from .actions import seal_on_issue, sign_on_approval
from .keys import decrypt_private_key
from .models import SigningCertificate
from .signing import LEADER_FIELD, SEAL_FIELD, StampText, sign_pdf
from .verify import KEY_USAGE, validation_context, verify_pdf

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


def _bare_signer(cert_row: SigningCertificate):
    """What a bare pyHanko user writes: a SimpleSigner from the PKCS#8 key, built once."""
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = decrypt_private_key(cert_row.encrypted_key)
    pki = asn1_keys.PrivateKeyInfo.load(key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))
    chain = [C.to_asn1(C.unb64(c)) for c in cert_row.chain_der]
    return signers.SimpleSigner(C.to_asn1(cert_row.certificate_der), pki, SimpleCertificateStore.from_certs(chain))


def _bare_sign(data: bytes, signer, field: str) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    w = IncrementalPdfFileWriter(io.BytesIO(data))
    return signers.sign_pdf(w, signers.PdfSignatureMetadata(field_name=field), signer=signer).getvalue()


def _measure_sign(ctx: Context, issuer, pages: int, reps: int, bare_leader, bare_org) -> dict:
    data = _pdf(pages)
    docs = _documents(issuer, data, reps + WARMUP)
    ours, bare, sign_only, leader_only = [], [], [], []
    from .signers import signer_for

    lrow = SigningCertificate.objects.get(user=issuer.leader)
    orow = SigningCertificate.objects.get(user__isnull=True, organization=issuer.org)
    stamp = StampText(issuer.leader.full_name, issuer.org.name, issuer.org.short_name)
    for i, doc in enumerate(docs):
        t0 = time.perf_counter()
        sign_on_approval(doc, user=issuer.leader)
        seal_on_issue(doc, user=issuer.clerk)
        t1 = time.perf_counter()
        b1 = _bare_sign(data, bare_leader, "Sig1")
        _bare_sign(b1, bare_org, "Sig2")
        t2 = time.perf_counter()
        # The pyHanko part of our path alone, to tell signing from storage and rows.
        s1 = sign_pdf(data, signer_for(lrow), field_name=LEADER_FIELD)
        t_mid = time.perf_counter()
        sign_pdf(s1, signer_for(orow), field_name=SEAL_FIELD, stamp=stamp)
        t3 = time.perf_counter()
        if i >= WARMUP:
            ours.append(t1 - t0)
            bare.append(t2 - t1)
            sign_only.append(t3 - t2)
            leader_only.append(t_mid - t2)
    last = Document.objects.get(pk=docs[-1].pk)
    report = verify_pdf(read_blob(last.authoritative_file.file_id))
    return {"ours_ms": ms(median(ours)), "bare_ms": ms(median(bare)), "signing_only_ms": ms(median(sign_only)),
            "leader_signature_ms": ms(median(leader_only)),
            "seal_with_stamp_ms": ms(median(sign_only) - median(leader_only)),
            "storage_rows_audit_ms": ms(median(ours) - median(sign_only)),
            "ok": report.status == "valid" and len(report.signatures) == 2, "samples": len(ours)}


@scenario("sign", default_scale=1, help="leader's signature + organisation seal on a 1- and 20-page PDF (median ms)")
def run_sign(ctx: Context) -> Result:
    reps = ctx.repeat or 15
    tag = world.run_tag()
    ctx.say("preparing a demo authority, an issuer and its certificates …")
    _auth, issuer = _setup(tag)
    bare_leader = _bare_signer(SigningCertificate.objects.get(user=issuer.leader))
    bare_org = _bare_signer(SigningCertificate.objects.get(user__isnull=True, organization=issuer.org))
    results = {}
    for pages in (1, 20):
        ctx.say(f"signing {reps} documents of {pages} page(s) through VanThu and bare pyHanko, alternately …")
        results[f"{pages}_page"] = _measure_sign(ctx, issuer, pages, reps, bare_leader, bare_org)
    one = results["1_page"]
    details = {"key": "RSA-2048", "pages": results, "ok": all(r["ok"] for r in results.values()),
               "our_path": "sign_on_approval + seal_on_issue (visible stamp, DejaVu Sans subset, seal image)",
               "baseline_path": "pyhanko SimpleSigner.sign_pdf x2, invisible fields"}
    return Result("sign", "two signatures, 1-page PDF (median)", "ms", one["ours_ms"], one["bare_ms"], details=details,
                  summary=[f"{k}: VanThu {v['ours_ms']} ms (pyHanko part {v['signing_only_ms']} ms), bare {v['bare_ms']} ms"
                           for k, v in results.items()])


@scenario("verify", default_scale=1, help="verify a two-signature document (median ms)")
def run_verify(ctx: Context) -> Result:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature

    reps = ctx.repeat or 30
    tag = world.run_tag()
    ctx.say("preparing a two-signature document …")
    _auth, issuer = _setup(tag)
    doc = _documents(issuer, _pdf(1), 1)[0]
    sign_on_approval(doc, user=issuer.leader)
    seal_on_issue(doc, user=issuer.clerk)
    doc.refresh_from_db()
    data = read_blob(doc.authoritative_file.file_id)
    from .verify import _trust_material

    trust = _trust_material()
    ours, bare = [], []
    statuses = set()
    for i in range(reps + WARMUP):
        t0 = time.perf_counter()
        report = verify_pdf(data)
        t1 = time.perf_counter()
        reader = PdfFileReader(io.BytesIO(data))
        bare_ok = all(validate_pdf_signature(s, signer_validation_context=validation_context(trust=trust),
                                             key_usage_settings=KEY_USAGE).bottom_line
                      for s in reader.embedded_signatures)
        t2 = time.perf_counter()
        statuses.add((report.status, bare_ok))
        if i >= WARMUP:
            ours.append(t1 - t0)
            bare.append(t2 - t1)
    ok = statuses == {("valid", True)}
    return Result("verify", "verify a two-signature PDF (median)", "ms", ms(median(ours)), ms(median(bare)),
                  details={"signatures": 2, "ok": ok, "samples": len(ours), "key": "RSA-2048"})
