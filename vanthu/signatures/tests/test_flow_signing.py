"""A document goes draft → approved (signed) → issued (sealed) → received, with two valid signatures."""

from __future__ import annotations

import io

from pypdf import PdfReader

from vanthu.documents import actions
from vanthu.documents.models import Document, FileRole
from vanthu.documents.storage import read_blob
from vanthu.signatures.actions import is_electronically_authenticated
from vanthu.signatures.ca import ensure_demo_ca
from vanthu.signatures.models import SignatureReport, SigningCertificate, TrustRoot
from vanthu.signatures.verify import verify_pdf
from vanthu.testing import factories as f


def _flow(world):
    a = world.a
    with f.background_done():  # the check of the entered file, in the background
        doc = f.draft(a.org, a.specialist, [world.b.org])
    actions.submit_document(doc, user=a.specialist)
    actions.approve_document(doc, user=a.leader)
    actions.issue_document(doc, user=a.clerk)
    return Document.objects.get(pk=doc.pk)


def test_ca_init_is_idempotent_and_covers_leaders_clerks_and_organisations(world):
    first = ensure_demo_ca()
    assert first["people"] == 8  # a leader and a clerk in each of four organisations
    assert first["organizations"] == 5
    assert ensure_demo_ca() == {"people": 0, "organizations": 0}
    assert TrustRoot.objects.count() == 1
    leader_cert = SigningCertificate.objects.get(user=world.a.leader)
    assert leader_cert.encrypted_key and b"PRIVATE KEY" not in bytes(leader_cert.encrypted_key)
    assert not SigningCertificate.objects.filter(user=world.a.specialist).exists()


def test_approve_signs_issue_seals_and_the_recipient_sees_two_valid_signatures(signing_world, api_as):
    world = signing_world
    doc = _flow(world)
    files = {df.role: df for df in doc.files.all() if df.role != FileRole.SIGNED}
    signed = [df for df in doc.files.order_by("position") if df.role == FileRole.SIGNED]
    assert len(signed) == 2, "the leader's signed version and the sealed version are new files"
    assert files[FileRole.MAIN].file_id not in {s.file_id for s in signed}, "the original upload is kept"
    assert doc.authoritative_file_id == signed[-1].id

    data = read_blob(signed[-1].file_id)
    report = verify_pdf(data)
    assert report.status == "valid", [(s.field, s.reasons, s.signed_at) for s in report.signatures]
    names = [s.signer for s in report.signatures]
    assert names == [world.a.leader.get_full_name(), world.a.org.name]
    assert [s.is_organization for s in report.signatures] == [False, True]
    assert all(s.signed_at.endswith("+07:00") for s in report.signatures)
    assert report.authenticated and is_electronically_authenticated(doc)

    # The visible stamp sits on the last page and embeds a font whose glyphs cover Vietnamese:
    # its ToUnicode map has Đ (U+0110, "Đảng") and ả (U+1EA3).
    fonts = _stamp_fonts(PdfReader(io.BytesIO(data)).pages[-1])
    assert fonts, "a visible stamp with an embedded font"
    assert any(b"FontFile2" in repr(fd).encode() or fd.get("/FontFile2") for fd in _descriptors(fonts))
    # Widths in 1/1000 em, as PDF wants them (font units would spread the letters apart).
    widths = [w for font in fonts for desc in font.get("/DescendantFonts", [])
              for entry in desc.get_object().get("/W", []) for w in (entry if isinstance(entry, list) else [])]
    assert widths and max(widths) <= 1000 and min(widths) > 100
    cmap = b"".join(f["/ToUnicode"].get_object().get_data() for f in fonts if "/ToUnicode" in f)
    assert b"0110" in cmap.upper() and b"1EA3" in cmap.upper()

    r = api_as(world.b.clerk).get(f"/api/v1/documents/{doc.id}/signatures")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "valid" and body["authenticated"] is True
    assert [s["signer"] for s in body["signatures"]] == names
    assert [s["status"] for s in body["signatures"]] == ["valid", "valid"]
    assert SignatureReport.objects.filter(document=doc, status="valid").exists()


def test_without_certificates_approval_and_issue_still_work_unsigned(world):
    doc = _flow(world)
    assert doc.status == "issued"
    assert not doc.files.filter(role=FileRole.SIGNED).exists()
    assert doc.authoritative_file_id is None
    assert not is_electronically_authenticated(doc)
    report = SignatureReport.objects.filter(document=doc).first()
    assert report is not None and report.status == "unsigned"


def _stamp_fonts(page) -> list:
    """Every font used by the appearance streams of the page's signature widgets."""
    found, seen = [], set()

    def walk(obj, depth=0):
        obj = obj.get_object()
        if depth > 6 or id(obj) in seen or not hasattr(obj, "get"):
            return
        seen.add(id(obj))
        res = obj.get("/Resources")
        if res is not None:
            res = res.get_object()
            for font in (res.get("/Font") or {}).values():
                found.append(font.get_object())
            for xo in (res.get("/XObject") or {}).values():
                walk(xo, depth + 1)

    for annot in page.get("/Annots", []):
        annot = annot.get_object()
        if "/AP" in annot:
            walk(annot["/AP"]["/N"])
    return found


def _descriptors(fonts) -> list:
    out = []
    for font in fonts:
        for desc in font.get("/DescendantFonts", []):
            out.append(desc.get_object()["/FontDescriptor"].get_object())
    return out
