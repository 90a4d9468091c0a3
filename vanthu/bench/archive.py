"""`archive`: exporting a year's archive, and re-timestamping signed files (issue 21).

1. Export: an organisation's year of N documents (default 100,000), one PDF each of about 48 KB
   (a two- or three-page party document), written by `export_package` as one ZIP file (the
   package's files, the metadata in JSON and XML, the manifests). In MB/s of the documents'
   bytes, against a bare `tar` of the same files (GNU tar writing one archive from the storage,
   no metadata, no manifest) as the ratio's base; runs alternate. The directory form is timed
   once (one file created per document: on a busy disk that costs more than the bytes), and
   `verify_package` of it.
2. Re-timestamping: M files (default 10,000, `--files`) signed and given long-term evidence in
   preparation; then `renew_due` (read, the last timestamp validated and its validation data
   added, a new document timestamp from a TSA on the loopback, in a process of its own as a real
   one is elsewhere; the new file stored, the row and the audit log written), in files/s,
   against the same pyHanko steps (`ltv.renew`) on the same bytes with the same TSA and
   validation context, one file after the other, nothing stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
import subprocess
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from vanthu.archive import evidence, ltv
from vanthu.archive.models import LongTermEvidence
from vanthu.archive.package import export_package, verify_package
from vanthu.archive.tsa import Authority, TsaServer, issue_tsa_certificate
from vanthu.documents.doctypes import ensure_document_types
from vanthu.documents.models import DocStatus, Document, DocumentFile, DocumentType, StoredFile
from vanthu.documents.pdfgen import make_pdf
from vanthu.documents.storage import path_for, write_blob
from vanthu.signatures import ca
from vanthu.signatures import certs as C
from vanthu.signatures.signers import LoadedKeySigner
from vanthu.signatures.signing import sign_pdf
from vanthu.signatures.tsaclient import KeepAliveTimeStamper

from . import world
from .runner import Context, Result, scenario

BATCH = 5000


def _pdf_bodies(n: int, size_kb: int) -> list[bytes]:
    """N distinct PDFs of about size_kb: a real page, padded with a comment after %%EOF that
    differs per file (so that each is stored apart, as N documents' files are)."""
    base = make_pdf(["Về việc triển khai công tác lưu trữ hồ sơ năm 2026", "Thử tải xuất gói lưu trữ."])
    pad = max(0, size_kb * 1024 - len(base) - 32)
    filler = (b"%" + b"0" * 78 + b"\n") * (pad // 80)
    return [base + filler + f"%vanthu-bench-{i:09d}\n".encode() for i in range(n)]


def _prepare_year(ctx: Context, tag: str, n: int, size_kb: int, year: int):
    org = world.make_orgs(tag, "ARCH", 1, kind="bloc_committee")[0]
    clerk = world.make_person(org, tag, "clerk")
    ensure_document_types()
    cv = DocumentType.objects.get(code="CV")
    ctx.say(f"preparing {n} documents of ~{size_kb} KB in {year} …")
    made = 0
    while made < n:
        k = min(BATCH, n - made)
        bodies = _pdf_bodies(k, size_kb)
        shas = []
        for i, body in enumerate(bodies):
            body = body.replace(b"%vanthu-bench-", f"%{tag}-{made}-".encode(), 1)
            shas.append((write_blob(body), len(body)))
            bodies[i] = None  # type: ignore[call-overload]
        StoredFile.objects.bulk_create([StoredFile(sha256=s, size=z, page_count=1) for s, z in shas], ignore_conflicts=True)
        docs = Document.objects.bulk_create([
            Document(issuer=org, doc_type=cv, subject=f"Về việc thử tải lưu trữ số {made + i + 1}", status=DocStatus.ISSUED,
                     number=made + i + 1, symbol=f"{made + i + 1}-CV/ĐUK", register_key=f"CV:{tag}", issued_date=dt.date(year, 1 + (i % 12), 15),
                     issued_at=timezone.now(), created_by=clerk, page_count=1)
            for i in range(k)])
        DocumentFile.objects.bulk_create([DocumentFile(document=d, file_id=s, role="main", name="vanban.pdf")
                                          for d, (s, _z) in zip(docs, shas, strict=True)])
        made += k
        ctx.say(f"  {made}/{n}")
    return org


def _bare_tar(org_id: int, year: int, out: Path) -> int:
    """GNU tar of the same files, straight from the storage: the ratio's base. Returns bytes."""
    shas = list(DocumentFile.objects.filter(document__issuer_id=org_id, document__issued_date__year=year).values_list("file_id", flat=True))
    root = Path(settings.FILES_DIR)
    listing = out.with_suffix(".list")
    listing.write_text("".join(f"{path_for(s).relative_to(root)}\n" for s in shas))
    subprocess.run(["tar", "-cf", str(out), "-C", str(root), "-T", str(listing)], check=True)
    listing.unlink()
    return sum(path_for(s).stat().st_size for s in shas)


def _export_part(ctx: Context, tag: str) -> dict:
    """The package as one ZIP file against tar's one file, alternately (the headline); the
    directory form once, and `verify_package` of it (both in the details)."""
    n, size_kb = ctx.scale, int(ctx.option("file_kb", 48))
    year = timezone.localdate().year - 1
    org = _prepare_year(ctx, tag, n, size_kb, year)
    reps = ctx.repeat or ctx.sized(tiny=1, small=2, default=2)
    ours, bare, payload, doc_bytes = [], [], 0, 0
    with tempfile.TemporaryDirectory(prefix="vanthu-bench-archive-", dir=settings.DATA_DIR) as tmp:
        for r in range(reps):
            ctx.say(f"export as one ZIP file {r + 1}/{reps} …")
            target = Path(tmp) / f"goi-{r}.zip"
            t0 = time.perf_counter()
            result = export_package(org, target, year=year, as_zip=True)
            ours.append(time.perf_counter() - t0)
            payload, documents = result.bytes, result.documents
            target.unlink()
            ctx.say(f"bare tar {r + 1}/{reps} …")
            tar = Path(tmp) / f"bare-{r}.tar"
            t0 = time.perf_counter()
            doc_bytes = _bare_tar(org.id, year, tar)
            bare.append(time.perf_counter() - t0)
            tar.unlink()
        ctx.say("export as a directory, and verify it …")
        target = Path(tmp) / "goi"
        t0 = time.perf_counter()
        export_package(org, target, year=year)
        dir_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        report = verify_package(target)
        verify_s = time.perf_counter() - t0
        assert report["problems"] == [], report["problems"][:5]
    mb = doc_bytes / 1e6
    return {"documents": documents, "document_mb": round(mb, 1), "package_mb": round(payload / 1e6, 1),
            "zip_export_mb_s": [round(mb / s, 1) for s in ours], "tar_mb_s": [round(mb / s, 1) for s in bare],
            "directory_export_mb_s": round(mb / dir_s, 1), "verify_directory_s": round(verify_s, 2),
            "mb_s": mb / min(ours), "tar_best_mb_s": mb / min(bare), "samples": len(ours)}


def _serve_tsa(auth: Authority, conn) -> None:  # noqa: ANN001 - a multiprocessing connection
    server = TsaServer(auth)
    conn.send(server.url)
    server.serve_forever()


def _tsa_process(auth: Authority) -> tuple[multiprocessing.Process, str]:
    """The TSA in a process of its own, as a real one is another machine: in a thread of the
    bench's process its token building would share one interpreter lock with the work timed.
    Forked: it needs the authority, not Django (it never touches the database)."""
    fork = multiprocessing.get_context("fork")
    ours, theirs = fork.Pipe()
    process = fork.Process(target=_serve_tsa, args=(auth, theirs), daemon=True)
    process.start()
    return process, ours.recv()


def _renew_part(ctx: Context, tag: str) -> dict:
    m = int(ctx.option("files", ctx.sized(tiny=20, small=300, default=10_000)))
    root = ca.make_root(f"Gốc thử tải lưu trữ {tag}", years=30)
    ca.ensure_trust_root(root.certificate, f"Gốc thử tải lưu trữ {tag}")
    cert, key = ca.issue(root, ca.person_name("Người ký thử tải", None, "bench"), kind="ec")
    signer = LoadedKeySigner(C.to_asn1(C.der(cert)), key, [C.to_asn1(C.der(root.certificate))])
    tsa_cert, tsa_key = issue_tsa_certificate(root.certificate, root.key, name=f"TSA thử tải {tag}", years=2)
    tsa, url = _tsa_process(Authority(tsa_cert, tsa_key, [root.certificate]))
    try:
        ts = KeepAliveTimeStamper(url)  # VanThu's TSA client, for both sides
        roots = [C.to_asn1(C.der(root.certificate))]
        ctx.say(f"preparing {m} signed files with their first evidence (B-LTA) …")
        mine: list[str] = []
        for i in range(m):
            signed = sign_pdf(make_pdf([f"Quyết định số {i + 1}/QĐ-ĐUK về công tác lưu trữ"]), signer, field_name="ChuKyToChuc")
            sha = write_blob(signed)
            StoredFile.objects.get_or_create(sha256=sha, defaults={"size": len(signed), "page_count": 1})
            mine.append(evidence.secure_file(sha, ts=ts, roots=roots).source_id)
            if (i + 1) % 500 == 0:
                ctx.say(f"  {i + 1}/{m}")
        # An earlier run's files (another authority) are left out: only this run's are due.
        LongTermEvidence.objects.exclude(source_id__in=mine).update(timestamp_expires=timezone.now() + dt.timedelta(days=365 * 100))
        sources = list(LongTermEvidence.objects.filter(source_id__in=mine).values_list("current_id", flat=True))
        # The same pyHanko steps on the same bytes, first (they are VanThu's files before VanThu
        # renews them), one file after the other, nothing stored: ltv.renew is those steps.
        ctx.say("bare pyHanko re-timestamping …")
        t0 = time.perf_counter()
        context = ltv.gathering_context(roots)  # one for the batch, as renew_due's threads have
        for sha in sources:
            hashlib.sha256(ltv.renew(path_for(sha).read_bytes(), ts=ts, roots=roots, context=context).data).digest()
        bare_s = time.perf_counter() - t0
        ctx.say("VanThu's renew_due …")
        t0 = time.perf_counter()
        result = evidence.renew_due(limit=m, ts=ts, roots=roots, now=timezone.now() + dt.timedelta(days=365 * 3))
        ours_s = time.perf_counter() - t0
    finally:
        tsa.terminate()
        tsa.join()
    return {"files": len(sources), "renewed": result["renewed"], "failed": result["failed"],
            "files_s": result["renewed"] / ours_s if ours_s else 0.0, "bare_files_s": len(sources) / bare_s if bare_s else 0.0}


@scenario("archive", default_scale=100_000, tiny=300, small=5_000,
          help="export of a year's archive (MB/s, against bare tar) and re-timestamping (files/s, against bare pyHanko)")
def run_archive(ctx: Context) -> Result:
    tag = world.run_tag()
    export = _export_part(ctx, tag)
    renew = _renew_part(ctx, tag)
    checks = {"export_50_mb_s": export["mb_s"] >= 50, "renew_50_files_s": renew["files_s"] >= 50,
              "renewed_all": renew["renewed"] == renew["files"] and not renew["failed"]}
    details = {**{k: v for k, v in export.items() if k not in ("mb_s",)}, "renew": {k: (round(v, 1) if isinstance(v, float) else v)
                                                                                    for k, v in renew.items()},
               "baseline_samples": export["samples"], "load_average": round(os.getloadavg()[0], 1), **checks,
               "ok": checks["renewed_all"]}
    return Result(
        scenario="archive", metric="year export (one ZIP file)", unit="MB/s", value=export["mb_s"], baseline=export["tar_best_mb_s"],
        higher_is_better=True, details=details,
        summary=[
            f"export of {export['documents']} documents ({export['document_mb']} MB): {export['mb_s']:.0f} MB/s"
            f" as one ZIP file (bare tar {export['tar_best_mb_s']:.0f} MB/s; target ≥ 50); as a directory"
            f" {export['directory_export_mb_s']} MB/s, verified in {export['verify_directory_s']} s",
            f"re-timestamping {renew['files']} files: {renew['files_s']:.1f} files/s (bare pyHanko {renew['bare_files_s']:.1f}; target ≥ 50)",
        ],
    )
