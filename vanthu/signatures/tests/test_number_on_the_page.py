"""The issued PDF shows its number, symbol and date: written at issue into the places the draft
left blank (the clerk's number stamp, as on paper), under the leader's signature, which still
holds, and covered by the organisation's seal. Stamps and pages read times as 07/12/2026 11:29."""

from __future__ import annotations

import io
import re

from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader

from vanthu.documents import actions
from vanthu.documents.models import Document
from vanthu.documents.storage import read_blob
from vanthu.documents.tests import party_pdfs
from vanthu.signatures.models import SigningCertificate
from vanthu.signatures.page_marks import DATE_FIELD, NUMBER_FIELD
from vanthu.signatures.verify import verify_pdf
from vanthu.testing import factories as f

from .stamps import _texts, shown_signatures

BLANK_LINE_Y = party_pdfs.HEIGHT - 60 - 4 * 18  # the fifth line: "Số      -CV/ĐUK" and the date


def _draft_with_blanks(world) -> Document:
    """A party document's first page, its number and date left blank for the clerk."""
    lines = party_pdfs.first_page()
    lines[4] = [(party_pdfs.LEFT, "Số      -CV/ĐUK"), (party_pdfs.RIGHT, "Hà Nội, ngày      tháng      năm 2026")]
    a = world.a
    return actions.create_draft(user=a.specialist, organization=a.org, doc_type="CV", subject="Về việc thử số trên trang",
                                recipient_ids=[world.b.org.id], main_file=f.upload("cv.pdf", party_pdfs.pdf(lines)))


def _issue(world, doc: Document) -> Document:
    a = world.a
    actions.submit_document(doc, user=a.specialist)
    actions.approve_document(doc, user=a.leader)
    actions.issue_document(Document.objects.get(pk=doc.pk), user=a.clerk)
    return Document.objects.get(pk=doc.pk)


def _written(data: bytes) -> dict[str, tuple[str, str, list[float], int]]:
    """Each reserved field: its value, the text its appearance draws, its box and its flags."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    out = {}
    for ref in reader.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if str(field.get("/T")) in (NUMBER_FIELD, DATE_FIELD):
            out[str(field["/T"])] = (str(field["/V"]), "".join(_texts(field["/AP"]["/N"])),
                                     [float(v) for v in field["/Rect"]], int(field["/F"]))
    return out


def test_the_issued_pdf_carries_its_number_and_date_in_the_blanks_under_the_seal(signing_world):
    world = signing_world
    doc = _issue(world, _draft_with_blanks(world))
    assert doc.symbol == "01-CV/ĐUK"
    data = read_blob(doc.authoritative_file.file_id)
    day = timezone.localdate(doc.issued_at)
    when = f"Hà Nội, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    written = _written(data)
    number_value, number_drawn, number_box, number_flags = written[NUMBER_FIELD]
    date_value, date_drawn, date_box, date_flags = written[DATE_FIELD]
    assert number_value == number_drawn == "Số 01-CV/ĐUK"
    assert date_value == date_drawn == when
    # Over the blanks the draft left: the number at the left, the date at the right, on their line.
    assert number_box[0] < party_pdfs.LEFT + 2 and number_box[1] < BLANK_LINE_Y < number_box[3]
    assert number_box[2] < party_pdfs.RIGHT
    assert abs(date_box[0] - party_pdfs.RIGHT) < 2 and date_box[1] < BLANK_LINE_Y < date_box[3]
    assert number_flags & 4 and date_flags & 4, "printed: a recipient who prints it gets a numbered document"

    # The leader signed the blanks; the clerk's filling is a change that signature allows; the seal,
    # last, covers the whole file with the number in it.
    report = verify_pdf(data)
    assert report.status == "valid", [(s.field, s.reasons) for s in report.signatures]
    assert [s.is_organization for s in report.signatures] == [False, True]
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    leader_sig, seal = reader.embedded_signatures
    assert NUMBER_FIELD.encode() in data[:leader_sig.byte_range[2]], "the places were there when the leader signed"
    assert seal.byte_range[2] + seal.byte_range[3] == len(data), "the seal covers everything, the number included"
    leader_shown, seal_shown = shown_signatures(data)
    assert "Số 01-CV/ĐUK" in seal_shown.stamp.splitlines()
    for stamp in (leader_shown.stamp, seal_shown.stamp):
        time_line = stamp.splitlines()[-1]
        assert re.fullmatch(r"Thời gian ký: \d\d/\d\d/\d{4} \d\d:\d\d", time_line), time_line


def test_a_draft_signed_without_a_leader_certificate_is_still_numbered(signing_world):
    world = signing_world
    SigningCertificate.objects.filter(user=world.a.leader).delete()
    doc = _issue(world, _draft_with_blanks(world))
    data = read_blob(doc.authoritative_file.file_id)
    assert _written(data)[NUMBER_FIELD][1] == "Số 01-CV/ĐUK"
    assert verify_pdf(data).status == "valid"


def test_the_document_page_reads_signing_times_as_people_write_them(signing_world, client):
    world = signing_world
    doc = _issue(world, _draft_with_blanks(world))
    client.force_login(world.a.clerk)
    page = client.get(f"/documents/{doc.id}/").content.decode()
    badge = page[page.index("sig-badge"):page.index("</details>", page.index("sig-badge"))]
    assert re.search(r">\d\d/\d\d/\d{4} \d\d:\d\d</time>", badge), badge
    assert not re.search(r">\d{4}-\d\d-\d\dT", badge), "no ISO timestamps for people"
