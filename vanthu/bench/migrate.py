"""`migrate`: importing a generated Lotus Notes DXL export of N documents (default 50,000, of which
40% carry an attachment of `attachment_kb`, 100 KB by default: 20,000 attachments, 2 GB).

- VanThu: `vanthu.migration.importer.run_import` as the command runs it — every note a legacy
  record with its items, rich text and attachments (files written to the store by SHA-256), the
  mapped forms entered in the registers through the documents app, an audit entry each, one
  transaction per note. Documents per second (and MB per second of export read).
- Baseline: a bare `lxml.etree.iterparse` pass over the same file (the elements cleared as it
  goes), as the issue asks; the details also give a bare parse-and-insert (the note's unid, form
  and items as JSON written with raw SQL, a transaction per 1,000 notes, no files), which is the
  least an import that keeps the data could do.
- Peak memory: the import's private resident memory (RssAnon, sampled while it runs: the heap,
  lxml's buffers, SQLite's page cache), the target being ≤ 300 MB whatever the file's size; and
  beside it the process's resident high-water mark (VmHWM), which also counts the pages of files
  mapped into it as they are touched: on SQLite the database itself (`mmap_size`, 256 MB), the
  kernel's page cache, shared and reclaimable, which grows with the database up to that size.
- A second run of the same file (nothing new: every note recognised by its UNID) is timed too.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from django.db import connection
from lxml import etree

from vanthu.documents.doctypes import ensure_document_types
from vanthu.migration import samples as s
from vanthu.migration.dxl import Note, read_export
from vanthu.migration.importer import run_import
from vanthu.migration.mapping import parse_mapping
from vanthu.migration.models import LegacyRecord

from . import world
from .database import Raw
from .runner import Context, Result, scenario

MAPPING = """
[forms.VanBanDi]
register = "outgoing"
number = "SoVB"
symbol = "SoKyHieu"
date = "NgayBanHanh"
default_doc_type = "CV"
subject = "TrichYeu"
signer = "NguoiKy"
term = "2010-2015"

[forms.VanBanDen]
register = "incoming"
incoming_number = "SoDen"
received = "NgayDen"
symbol = "SoKyHieu"
default_doc_type = "CV"
issuer = "CoQuanBanHanh"
subject = "TrichYeu"
"""
SUBJECTS = [
    "Về việc tổ chức hội nghị sơ kết công tác xây dựng Đảng 6 tháng đầu năm",
    "Kế hoạch kiểm tra, giám sát việc thực hiện Quy chế làm việc của Ban Chấp hành",
    "Thông báo kết luận của Thường trực Đảng ủy Khối tại buổi làm việc với các đảng bộ cơ sở",
    "Về việc đăng ký thi đua và đề nghị khen thưởng tổ chức cơ sở đảng trong sạch vững mạnh",
    "Hướng dẫn đánh giá, xếp loại chất lượng tổ chức cơ sở đảng và đảng viên hằng năm",
]
AN = "CN=Nguyễn Văn An/OU=VP/O=DUK"
BINH = "CN=Trần Thị Bình/OU=VP/O=DUK"


def notes(n: int, attachment_bytes: int, tag: str) -> Iterator[s.SampleNote]:
    """An office's year: outgoing, incoming and memos; every fifth note in two carries an attachment."""
    for i in range(1, n + 1):
        subject = f"{SUBJECTS[i % len(SUBJECTS)]} (số {i})"
        day = f"2012{(i % 12) + 1:02d}{(i % 28) + 1:02d}"
        items = [s.text("TrichYeu", subject), s.text("NguoiKy", AN, names=True), s.text("TacGia", BINH, authors=True),
                 s.dt("NgayBanHanh", day), s.textlist("NoiNhan", ["Các đảng bộ cơ sở", "Lưu VP"]),
                 s.richtext("Body", [subject, "Căn cứ Quy chế làm việc của Ban Chấp hành Đảng bộ Khối khóa XI, nhiệm kỳ 2010-2015;",
                                     "Thường trực Đảng ủy Khối đề nghị các đồng chí bí thư cấp ủy cơ sở quan tâm chỉ đạo thực hiện."],
                            table=[["Đơn vị", "Số đảng viên"], ["Chi bộ Văn phòng", str(20 + i % 9)]] if i % 7 == 0 else None)]
        kind = i % 5
        if kind in (0, 1, 2):
            form = "VanBanDi"
            items += [s.number("SoVB", i), s.text("SoKyHieu", f"{i:02d}-CV/ĐUK")]
        elif kind == 3:
            form = "VanBanDen"
            items += [s.number("SoDen", i), s.dt("NgayDen", f"{day}T093000,00+07"), s.text("SoKyHieu", f"{i}-CV/TU"),
                      s.text("CoQuanBanHanh", "Thành ủy Hà Nội")]
        else:
            form = "GhiChep"
        files = [s.File(f"phu-luc-{i}.doc", chunks=s.noise(attachment_bytes, f"{tag}{i}"))] if i % 5 in (1, 3) else []
        yield s.SampleNote(form=form, unid=s.unid(i, tag), note_id=f"{i:x}", created=f"{day}T081500,00+07",
                           modified=f"{day}T161500,00+07", updated_by=[BINH], items=items, files=files)


def bare_iterparse(path: Path) -> int:
    """The engine alone: every element parsed, documents counted, the tree cleared as it goes."""
    count = 0
    for _event, elem in etree.iterparse(str(path), events=("end",), huge_tree=True, resolve_entities=False,
                                        no_network=True, load_dtd=False):
        if elem.tag == "{http://www.lotus.com/dxl}document":
            count += 1
            elem.clear()
            parent = elem.getparent()
            while parent is not None and elem.getprevious() is not None:
                del parent[0]
    return count


def bare_parse_insert(raw: Raw, path: Path, table: str) -> int:
    """Parse (our reader: base64 decoded) and keep each note's unid, form and items with raw SQL."""
    count = 0
    cur = raw.cursor()
    raw.execute(cur, f"CREATE TABLE {table} (unid VARCHAR(32) PRIMARY KEY, form VARCHAR(128), items TEXT)")
    rows: list[tuple] = []
    with path.open("rb") as fh:
        for note in read_export(fh):
            if isinstance(note, Note):
                rows.append((note.unid, note.form, json.dumps(note.items, ensure_ascii=False, default=str)))
                count += 1
                if len(rows) == 1000:
                    with raw.transaction():
                        raw.executemany(cur, f"INSERT INTO {table} (unid, form, items) VALUES (%s, %s, %s)", rows)
                    rows = []
    if rows:
        with raw.transaction():
            raw.executemany(cur, f"INSERT INTO {table} (unid, form, items) VALUES (%s, %s, %s)", rows)
    raw.execute(cur, f"DROP TABLE {table}")
    return count


class AnonPeak:
    """The highest RssAnon of this process seen while the `with` lasts, sampled every 50 ms by a
    thread (Linux; None elsewhere)."""

    def __init__(self) -> None:
        self.peak_kb: int | None = None
        self._stop = threading.Event()

    @staticmethod
    def _now_kb() -> int | None:
        try:
            with open("/proc/self/status", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("RssAnon:"):
                        return int(line.split()[1])
        except OSError:
            return None
        return None

    def _sample(self) -> None:
        while True:
            kb = self._now_kb()
            if kb is not None:
                self.peak_kb = max(self.peak_kb or 0, kb)
            if self._stop.wait(0.05):
                return

    def __enter__(self) -> AnonPeak:
        self._thread = threading.Thread(target=self._sample, name="anon-peak", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def mb(self) -> float | None:
        return None if self.peak_kb is None else round(self.peak_kb / 1024, 1)


def peak_rss_mb() -> float:
    """This process's peak resident memory. On Linux from VmHWM: getrusage's ru_maxrss survives
    execve, so a bench started by a big parent (a test suite) would report the parent's peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024, 1)


def _mmap_mb() -> float | None:
    """The database file's memory map, as the connection set it (SQLite), in MB; None elsewhere."""
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cur:
        cur.execute("PRAGMA mmap_size")
        return round(cur.fetchone()[0] / 2**20, 1)


@scenario("migrate", default_scale=50_000, tiny=200, small=2_000,
          help="import a generated DXL export (documents/s, MB/s, peak memory) against a bare lxml iterparse pass")
def run_migrate(ctx: Context) -> Result:
    n = ctx.scale
    attachment_bytes = int(ctx.option("attachment_kb", ctx.sized(tiny=20, small=100, default=100))) * 1024
    tag = world.run_tag()
    ensure_document_types()
    org = world.make_orgs(tag, "MIG", 1)[0]
    mapping = parse_mapping(MAPPING)
    with tempfile.TemporaryDirectory(prefix="vanthu-bench-migrate-") as tmp:
        path = Path(tmp) / f"dukhoi-{tag}.dxl"
        ctx.say(f"writing a DXL export of {n} documents ({n * 2 // 5} attachments of {attachment_bytes // 1024} KB) …")
        with path.open("wb") as fh:
            s.write_export(fh, notes(n, attachment_bytes, tag))
        size_mb = path.stat().st_size / 1e6
        ctx.say(f"{size_mb:,.1f} MB; bare iterparse pass …")
        t0, c0 = time.perf_counter(), time.process_time()
        seen = bare_iterparse(path)
        bare_s, bare_cpu = time.perf_counter() - t0, time.process_time() - c0
        ctx.say("bare parse and insert …")
        t0, c0 = time.perf_counter(), time.process_time()
        inserted = bare_parse_insert(Raw(), path, f"bench_dxl_{tag.lower()}")
        insert_s, insert_cpu = time.perf_counter() - t0, time.process_time() - c0
        ctx.say("VanThu import …")
        t0, c0 = time.perf_counter(), time.process_time()
        with AnonPeak() as anon:
            report = run_import(path, organization=org, mapping=mapping)
        ours_s, ours_cpu = time.perf_counter() - t0, time.process_time() - c0
        ctx.say("the same file again (nothing new) …")
        t0 = time.perf_counter()
        again = run_import(path, organization=org, mapping=mapping)
        again_s = time.perf_counter() - t0
    stored = LegacyRecord.objects.filter(organization=org).count()
    peak = peak_rss_mb()
    ok = (seen == inserted == n and report["documents"] == n and report["created"] == n and stored == n
          and not report["errors"] and again["created"] == 0 and again["unchanged"] == n
          and (anon.mb if anon.mb is not None else peak) <= 300)
    result = Result(
        scenario="migrate", metric="documents imported per second", unit="documents/s",
        value=n / ours_s, baseline=n / bare_s, higher_is_better=True,
        details={
            "ok": ok, "documents": n, "attachments": report["attachments"], "export_mb": round(size_mb, 1),
            "import_s": round(ours_s, 2), "import_mb_per_s": round(size_mb / ours_s, 2),
            "bare_iterparse_s": round(bare_s, 2), "bare_iterparse_mb_per_s": round(size_mb / bare_s, 2),
            "bare_parse_insert_s": round(insert_s, 2), "bare_parse_insert_docs_per_s": round(n / insert_s, 1),
            "ratio_to_parse_insert": round((n / insert_s) / (n / ours_s), 2),
            "rerun_s": round(again_s, 2), "rerun_docs_per_s": round(n / again_s, 1),
            "mapped": report["mapped"], "import_peak_anon_mb": anon.mb, "peak_anon_limit_mb": 300,
            "peak_rss_mb": peak, "sqlite_mmap_mb": _mmap_mb(),
            # This process's CPU seconds, which a shared machine does not inflate as it does wall time.
            "import_cpu_s": round(ours_cpu, 2), "bare_iterparse_cpu_s": round(bare_cpu, 2),
            "bare_parse_insert_cpu_s": round(insert_cpu, 2), "load_average": [round(x, 1) for x in os.getloadavg()],
        },
    )
    result.summary = [
        f"export: {n} documents, {report['attachments']} attachments, {size_mb:,.1f} MB",
        f"VanThu import: {ours_s:.1f} s = {n / ours_s:,.0f} documents/s, {size_mb / ours_s:,.1f} MB/s",
        f"bare iterparse: {bare_s:.1f} s = {n / bare_s:,.0f} documents/s, {size_mb / bare_s:,.1f} MB/s",
        f"bare parse + insert: {insert_s:.1f} s = {n / insert_s:,.0f} documents/s",
        f"second run (nothing new): {again_s:.1f} s; the import's private memory at most {anon.mb} MB (limit 300), the process's resident peak {peak} MB",
    ]
    return result
