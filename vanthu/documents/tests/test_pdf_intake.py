"""PDF intake (`documents.pdf.inspect_pdf`, behind every upload, paper scan and peer package):
a cap on pages, refused before any page is read, and any bytes end in a PdfInfo or a
VanThuError (never another exception) within a bound on time.

The time bounds are bounds on blow-up for a loaded two-core runner, not speed tests: 5 s for an
input under 100 KB (opening such a PDF takes milliseconds).
"""

from __future__ import annotations

import io
import os
import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfWriter

from vanthu.documents.models import Document
from vanthu.documents.pdf import PdfInfo, inspect_pdf
from vanthu.documents.pdfgen import make_pdf
from vanthu.documents.tests.test_bad_input import Unchanged, assert_error, pdf_upload, poster  # noqa: F401 (a fixture)
from vanthu.documents.tests.test_pages import signed_in
from vanthu.errors import VanThuError

EXAMPLES = int(os.environ.get("VANTHU_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
FEW = settings(max_examples=max(25, EXAMPLES // 6), deadline=None, database=None, suppress_health_check=list(HealthCheck))
TWO_PAGES = make_pdf([["Về việc kiểm tra tệp PDF"], ["Trang hai"]])


def pages(n: int, *, count: int | None = None) -> bytes:
    """A real PDF of n blank pages; with `count`, its page tree claims that many instead."""
    w = PdfWriter()
    for _ in range(n):
        w.add_blank_page(595, 842)
    buf = io.BytesIO()
    w.write(buf)
    data = buf.getvalue()
    if count is not None:
        data = re.sub(rb"/Count %d\b" % n, b"/Count %d" % count, data)
    return data


def raw_pdf(objects: dict[int, bytes], root: int = 1) -> bytes:
    """A PDF assembled by hand (with a correct cross-reference table) from numbered objects."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        out += b"%010d 00000 n \n" % offsets[num] if num in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref)
    return bytes(out)


def intake(data: bytes) -> str:
    """'ok' or the VanThuError's code; any other exception, or time past the bound, fails."""
    started = time.monotonic()
    try:
        info = inspect_pdf(data, "tep.pdf")
        assert isinstance(info, PdfInfo) and info.page_count >= 1
        result = "ok"
    except VanThuError as exc:
        assert exc.message and exc.status in (400, 413, 415, 422), exc
        result = exc.code
    elapsed = time.monotonic() - started
    assert elapsed < 5.0 + 5.0 * len(data) / (1024 * 1024), f"{elapsed:.1f} s for {len(data)} bytes ({result})"
    return result


# --- the page cap -------------------------------------------------------------------------------


def test_a_pdf_past_the_page_cap_is_refused_with_413(settings):
    settings.VANTHU_MAX_PDF_PAGES = 3
    assert inspect_pdf(pages(3)).page_count == 3
    with pytest.raises(VanThuError) as exc:
        inspect_pdf(pages(4), "dai.pdf")
    assert (exc.value.status, exc.value.code, exc.value.details) == (413, "too_many_pages", {"max_pages": 3})
    assert exc.value.message.startswith("dai.pdf có hơn 3 trang")


def test_a_page_tree_that_understates_its_count_is_counted_as_it_is(settings):
    settings.VANTHU_MAX_PDF_PAGES = 3
    with pytest.raises(VanThuError) as exc:
        inspect_pdf(pages(40, count=1))
    assert exc.value.code == "too_many_pages"


def test_the_default_cap_refuses_the_100_000_page_pdf_without_listing_its_pages(settings):
    """The default (500) stops the walk of the page tree after about a thousand entries, before
    pypdf lists every page (51 s for 100,000) and long before text extraction."""
    assert settings.VANTHU_MAX_PDF_PAGES == 500
    data = pages(5000)
    assert intake(data) == "too_many_pages"


def test_the_api_answers_413_with_the_json_error_and_writes_nothing(poster, settings):  # noqa: F811
    settings.VANTHU_MAX_PDF_PAGES = 3
    with Unchanged():
        err = assert_error(poster(file=pdf_upload("dai.pdf", pages(4))), 413, "too_many_pages")
    assert err["details"] == {"max_pages": 3} and "có hơn 3 trang" in err["message"]


def test_the_compose_page_says_so_next_to_the_file(world, settings):
    settings.VANTHU_MAX_PDF_PAGES = 3
    r = signed_in(world.a.specialist).post("/documents/new/", {
        "doc_type": "CV", "subject": "Về việc thử tệp dài", "recipient_ids": [world.b.org.id],
        "file": SimpleUploadedFile("dai.pdf", pages(4), content_type="application/pdf")})
    page = r.content.decode()
    assert r.status_code == 200 and 'id="id_file_error"' in page and "dai.pdf có hơn 3 trang" in page
    assert not Document.objects.filter(subject="Về việc thử tệp dài").exists()


# --- any bytes --------------------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=100 * 1024))
def test_any_bytes_end_in_a_pdf_or_a_clear_refusal(data):
    intake(data)


@FUZZ
@given(st.binary(max_size=20 * 1024))
def test_anything_after_a_pdf_header_ends_in_a_pdf_or_a_clear_refusal(tail):
    intake(b"%PDF-1.7\n" + tail)


@FUZZ
@given(st.data())
def test_a_real_pdf_changed_anywhere_ends_in_a_pdf_or_a_clear_refusal(data):
    body = bytearray(TWO_PAGES)
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(body) - 1))
        how = data.draw(st.sampled_from(["flip", "insert", "delete", "splice", "truncate"]))
        if how == "flip":
            body[at] = data.draw(st.integers(0, 255))
        elif how == "insert":
            body[at:at] = data.draw(st.binary(min_size=1, max_size=64))
        elif how == "delete":
            del body[at:at + data.draw(st.integers(1, 256))]
        elif how == "splice":  # a piece of the file elsewhere: repeated objects, streams, references
            start = data.draw(st.integers(0, len(TWO_PAGES) - 1))
            body[at:at] = TWO_PAGES[start:start + data.draw(st.integers(1, 2000))]
        else:
            del body[max(at, 16):]
        if not body:
            body = bytearray(b"%PDF-")
    intake(bytes(body))


PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"


@pytest.mark.parametrize("objects", [
    # The page tree lists itself, or a page lists the tree as its kid.
    {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"},
    {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", 3: b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"},
    # The same page a hundred thousand times, under a count of one.
    {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [" + b"3 0 R " * 100_000 + b"] /Count 1 >>", 3: PAGE},
    # A tree a thousand levels deep.
    {1: b"<< /Type /Catalog /Pages 2 0 R >>", **{n: b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (n + 1) for n in range(2, 1002)}, 1002: PAGE},
    # Kids that are not pages.
    {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [1 0 R 7 0 R (x) 12] /Count -1 >>"},
    {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids 3 0 R /Count 1 >>", 3: b"(not an array)"},
    {1: b"<< /Type /Catalog >>"},
    {1: b"<< /Type /Catalog /Pages 1 0 R >>"},
], ids=["self_kid", "cycle", "same_page_100000_times", "deep_1000", "bad_kids", "kids_not_array", "no_pages", "pages_is_catalog"])
def test_a_hostile_page_tree_ends_in_a_clear_refusal(objects):
    assert intake(raw_pdf(objects)) in ("corrupt_pdf", "too_many_pages")


def test_a_page_count_is_what_the_tree_holds_not_what_it_claims():
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [3 0 R] /Count 99999999999999999999 >>", 3: PAGE}
    assert intake(raw_pdf(objects)) == "ok"
    assert inspect_pdf(raw_pdf(objects)).page_count == 1


def test_a_compression_bomb_in_a_page_ends_in_a_pdf_or_a_clear_refusal():
    import zlib

    bomb = zlib.compress(b"0 0 m " * (20 * 1024 * 1024), 9)  # 120 MB of operators in a few hundred KB
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
               4: b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(bomb) + bomb + b"\nendstream"}
    intake(raw_pdf(objects))


@FEW
@given(st.integers(2, 3000), st.booleans())
def test_many_pages_or_many_kids_end_in_a_pdf_or_a_clear_refusal(n, flat):
    if flat:
        kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(n))
        objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n),
                   **{3 + i: PAGE for i in range(n)}}
    else:  # a chain of /Pages nodes, each with one page and the next node
        objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>"}
        for i in range(n):
            node, page, nxt = 2 + 2 * i, 3 + 2 * i, 4 + 2 * i
            kids = b"%d 0 R" % page + (b" %d 0 R" % nxt if i < n - 1 else b"")
            objects[node] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n - i)
            objects[page] = b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] >>" % node
    code = intake(raw_pdf(objects))
    assert code in ("ok", "too_many_pages", "corrupt_pdf")
    if flat:
        assert code == ("ok" if n <= 500 else "too_many_pages")
